/**
 * End-to-end tests of the bundled demo server: the BUILT entry point (dist/demo/main.js) is spawned
 * and driven with the raw SDK client over stdio, Streamable HTTP and legacy HTTP+SSE. Nothing here
 * sleeps: every wait is on a process event, a protocol message or the server's ready line.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

import {
  Client,
  type JSONRPCMessage,
  type Progress,
  ProtocolError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const MAIN = fileURLToPath(new URL("../../dist/demo/main.js", import.meta.url));
const READY_LINE = /^mcp-tools demo server listening on (http:\/\/127\.0\.0\.1:(\d+)\/(?:mcp|sse))$/;
const BASE_TOOLS = ["echo", "add", "slow_task", "fail_tool", "rpc_error", "add_tool"];

// ---------------------------------------------------------------------------------------------
// Process helpers
// ---------------------------------------------------------------------------------------------

interface DemoProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the URL of the ready line; rejects if the process exits first. */
  readonly ready: Promise<string>;
  /** Resolves once the process has exited and its pipes are closed (it is reaped by then). */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly stdout: () => string;
  readonly stderrLines: () => string[];
}

const liveProcesses = new Set<DemoProcess>();

/** Spawns the built demo server; every process is killed and reaped by `afterEach`/`afterAll`. */
function spawnDemo(args: string[]): DemoProcess {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  if (child.pid === undefined) throw new Error("spawn failed");
  let stdout = "";
  const stderrLines: string[] = [];
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderrLines.push(line);
      const match = READY_LINE.exec(line);
      if (match) resolve(match[1]!);
    });
    void closed.then(({ code, signal }) =>
      reject(new Error(`demo server exited (code ${code}, signal ${signal}): ${stderrLines.join("\n")}`)),
    );
  });
  ready.catch(() => {}); // Observed by the tests that need it; not every test does.
  const demo: DemoProcess = {
    child,
    pid: child.pid,
    ready,
    closed,
    stdout: () => stdout,
    stderrLines: () => [...stderrLines],
  };
  liveProcesses.add(demo);
  void closed.then(() => liveProcesses.delete(demo));
  return demo;
}

/** Asserts the process no longer exists. Only meaningful after it was reaped (`closed` resolved). */
function expectGone(pid: number): void {
  let code: unknown;
  try {
    process.kill(pid, 0);
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code;
  }
  expect(code, `process ${pid} is still alive`).toBe("ESRCH");
}

async function killAndReap(demo: DemoProcess): Promise<void> {
  demo.child.kill("SIGKILL");
  await demo.closed;
  expectGone(demo.pid);
}

/** Resolves with the next complete line the stream produces. */
function nextLine(demo: DemoProcess): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: demo.child.stdout! });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
  });
}

function initializeRequest(id: number): string {
  return `${JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "1.0.0" },
    },
  })}\n`;
}

// ---------------------------------------------------------------------------------------------
// Client connections
// ---------------------------------------------------------------------------------------------

type TransportKind = "stdio" | "http" | "sse";

interface Connection {
  readonly client: Client;
  /** Every JSON-RPC message the client received, as parsed off the wire, before the SDK's handling. */
  readonly inbound: JSONRPCMessage[];
  /** Resolves when server-initiated notifications can reach the client (see `connect`). */
  readonly serverChannelOpen: Promise<void>;
  /** The stdio server's pid. */
  readonly pid?: number;
  readonly sessionId?: () => string | undefined;
  readonly terminateSession?: () => Promise<void>;
}

const openConnections = new Set<Connection>();
/** The HTTP host shared by the http and sse suites, started in `beforeAll`. */
let httpHost: DemoProcess | undefined;
let httpBase = "";

async function connect(kind: TransportKind): Promise<Connection> {
  const client = new Client({ name: "demo-server-test", version: "1.0.0" });
  const inbound: JSONRPCMessage[] = [];
  const record = (message: JSONRPCMessage): void => {
    inbound.push(message);
  };
  let connection: Connection;

  if (kind === "stdio") {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, "stdio"],
      stderr: "pipe",
    });
    transport.stderr?.on("data", () => {}); // Never let a full pipe block the server.
    transport.onmessage = record;
    await client.connect(transport);
    const pid = transport.pid;
    if (pid === null) throw new Error("stdio server has no pid");
    connection = { client, inbound, serverChannelOpen: Promise.resolve(), pid };
  } else if (kind === "http") {
    // Server-initiated notifications that belong to no request (tools/list_changed) travel on the
    // GET stream, which the client opens in the background after initializing; they are dropped
    // until it is open. Watching the transport's fetch tells us when that is.
    let markOpen!: () => void;
    const serverChannelOpen = new Promise<void>((resolve) => (markOpen = resolve));
    const transport = new StreamableHTTPClientTransport(new URL(`${httpBase}/mcp`), {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if ((init?.method ?? "GET") === "GET" && response.ok) markOpen();
        return response;
      },
    });
    transport.onmessage = record;
    await client.connect(transport);
    connection = {
      client,
      inbound,
      serverChannelOpen,
      sessionId: () => transport.sessionId,
      terminateSession: () => transport.terminateSession(),
    };
  } else {
    const transport = new SSEClientTransport(new URL(`${httpBase}/sse`));
    transport.onmessage = record;
    await client.connect(transport);
    connection = { client, inbound, serverChannelOpen: Promise.resolve() };
  }
  openConnections.add(connection);
  return connection;
}

function textOf(result: { content?: unknown }): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  expect(content).toHaveLength(1);
  expect(content[0]!.type).toBe("text");
  return content[0]!.text!;
}

function isProgressFor(token: unknown) {
  return (message: JSONRPCMessage): boolean =>
    "method" in message &&
    message.method === "notifications/progress" &&
    (message.params as { progressToken?: unknown } | undefined)?.progressToken === token;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  httpHost = spawnDemo(["http", "--port", "0"]);
  const url = await httpHost.ready;
  httpBase = new URL(url).origin;
});

afterEach(async () => {
  const connections = [...openConnections];
  openConnections.clear();
  await Promise.all(connections.map((connection) => connection.client.close()));
  for (const connection of connections) {
    // StdioClientTransport.close() waits for the child's "close" event, so it has been reaped.
    if (connection.pid !== undefined) expectGone(connection.pid);
  }
  for (const demo of liveProcesses) {
    if (demo !== httpHost) await killAndReap(demo);
  }
});

afterAll(async () => {
  if (httpHost !== undefined) {
    httpHost.child.kill("SIGTERM");
    expect(await httpHost.closed).toEqual({ code: 0, signal: null });
    expectGone(httpHost.pid);
  }
  for (const demo of liveProcesses) await killAndReap(demo);
});

// ---------------------------------------------------------------------------------------------
// The executable
// ---------------------------------------------------------------------------------------------

describe("demo server executable", () => {
  it("prints exactly one ready line with the real port on stderr and exits 0 on SIGTERM (http)", async () => {
    const demo = spawnDemo(["http", "--port", "0", "--host", "127.0.0.1"]);
    const url = await demo.ready;
    expect(url).toMatch(/\/mcp$/);
    const port = Number(READY_LINE.exec(`mcp-tools demo server listening on ${url}`)![2]);
    expect(port).toBeGreaterThan(0);

    // Open sessions on both transports, each with a request in flight: shutdown must end them
    // and free every socket, or the process would not exit on its own (and would exit 1).
    const streamable = new Client({ name: "ready-check", version: "1.0.0" });
    await streamable.connect(new StreamableHTTPClientTransport(new URL(url)));
    expect(streamable.getServerVersion()?.name).toBe("mcp-tools-demo");
    const legacy = new Client({ name: "ready-check", version: "1.0.0" });
    await legacy.connect(new SSEClientTransport(new URL(url.replace(/\/mcp$/, "/sse"))));
    const inFlight = [streamable, legacy].map((client) =>
      client.callTool({ name: "slow_task", arguments: { seconds: 60, steps: 1 } }).then(
        () => "completed",
        () => "failed",
      ),
    );
    await Promise.all([streamable.ping(), legacy.ping()]);

    demo.child.kill("SIGTERM");
    expect(await demo.closed).toEqual({ code: 0, signal: null });
    expectGone(demo.pid);
    // The SDK clients keep such requests pending (they try to reconnect) until they are closed.
    await Promise.all([streamable.close(), legacy.close()]);
    expect(await Promise.all(inFlight)).toEqual(["failed", "failed"]);
    expect(demo.stderrLines()).toEqual([`mcp-tools demo server listening on ${url}`]);
    expect(demo.stdout()).toBe("");
  });

  it("announces the /sse endpoint in sse mode and exits 0 on SIGINT", async () => {
    const demo = spawnDemo(["sse"]);
    const url = await demo.ready;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sse$/);
    demo.child.kill("SIGINT");
    expect(await demo.closed).toEqual({ code: 0, signal: null });
    expectGone(demo.pid);
  });

  it("exits 0 when stdin reaches EOF (stdio), having written only protocol to stdout", async () => {
    const demo = spawnDemo([]);
    const firstLine = nextLine(demo);
    demo.child.stdin!.write(initializeRequest(1));
    const response = JSON.parse(await firstLine) as { id: number; result: { serverInfo: { name: string } } };
    expect(response.id).toBe(1);
    expect(response.result.serverInfo.name).toBe("mcp-tools-demo");

    demo.child.stdin!.end();
    expect(await demo.closed).toEqual({ code: 0, signal: null });
    expectGone(demo.pid);
    for (const line of demo.stdout().split("\n").filter(Boolean)) {
      expect(JSON.parse(line)).toMatchObject({ jsonrpc: "2.0" });
    }
    expect(demo.stderrLines()).toEqual([]);
  });

  it("exits 0 on SIGTERM while serving stdio", async () => {
    const demo = spawnDemo(["stdio"]);
    const firstLine = nextLine(demo);
    demo.child.stdin!.write(initializeRequest(7));
    expect(JSON.parse(await firstLine)).toMatchObject({ id: 7 });
    demo.child.kill("SIGTERM");
    expect(await demo.closed).toEqual({ code: 0, signal: null });
    expectGone(demo.pid);
  });

  it("rejects bad arguments with exit code 2 and a usage message", async () => {
    const demo = spawnDemo(["carrier-pigeon"]);
    expect(await demo.closed).toEqual({ code: 2, signal: null });
    expect(demo.stderrLines().join("\n")).toMatch(/Unknown transport "carrier-pigeon"[\s\S]*Usage:/);
    expect(demo.stdout()).toBe("");

    const badPort = spawnDemo(["http", "--port", "70000"]);
    expect(await badPort.closed).toEqual({ code: 2, signal: null });
    expect(badPort.stderrLines()[0]).toMatch(/--port must be an integer/);
  });

  it("registers --tools N extra tools", async () => {
    const client = new Client({ name: "tools-check", version: "1.0.0" });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [MAIN, "stdio", "--tools", "25"],
      stderr: "pipe",
    });
    await client.connect(transport);
    const pid = transport.pid!;
    try {
      const { tools } = await client.listTools();
      const names = tools.map((tool) => tool.name);
      expect(names).toHaveLength(BASE_TOOLS.length + 25);
      expect(names).toContain("tool_0001");
      expect(names).toContain("tool_0025");
      expect(names).not.toContain("tool_0026");
      const result = await client.callTool({ name: "tool_0017", arguments: {} });
      expect(textOf(result)).toBe("tool_0017 ok");
    } finally {
      await client.close();
    }
    expectGone(pid);
  });
});

// ---------------------------------------------------------------------------------------------
// Protocol surface, over every transport
// ---------------------------------------------------------------------------------------------

describe.each<TransportKind>(["stdio", "http", "sse"])("demo server over %s", (kind) => {
  it("identifies itself and declares its capabilities", async () => {
    const { client } = await connect(kind);
    expect(client.getServerVersion()).toMatchObject({ name: "mcp-tools-demo", version: expect.any(String) });
    const capabilities = client.getServerCapabilities();
    expect(capabilities?.tools).toEqual({ listChanged: true });
    expect(capabilities?.resources).toBeDefined();
    expect(capabilities?.prompts).toBeDefined();
    expect(capabilities?.logging).toEqual({});
    await client.setLoggingLevel("warning");
  });

  it("lists the tools with descriptions and schemas", async () => {
    const { client } = await connect(kind);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(BASE_TOOLS);
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type).toBe("object");
    }
    const add = tools.find((tool) => tool.name === "add")!;
    expect(add.inputSchema.required).toEqual(["a", "b"]);
    expect(add.outputSchema).toMatchObject({ type: "object", properties: { result: { type: "number" } } });
    const slow = tools.find((tool) => tool.name === "slow_task")!;
    expect(Object.keys(slow.inputSchema.properties ?? {})).toEqual(["seconds", "steps"]);
  });

  it("echo echoes", async () => {
    const { client } = await connect(kind);
    const result = await client.callTool({ name: "echo", arguments: { message: "hello, world" } });
    expect(result.isError ?? false).toBe(false);
    expect(textOf(result)).toBe("Echo: hello, world");
  });

  it("add returns text and structured content", async () => {
    const { client } = await connect(kind);
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 3.5 } });
    expect(textOf(result)).toBe("Result: 2 + 3.5 = 5.5");
    expect(result.structuredContent).toEqual({ result: 5.5 });
  });

  it("slow_task reports progress per step", async () => {
    const { client, inbound } = await connect(kind);
    const progress: Progress[] = [];
    const result = await client.callTool(
      { name: "slow_task", arguments: { seconds: 0.2, steps: 4 } },
      { onprogress: (update) => progress.push(update) },
    );
    expect(textOf(result)).toBe("Completed 4 steps in 0.2 seconds");

    // On the wire: one notification per step, all of them before the result.
    const resultIndex = inbound.findIndex(
      (message) => "result" in message && JSON.stringify(message.result).includes("Completed 4 steps"),
    );
    const sent = inbound
      .slice(0, resultIndex)
      .filter((message) => "method" in message && message.method === "notifications/progress")
      .map(
        (message) =>
          ("params" in message ? message.params : undefined) as Progress & { progressToken: unknown },
      );
    expect(sent.map(({ progress: step, total, message }) => ({ step, total, message }))).toEqual(
      [1, 2, 3, 4].map((step) => ({ step, total: 4, message: `Step ${step} of 4` })),
    );
    expect(new Set(sent.map(({ progressToken }) => progressToken)).size).toBe(1);

    // The SDK client runs notification handlers a microtask late but settles responses at once, so
    // a notification read together with the response (typically the last one) never reaches
    // onprogress. What does arrive is the same sequence.
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual(sent.slice(0, progress.length).map(({ progressToken: _, ...update }) => update));
  });

  it("slow_task stops when the request is cancelled", async () => {
    const { client, inbound } = await connect(kind);
    const controller = new AbortController();
    let firstProgress!: () => void;
    const progressed = new Promise<void>((resolve) => (firstProgress = resolve));
    const cancelled = client.callTool(
      { name: "slow_task", arguments: { seconds: 10, steps: 100 } },
      {
        signal: controller.signal,
        onprogress: () => {
          firstProgress();
          controller.abort(new Error("test cancelled"));
        },
      },
    );
    await progressed;
    await expect(cancelled).rejects.toThrow();
    const progressMessage = inbound.find(
      (message) => "method" in message && message.method === "notifications/progress",
    ) as { params: { progressToken: unknown } } | undefined;
    const token = progressMessage?.params.progressToken;
    expect(token).toBeDefined();
    const seenAtCancel = inbound.filter(isProgressFor(token)).length;

    // A second task of 3 × 100 ms runs on the server's own clock: had the first one kept going
    // (one step per 100 ms), it would have sent at least two more notifications meanwhile.
    const barrier = await client.callTool({ name: "slow_task", arguments: { seconds: 0.3, steps: 3 } });
    expect(textOf(barrier)).toBe("Completed 3 steps in 0.3 seconds");
    expect(inbound.filter(isProgressFor(token)).length - seenAtCancel).toBeLessThanOrEqual(1);
    const completed = inbound.filter(
      (message) => "result" in message && JSON.stringify(message.result).includes("Completed 100 steps"),
    );
    expect(completed).toEqual([]);
  });

  it("fail_tool returns an isError result", async () => {
    const { client } = await connect(kind);
    const byDefault = await client.callTool({ name: "fail_tool", arguments: {} });
    expect(byDefault.isError).toBe(true);
    expect(textOf(byDefault)).toBe("Tool failed: requested failure");
    const withReason = await client.callTool({ name: "fail_tool", arguments: { reason: "disk on fire" } });
    expect(withReason.isError).toBe(true);
    expect(textOf(withReason)).toBe("Tool failed: disk on fire");
  });

  it("rpc_error answers with a JSON-RPC error on the wire", async () => {
    const { client, inbound } = await connect(kind);

    const custom = await client
      .callTool({ name: "rpc_error", arguments: { code: -32001, message: "boom" } })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(custom).toBeInstanceOf(ProtocolError);
    expect(custom).toMatchObject({ code: -32001 });

    const byDefault = await client.callTool({ name: "rpc_error", arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(byDefault).toMatchObject({ code: -32603 });

    const errors = inbound.filter((message) => "error" in message);
    expect(errors).toEqual([
      { jsonrpc: "2.0", id: expect.anything(), error: { code: -32001, message: "boom" } },
      { jsonrpc: "2.0", id: expect.anything(), error: { code: -32603, message: "Requested JSON-RPC error" } },
    ]);
    // No tool result was sent for those requests: the error IS the response.
    const errorIds = new Set(errors.map((message) => ("id" in message ? message.id : undefined)));
    expect(inbound.filter((message) => "result" in message && errorIds.has(message.id))).toEqual([]);
  });

  it("add_tool registers a tool and notifies tools/list_changed", async () => {
    const { client, serverChannelOpen } = await connect(kind);
    const listChanged = new Promise<void>((resolve) =>
      client.setNotificationHandler("notifications/tools/list_changed", () => resolve()),
    );
    await serverChannelOpen;
    const name = `added_${randomUUID().slice(0, 8)}`;

    const result = await client.callTool({ name: "add_tool", arguments: { name } });
    expect(textOf(result)).toBe(`Added tool ${name}`);
    await listChanged;

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([...BASE_TOOLS, name]);
    const echoed = await client.callTool({ name, arguments: { x: 1, y: "two" } });
    expect(JSON.parse(textOf(echoed))).toEqual({ x: 1, y: "two" });

    const duplicate = await client.callTool({ name: "add_tool", arguments: { name } });
    expect(duplicate.isError).toBe(true);
  });

  it("lists and reads the static resources", async () => {
    const { client } = await connect(kind);
    const { resources } = await client.listResources();
    expect(resources.map(({ uri, mimeType }) => ({ uri, mimeType }))).toEqual([
      { uri: "demo://readme", mimeType: "text/markdown" },
      { uri: "demo://config.json", mimeType: "application/json" },
      { uri: "demo://logo.png", mimeType: "image/png" },
    ]);

    const readme = (await client.readResource({ uri: "demo://readme" })).contents[0]!;
    expect(readme).toMatchObject({ uri: "demo://readme", mimeType: "text/markdown" });
    expect("text" in readme && readme.text).toMatch(/^# mcp-tools demo server/);

    const config = (await client.readResource({ uri: "demo://config.json" })).contents[0]!;
    expect(config.mimeType).toBe("application/json");
    expect(JSON.parse("text" in config ? config.text : "")).toMatchObject({ name: "mcp-tools-demo" });

    const logo = (await client.readResource({ uri: "demo://logo.png" })).contents[0]!;
    expect(logo.mimeType).toBe("image/png");
    const png = Buffer.from("blob" in logo ? logo.blob : "", "base64");
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.subarray(12, 16).toString("latin1")).toBe("IHDR");
    expect(png.subarray(-8, -4).toString("latin1")).toBe("IEND");
  });

  it("lists and reads the notes template", async () => {
    const { client } = await connect(kind);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates).toEqual([
      expect.objectContaining({ uriTemplate: "demo://notes/{id}", name: "note", mimeType: "text/plain" }),
    ]);
    const { contents } = await client.readResource({ uri: "demo://notes/42" });
    expect(contents).toEqual([{ uri: "demo://notes/42", mimeType: "text/plain", text: "Note 42" }]);
  });

  it("lists the prompts with their arguments and renders them", async () => {
    const { client } = await connect(kind);
    const { prompts } = await client.listPrompts();
    const argumentsOf = (name: string) =>
      prompts
        .find((prompt) => prompt.name === name)
        ?.arguments?.map((argument) => [argument.name, argument.required ?? false]);
    expect(prompts.map((prompt) => prompt.name)).toEqual(["code_review", "summarize", "translate"]);
    expect(argumentsOf("code_review")).toEqual([
      ["language", true],
      ["code", true],
      ["focus", false],
    ]);
    expect(argumentsOf("summarize")).toEqual([
      ["text", true],
      ["max_words", false],
    ]);
    expect(argumentsOf("translate")).toEqual([
      ["text", true],
      ["to_language", true],
      ["from_language", false],
    ]);

    const review = await client.getPrompt({
      name: "code_review",
      arguments: { language: "python", code: "print(1)", focus: "style" },
    });
    expect(review.messages).toHaveLength(1);
    expect(review.messages[0]!.role).toBe("user");
    expect(review.messages[0]!.content).toMatchObject({ type: "text" });
    const reviewText = (review.messages[0]!.content as { text: string }).text;
    expect(reviewText).toContain("python");
    expect(reviewText).toContain("print(1)");
    expect(reviewText).toContain("style");

    const summary = await client.getPrompt({
      name: "summarize",
      arguments: { text: "Long text.", max_words: "10" },
    });
    expect((summary.messages[0]!.content as { text: string }).text).toMatch(
      /at most 10 words[\s\S]*Long text\./,
    );

    const translation = await client.getPrompt({
      name: "translate",
      arguments: { text: "Bonjour", to_language: "English", from_language: "French" },
    });
    expect((translation.messages[0]!.content as { text: string }).text).toMatch(
      /from French into English[\s\S]*Bonjour/,
    );

    await expect(client.getPrompt({ name: "translate", arguments: { text: "Hallo" } })).rejects.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP session handling
// ---------------------------------------------------------------------------------------------

describe("demo HTTP host", () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${httpBase}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        ...headers,
      },
      body: JSON.stringify(body),
    });
  const ping = { jsonrpc: "2.0", id: 1, method: "ping" };

  it("answers 404 for an unknown Streamable HTTP session id", async () => {
    const response = await post("/mcp", ping, { "mcp-session-id": randomUUID() });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: -32001 } });
  });

  it("answers 400 for a non-initialize request without a session id", async () => {
    const response = await post("/mcp", ping);
    expect(response.status).toBe(400);
    await response.body?.cancel();
  });

  it("ends a session on DELETE; its id is then unknown", async () => {
    const { client, sessionId, terminateSession } = await connect("http");
    const id = sessionId!()!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await client.ping();
    await terminateSession!();
    const response = await post("/mcp", ping, { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" });
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });

  it("answers 404 for an unknown legacy SSE session id", async () => {
    const response = await post(`/messages?sessionId=${randomUUID()}`, ping);
    expect(response.status).toBe(404);
    await response.body?.cancel();
  });
});

// MCPClient over HTTP: streamable HTTP and legacy SSE against the demo server (in-process), streamable
// HTTP against @modelcontextprotocol/server-everything (a child process), and headers against the
// recording fixture. Every method of the client, then the invariants: the session is ended on
// disconnect and no socket is left open.
import { request as httpRequest } from "node:http";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import type { StatusEvent } from "../../src/client/events.js";
import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { type DemoHttpServer, startDemoHttpServer } from "../../src/demo/httpHost.js";
import {
  MCPCancelledError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPServerError,
  MCPTimeoutError,
} from "../../src/errors/errors.js";
import { type HttpFaultServer, startHttpFaultServer } from "../fixtures/httpFaultServer.js";
import { within } from "../helpers/async.js";
import { httpClients } from "../helpers/http.js";
import { type Everything, startEverything, stopEverything } from "../helpers/servers.js";

const { config: http, track, cleanups, cleanUp } = httpClients({ name: "demo-http", timeout: 5 });
afterEach(cleanUp);

/** TCP sockets open in this process (client and in-process server sides alike). */
function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((type) => type === "TCPSocketWrap").length;
}

/** Resolves once at most `count` TCP sockets are open; fails after `ms`. */
async function socketsDownTo(count: number, ms = 2_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (tcpSockets() > count) {
    if (performance.now() > deadline) {
      throw new Error(`${tcpSockets()} TCP sockets still open, expected at most ${count}`);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function demoHttp(port = 0): Promise<DemoHttpServer> {
  const server = await startDemoHttpServer({ port });
  cleanups.push(() => server.close());
  return server;
}

function text(result: { content?: unknown }): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

/** A POST on its own connection (closed afterwards), outside any client under test. */
function rawPost(url: string, headers: Record<string, string>, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          ...headers,
        },
      },
      (response) => {
        response.resume();
        response.once("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.once("error", reject);
    request.end(JSON.stringify(body));
  });
}

const PING = { jsonrpc: "2.0", id: 99, method: "ping" };

describe("MCPClient over streamable HTTP (demo server)", () => {
  it("connects, discovers everything, reports it through events, and holds a session", async () => {
    const server = await demoHttp();
    const events: StatusEvent[] = [];
    const client = track(new MCPClient(http(server.url), { onStatus: (event) => events.push(event) }));
    await client.connect();
    expect(client.state).toBe("connected");
    expect(client.getAvailableTools()).toEqual(
      expect.arrayContaining(["echo", "add", "slow_task", "fail_tool", "rpc_error", "add_tool"]),
    );
    expect(client.getAvailableResources()).toEqual(
      expect.arrayContaining(["demo://readme", "demo://config.json", "demo://logo.png"]),
    );
    expect(client.resourceTemplates.map((t) => t.uriTemplate)).toContain("demo://notes/{id}");
    expect(client.getAvailablePrompts()).toEqual(
      expect.arrayContaining(["code_review", "summarize", "translate"]),
    );
    expect(client.serverInfo?.name).toBe("mcp-tools-demo");
    expect(client.instructions).toContain("Demo server");
    const diagnostics = client.getDiagnostics();
    expect(diagnostics).toMatchObject({ transport: "streamable-http", pid: undefined, sessionRenewals: 0 });
    expect(diagnostics.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(["connecting", "stateChange", "connected"]),
    );
  });

  it("connect() is idempotent and concurrent calls share one session", async () => {
    const server = await demoHttp();
    const client = track(new MCPClient(http(server.url)));
    await Promise.all([client.connect(), client.connect(), client.connect()]);
    const session = client.getDiagnostics().sessionId;
    await client.connect();
    expect(client.getDiagnostics().sessionId).toBe(session);
  });

  it("calls tools: results, isError results, and JSON-RPC errors as MCPServerError", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    expect(text(await client.callTool("echo", { message: "over http" }))).toBe("Echo: over http");
    const sum = await client.callTool("add", { a: 2, b: 3 });
    expect(sum.structuredContent).toEqual({ result: 5 });
    const failed = await client.callTool("fail_tool", { reason: "nope" });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain("nope");
    const error = await client
      .callTool("rpc_error", { code: -32050, message: "custom failure" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPServerError);
    expect(error).toMatchObject({ code: "SERVER_ERROR", rpcCode: -32050, serverName: "demo-http" });
    expect(client.isConnected()).toBe(true);
  });

  it("delivers every progress step", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    const steps: number[] = [];
    const result = await client.callTool(
      "slow_task",
      { seconds: 0.2, steps: 5 },
      { onProgress: (p) => steps.push(p.progress) },
    );
    expect(text(result)).toContain("Completed 5 steps");
    expect(steps).toEqual([1, 2, 3, 4, 5]);
  });

  it("times out with MCPTimeoutError, cancels with MCPCancelledError, and stays usable", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    const timedOut = await client
      .callTool("slow_task", { seconds: 5, steps: 5 }, { timeout: 0.3 })
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(MCPTimeoutError);
    expect(timedOut).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutSeconds: 0.3 });
    const controller = new AbortController();
    const cancelled = await client
      .callTool(
        "slow_task",
        { seconds: 5, steps: 50 },
        { signal: controller.signal, onProgress: () => controller.abort("stop") },
      )
      .catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(MCPCancelledError);
    expect(cancelled).toMatchObject({ code: "REQUEST_CANCELLED" });
    expect(text(await client.callTool("echo", { message: "after" }))).toBe("Echo: after");
  });

  it("reads static and templated resources and renders prompts", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    const readme = await client.getResource("demo://readme");
    expect(readme.contents[0]).toMatchObject({ uri: "demo://readme", mimeType: "text/markdown" });
    const logo = await client.getResource("demo://logo.png");
    expect((logo.contents[0] as { blob?: string }).blob).toBeTypeOf("string");
    const note = await client.getResource("demo://notes/7");
    expect((note.contents[0] as { text: string }).text).toBe("Note 7");
    const prompt = await client.getPrompt("code_review", { language: "python", code: "print(1)" });
    expect(JSON.stringify(prompt.messages)).toContain("python");
    await expect(client.getPrompt("no_such_prompt")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers health checks while connected, and false once disconnected", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    expect(await client.healthCheck()).toBe(true);
    await client.disconnect();
    expect(await client.healthCheck()).toBe(false);
  });

  it("refreshes the tool list on list_changed delivered over HTTP", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    const changed = new Promise<string>((resolve) => client.on("listChanged", (e) => resolve(e.kind)));
    await client.callTool("add_tool", { name: "dynamic_tool" });
    expect(await within(3_000, changed, "the listChanged event")).toBe("tools");
    expect(client.getAvailableTools()).toContain("dynamic_tool");
    expect(text(await client.callTool("dynamic_tool", { hello: "world" }))).toContain("world");
  });

  it("disconnect() ends the session (DELETE) and closes every socket on both sides", async () => {
    const server = await demoHttp();
    const baseline = tcpSockets();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    await client.callTool("echo", { message: "x" });
    const session = client.getDiagnostics().sessionId!;
    expect(await rawPost(server.url, { "mcp-session-id": session }, PING)).toBe(200);
    expect(tcpSockets()).toBeGreaterThan(baseline);
    const started = performance.now();
    await client.disconnect();
    expect(performance.now() - started).toBeLessThan(1000);
    await socketsDownTo(baseline);
    expect(client.state).toBe("disconnected");
    expect(client.getDiagnostics().sessionId).toBeUndefined();
    expect(await rawPost(server.url, { "mcp-session-id": session }, PING)).toBe(404);
    await socketsDownTo(baseline);
  });

  it("reconnect() starts a new session and ends the old one", async () => {
    const server = await demoHttp();
    const client = track(await MCPClient.createAndConnect(http(server.url)));
    const before = client.getDiagnostics().sessionId!;
    expect(await client.reconnect({ maxRetries: 2, retryDelay: 0.05 })).toBe(true);
    const after = client.getDiagnostics().sessionId!;
    expect(after).not.toBe(before);
    expect(await rawPost(server.url, { "mcp-session-id": before }, PING)).toBe(404);
    expect(text(await client.callTool("echo", { message: "again" }))).toBe("Echo: again");
  });

  it("survives a server restart: refused while down, then a transparent new session (HTTP 404)", async () => {
    const baseline = tcpSockets();
    const first = await startDemoHttpServer({ port: 0 });
    const port = first.port;
    const client = track(await MCPClient.createAndConnect(http(first.url)));
    const before = client.getDiagnostics().sessionId;
    await first.close();
    // Until the client has seen its pooled sockets close, a call may still go out on one of them and
    // fail as CONNECTION_CLOSED (UND_ERR_SOCKET) instead; this test is about the refused connection.
    await socketsDownTo(baseline);
    const down = await client.callTool("echo", { message: "down" }).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(MCPConnectionError);
    expect(down).toMatchObject({ code: "CONNECTION_REFUSED" });
    // HTTP keeps no connection to lose: the client stays "connected" and the next call tries again.
    expect(client.state).toBe("connected");
    await demoHttp(port);
    expect(text(await client.callTool("echo", { message: "back" }))).toBe("Echo: back");
    expect(client.getDiagnostics().sessionId).not.toBe(before);
    expect(client.getDiagnostics().sessionRenewals).toBe(1);
  });
});

describe("MCPClient over legacy HTTP+SSE (demo server)", () => {
  it("connects, calls, reports progress, reads resources and prompts, and closes its stream", async () => {
    const server = await demoHttp();
    const baseline = tcpSockets();
    const client = track(
      await MCPClient.createAndConnect(http(server.sseUrl, { name: "demo-sse", type: "sse" })),
    );
    expect(client.getDiagnostics().transport).toBe("sse");
    expect(client.getAvailableTools()).toContain("echo");
    expect(text(await client.callTool("echo", { message: "legacy" }))).toBe("Echo: legacy");
    expect((await client.callTool("fail_tool", {})).isError).toBe(true);
    await expect(client.callTool("rpc_error", {})).rejects.toBeInstanceOf(MCPServerError);
    const steps: number[] = [];
    await client.callTool(
      "slow_task",
      { seconds: 0.2, steps: 4 },
      { onProgress: (p) => steps.push(p.progress) },
    );
    expect(steps).toEqual([1, 2, 3, 4]);
    const timedOut = await client
      .callTool("slow_task", { seconds: 5, steps: 5 }, { timeout: 0.2 })
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ code: "REQUEST_TIMEOUT" });
    expect((await client.getResource("demo://notes/3")).contents[0]).toMatchObject({ text: "Note 3" });
    expect((await client.getPrompt("summarize", { text: "abc" })).messages.length).toBeGreaterThan(0);
    expect(await client.healthCheck()).toBe(true);
    await client.disconnect();
    await socketsDownTo(baseline);
  });
});

describe("HTTP headers (recording fixture)", () => {
  let fixture: HttpFaultServer;

  beforeAll(async () => {
    fixture = await startHttpFaultServer();
  });

  afterAll(async () => {
    await fixture.close();
  });

  it("expands ${VAR} in header values and sends them on every request, never exposing the value", async () => {
    const before = fixture.requests.length;
    const client = track(
      new MCPClient(
        http(fixture.url, {
          name: "headers",
          headers: { "X-Api-Key": "${API_KEY}", "X-Team": "${TEAM:-core}", Authorization: "Bearer ${TOKEN}" },
        }),
        { environment: { API_KEY: "key-1234567890", TOKEN: "tok-abcdef" } },
      ),
    );
    await client.connect();
    await client.callTool("echo", { message: "x" });
    await client.disconnect();
    const seen = fixture.requests.slice(before);
    expect(seen.map((r) => r.method)).toEqual(expect.arrayContaining(["POST", "GET", "DELETE"]));
    for (const request of seen) {
      expect(request.headers).toMatchObject({
        "x-api-key": "key-1234567890",
        "x-team": "core",
        authorization: "Bearer tok-abcdef",
      });
    }
    expect(JSON.stringify(client.config)).not.toContain("key-1234567890");
    expect(JSON.stringify(client.getDiagnostics())).not.toContain("tok-abcdef");
    await within(2_000, fixture.allSocketsClosed(), "every socket closing");
  });

  it("refuses to connect when a header variable is unset, sending nothing", async () => {
    const before = fixture.requests.length;
    const client = track(
      new MCPClient(http(fixture.url, { name: "missing", headers: { "X-Api-Key": "${NOT_SET_ANYWHERE}" } }), {
        environment: {},
      }),
    );
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect(error).toMatchObject({ code: "ENV_VAR_MISSING" });
    expect((error as Error).message).toContain("NOT_SET_ANYWHERE");
    expect(fixture.requests.length).toBe(before);
  });
});

describe("MCPClient against @modelcontextprotocol/server-everything (streamable HTTP)", () => {
  let everything: Everything;

  beforeAll(async () => {
    everything = await startEverything();
  });

  afterAll(async () => {
    await stopEverything(everything);
  });

  function everythingConfig(overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
    return http(everything.url, { name: "everything", timeout: 10, ...overrides });
  }

  it("works end to end with a third-party server", async () => {
    const baseline = tcpSockets();
    const client = track(await MCPClient.createAndConnect(everythingConfig()));
    expect(client.getDiagnostics().sessionId).toBeTypeOf("string");
    expect(client.getAvailableTools()).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    expect(text(await client.callTool("echo", { message: "hello" }))).toBe("Echo: hello");
    expect(text(await client.callTool("get-sum", { a: 2, b: 3 }))).toContain("5");
    const steps: number[] = [];
    await client.callTool(
      "trigger-long-running-operation",
      { duration: 0.5, steps: 5 },
      { onProgress: (p) => steps.push(p.progress) },
    );
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    const timedOut = await client
      .callTool("trigger-long-running-operation", { duration: 5, steps: 5 }, { timeout: 0.3 })
      .catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(MCPTimeoutError);
    expect(await client.healthCheck()).toBe(true);
    expect(client.getAvailablePrompts()).toContain("simple-prompt");
    expect(JSON.stringify((await client.getPrompt("args-prompt", { city: "Paris" })).messages)).toContain(
      "Paris",
    );
    const resource = client.getAvailableResources()[0]!;
    expect((await client.getResource(resource)).contents.length).toBeGreaterThan(0);
    const session = client.getDiagnostics().sessionId!;
    await client.disconnect();
    await socketsDownTo(baseline);
    // server-everything answers an unknown session with 400 rather than 404; either way it is gone.
    expect(await rawPost(everything.url, { "mcp-session-id": session }, PING)).toBe(400);
  });

  it("refreshes resources on list_changed pushed over the standalone GET stream", async () => {
    const client = track(await MCPClient.createAndConnect(everythingConfig({ name: "everything-lc" })));
    const before = client.getAvailableResources().length;
    const changed = new Promise<string>((resolve) =>
      client.on("listChanged", (e) => e.kind === "resources" && resolve(e.kind)),
    );
    const data = `data:text/plain;base64,${Buffer.from("hello list_changed").toString("base64")}`;
    const result = await client.callTool("gzip-file-as-resource", { name: "hello.txt.gz", data });
    expect(result.isError).toBeFalsy();
    expect(await within(5_000, changed, "the resources listChanged event")).toBe("resources");
    expect(client.getAvailableResources().length).toBe(before + 1);
  });
});

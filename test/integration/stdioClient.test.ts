import { afterEach, describe, expect, it } from "vitest";

import type { StatusEvent } from "../../src/client/events.js";
import { MCPClient } from "../../src/client/mcpClient.js";
import {
  MCPCancelledError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPError,
  MCPServerError,
  MCPTimeoutError,
  MCPValidationError,
} from "../../src/errors/errors.js";
import { isAlive } from "../helpers/processes.js";
import { demoStdio, EVERYTHING_LEGACY_SERVER, EVERYTHING_SERVER, faultStdio } from "../helpers/servers.js";

const clients: MCPClient[] = [];

function track(client: MCPClient): MCPClient {
  clients.push(client);
  return client;
}

afterEach(async () => {
  const pids = clients.map((c) => c.getDiagnostics().pid).filter((pid): pid is number => pid !== undefined);
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});

function text(result: { content?: unknown }): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

describe("MCPClient over stdio (demo server)", () => {
  it("connects, discovers everything and reports it through typed events", async () => {
    const events: StatusEvent[] = [];
    const client = track(new MCPClient(demoStdio(), { onStatus: (event) => events.push(event) }));
    expect(client.isConnected()).toBe(false);
    expect(client.state).toBe("disconnected");
    await client.connect();
    expect(client.isConnected()).toBe(true);
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
    expect(client.session).toBeDefined();
    const types = events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["connecting", "stateChange", "connected"]));
    const connected = events.find((e) => e.type === "connected");
    expect(connected).toMatchObject({ server: "demo", toolsCount: client.getAvailableTools().length });
  });

  it("connect() is idempotent and concurrent calls share one attempt", async () => {
    const client = track(new MCPClient(demoStdio()));
    await Promise.all([client.connect(), client.connect(), client.connect()]);
    const pid = client.getDiagnostics().pid;
    await client.connect();
    expect(client.getDiagnostics().pid).toBe(pid);
  });

  it("calls tools and returns results, isError results included", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    expect(text(await client.callTool("echo", { message: "hi" }))).toBe("Echo: hi");
    const sum = await client.callTool("add", { a: 2, b: 3 });
    expect(text(sum)).toContain("5");
    expect(sum.structuredContent).toEqual({ result: 5 });
    const failed = await client.callTool("fail_tool", { reason: "nope" });
    expect(failed.isError).toBe(true);
    expect(text(failed)).toContain("nope");
  });

  it("emits tool call events in order", async () => {
    const seen: string[] = [];
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    client.on("toolCallStart", (e) => seen.push(`start:${e.tool}`));
    client.on("toolCallSuccess", (e) => seen.push(`success:${e.tool}:${e.isError}`));
    const off = client.on("toolCallError", (e) => seen.push(`error:${e.tool}`));
    await client.callTool("echo", { message: "x" });
    await client.callTool("fail_tool", {});
    await expect(client.callTool("rpc_error", {})).rejects.toBeInstanceOf(MCPServerError);
    off();
    await expect(client.callTool("rpc_error", {})).rejects.toBeInstanceOf(MCPServerError);
    expect(seen).toEqual([
      "start:echo",
      "success:echo:false",
      "start:fail_tool",
      "success:fail_tool:true",
      "start:rpc_error",
      "error:rpc_error",
      "start:rpc_error",
    ]);
  });

  it("turns a JSON-RPC error into MCPServerError with the server's code", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const error = await client
      .callTool("rpc_error", { code: -32050, message: "custom failure" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPServerError);
    expect(error).toMatchObject({ code: "SERVER_ERROR", rpcCode: -32050, serverName: "demo" });
    expect((error as Error).message).toContain("custom failure");
    expect(client.isConnected()).toBe(true);
  });

  it("refuses an unknown tool with the list of available tools, without sending", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const error = await client.callTool("ecko", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPError);
    expect(error).toMatchObject({ code: "NOT_FOUND" });
    expect((error as Error).message).toContain('Did you mean "echo"');
    expect((error as Error).message).toContain("add");
  });

  it("validates arguments against the inputSchema before sending", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const error = await client.callTool("add", { a: "two", b: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPValidationError);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENTS", rule: "schema" });
  });

  it("enforces the security limits on arguments before sending", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const error = await client.callTool("echo", { message: "x".repeat(10_001) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPValidationError);
    expect(error).toMatchObject({ code: "POLICY_VIOLATION", rule: "toolArgs.string" });
    expect((error as Error).message).not.toContain("xxxxxxxx");
    const relaxed = track(
      await MCPClient.createAndConnect(
        demoStdio({
          name: "demo2",
          security: { tool_arguments: { max_string_length: 20_000, max_size: 30_000 } },
        }),
      ),
    );
    expect(text(await relaxed.callTool("echo", { message: "y".repeat(10_001) }))).toHaveLength(10_007);
  });

  it("reports progress, every step of it", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const steps: number[] = [];
    const result = await client.callTool(
      "slow_task",
      { seconds: 0.2, steps: 5 },
      { onProgress: (p) => steps.push(p.progress) },
    );
    expect(text(result)).toContain("Completed 5 steps");
    expect(steps).toEqual([1, 2, 3, 4, 5]);
  });

  it("times out with MCPTimeoutError and stays usable", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const error = await client
      .callTool("slow_task", { seconds: 5, steps: 5 }, { timeout: 0.3 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPTimeoutError);
    expect(error).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutSeconds: 0.3, serverName: "demo" });
    expect(text(await client.callTool("echo", { message: "still here" }))).toBe("Echo: still here");
  });

  it("keeps a long call alive while it reports progress, within the total bound", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const steps: number[] = [];
    const result = await client.callTool(
      "slow_task",
      { seconds: 1, steps: 10 },
      {
        timeout: 0.35,
        onProgress: (p) => steps.push(p.progress),
        resetTimeoutOnProgress: true,
        maxTotalTimeout: 10,
      },
    );
    expect(text(result)).toContain("Completed 10 steps");
    const bounded = await client
      .callTool(
        "slow_task",
        { seconds: 3, steps: 30 },
        { timeout: 0.35, onProgress: () => undefined, resetTimeoutOnProgress: true, maxTotalTimeout: 0.6 },
      )
      .catch((e: unknown) => e);
    expect(bounded).toBeInstanceOf(MCPTimeoutError);
  });

  it("cancels on the caller's signal with MCPCancelledError, distinct from a timeout", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const controller = new AbortController();
    const pending = client.callTool(
      "slow_task",
      { seconds: 5, steps: 50 },
      { signal: controller.signal, onProgress: () => controller.abort("user pressed stop") },
    );
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPCancelledError);
    expect(error).not.toBeInstanceOf(MCPTimeoutError);
    expect(error).toMatchObject({ code: "REQUEST_CANCELLED" });
    const early = await client
      .callTool("echo", { message: "x" }, { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(early).toBeInstanceOf(MCPCancelledError);
    expect(text(await client.callTool("echo", { message: "after" }))).toBe("Echo: after");
  });

  it("reads static and templated resources", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const readme = await client.getResource("demo://readme");
    expect(readme.contents[0]).toMatchObject({ uri: "demo://readme", mimeType: "text/markdown" });
    const config = await client.getResource("demo://config.json");
    expect(JSON.parse((config.contents[0] as { text: string }).text)).toBeTypeOf("object");
    const logo = await client.getResource("demo://logo.png");
    expect((logo.contents[0] as { blob?: string }).blob).toBeTypeOf("string");
    const note = await client.getResource("demo://notes/42");
    expect((note.contents[0] as { text: string }).text).toBe("Note 42");
  });

  it("renders prompts with arguments", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const prompt = await client.getPrompt("code_review", { language: "python", code: "print(1)" });
    expect(JSON.stringify(prompt.messages)).toContain("python");
    await expect(client.getPrompt("no_such_prompt")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refreshes the tool list on list_changed", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const changed = new Promise<string>((resolve) => client.on("listChanged", (e) => resolve(e.kind)));
    await client.callTool("add_tool", { name: "dynamic_tool" });
    expect(await changed).toBe("tools");
    expect(client.getAvailableTools()).toContain("dynamic_tool");
    expect(text(await client.callTool("dynamic_tool", { hello: "world" }))).toContain("world");
  });

  it("answers health checks", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    expect(await client.healthCheck()).toBe(true);
    await client.disconnect();
    expect(await client.healthCheck()).toBe(false);
  });

  it("applies allowed_tools and exclude_tools (server and client level)", async () => {
    const allowed = track(await MCPClient.createAndConnect(demoStdio({ allowed_tools: ["echo", "add"] })));
    expect(allowed.getAvailableTools().sort()).toEqual(["add", "echo"]);
    const excluded = track(
      await MCPClient.createAndConnect(demoStdio({ name: "d2", exclude_tools: ["add"] }), {
        excludeTools: ["echo"],
      }),
    );
    expect(excluded.getAvailableTools()).not.toContain("add");
    expect(excluded.getAvailableTools()).not.toContain("echo");
    const clientLevel = track(
      await MCPClient.createAndConnect(demoStdio({ name: "d3" }), { allowedTools: ["fail_tool"] }),
    );
    expect(clientLevel.getAvailableTools()).toEqual(["fail_tool"]);
    // Routed names (as MassGen configs write them) work too.
    const routed = track(
      await MCPClient.createAndConnect(
        demoStdio({ name: "d4", allowed_tools: ["mcp__d4__echo", "add"], exclude_tools: ["mcp__d4__add"] }),
      ),
    );
    expect(routed.getAvailableTools()).toEqual(["echo"]);
  });

  it("disconnect() is idempotent, clears state and refuses calls afterwards", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const pid = client.getDiagnostics().pid!;
    await Promise.all([client.disconnect(), client.disconnect()]);
    await client.disconnect();
    expect(client.state).toBe("disconnected");
    expect(isAlive(pid)).toBe(false);
    expect(client.getAvailableTools()).toEqual([]);
    const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "NOT_CONNECTED" });
    await client.connect();
    expect(text(await client.callTool("echo", { message: "again" }))).toBe("Echo: again");
  });

  it("closes a server that exits on stdin EOF fast", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const started = performance.now();
    await client.disconnect();
    // A bound, not a benchmark: the SDK's transport takes ~350 ms here; stdin EOF should be far quicker.
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("supports await using", async () => {
    let pid: number | undefined;
    {
      await using client = await MCPClient.createAndConnect(demoStdio());
      pid = client.getDiagnostics().pid;
      expect(client.isConnected()).toBe(true);
    }
    expect(isAlive(pid!)).toBe(false);
  });

  it("reconnect() restores a lost connection", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const before = client.getDiagnostics().pid!;
    const lost = new Promise((resolve) => client.on("error", (e) => e.lost && resolve(e.error)));
    process.kill(before, "SIGKILL");
    const error = await lost;
    expect(error).toMatchObject({ code: "PROCESS_EXITED" });
    expect(client.state).toBe("failed");
    expect(await client.reconnect({ maxRetries: 2, retryDelay: 0.05 })).toBe(true);
    expect(client.getDiagnostics().pid).not.toBe(before);
    expect(text(await client.callTool("echo", { message: "back" }))).toBe("Echo: back");
  });
});

describe("MCPClient config handling", () => {
  it("validates in the constructor and spawns nothing for a bad config", () => {
    expect(() => new MCPClient({ name: "x", type: "stdio", command: "bash", args: ["-c", "id"] })).toThrow(
      MCPConfigurationError,
    );
  });

  it("expands ${VAR} in args and env, and names a missing variable", async () => {
    const client = track(
      new MCPClient(faultStdio("ok", { fixtureEnv: { GREETING: "${HELLO:-hi}" } }), {
        environment: { HELLO: "hey" },
      }),
    );
    await client.connect();
    const missing = track(
      new MCPClient(demoStdio({ name: "m", args: [`\${NOT_SET_ANYWHERE}`] }), { environment: {} }),
    );
    const error = await missing.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect(error).toMatchObject({ code: "ENV_VAR_MISSING" });
    expect((error as Error).message).toContain("NOT_SET_ANYWHERE");
    expect(missing.getDiagnostics().pid).toBeUndefined();
  });

  it("refuses an expanded argument that smuggles inline exec", async () => {
    const client = track(
      new MCPClient(
        { name: "sneaky", command: "bash", args: ["${FLAG}", "echo hi"] },
        { environment: { FLAG: "-c" } },
      ),
    );
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues).toContainEqual(
      expect.objectContaining({ rule: "args.inlineExec" }),
    );
  });
});

describe("MCPClient against @modelcontextprotocol/server-everything (stdio)", () => {
  it("works with a real third-party server", async () => {
    const client = track(
      await MCPClient.createAndConnect({
        name: "everything",
        command: process.execPath,
        args: [EVERYTHING_SERVER, "stdio"],
      }),
    );
    expect(client.getAvailableTools()).toEqual(expect.arrayContaining(["echo", "get-sum"]));
    expect(text(await client.callTool("echo", { message: "hello" }))).toBe("Echo: hello");
    expect(text(await client.callTool("get-sum", { a: 2, b: 3 }))).toContain("5");
    const steps: number[] = [];
    await client.callTool(
      "trigger-long-running-operation",
      { duration: 0.5, steps: 5 },
      { onProgress: (p) => steps.push(p.progress) },
    );
    // The raw SDK loses the last step (conformance guide, quirk 1); this client must not.
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    expect(await client.healthCheck()).toBe(true);
    expect(client.getAvailablePrompts()).toContain("simple-prompt");
    const prompt = await client.getPrompt("args-prompt", { city: "Paris" });
    expect(JSON.stringify(prompt.messages)).toContain("Paris");
  });

  it("follows resource pagination to the end (legacy layout: 100 resources, 10 per page)", async () => {
    const client = track(
      await MCPClient.createAndConnect({
        name: "legacy",
        command: process.execPath,
        args: [EVERYTHING_LEGACY_SERVER, "stdio"],
      }),
    );
    expect(client.getAvailableResources()).toHaveLength(100);
    const content = await client.getResource("test://static/resource/100");
    expect(content.contents).toHaveLength(1);
  });
});

describe("MCPClient pagination guards (fault fixture)", () => {
  it("follows tool pagination", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("paginate:250:20")));
    expect(client.getAvailableTools()).toHaveLength(250);
  });

  it("stops on a repeated cursor with a warning instead of hanging", async () => {
    const warnings: string[] = [];
    const client = track(new MCPClient(faultStdio("paginate:100:10,paginate-loop")));
    client.on("warning", (w) => warnings.push(w.kind));
    await client.connect();
    expect(warnings).toContain("pagination-loop");
    expect(client.getAvailableTools().length).toBeGreaterThan(0);
  });

  it("falls back to tools/list for health checks when ping is not implemented", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("no-ping")));
    expect(await client.healthCheck()).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ServerConfigInput } from "../../../src/config/types.js";
import {
  MCPCancelledError,
  MCPCircuitOpenError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPServerError,
  MCPTimeoutError,
} from "../../../src/errors/errors.js";
import type { MultiMCPClientOptions } from "../../../src/multi/multiClient.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { cfg, fakeFactory, setupMulti, tool } from "../../fakes/fakeClient.js";
import { deferred } from "../../helpers/async.js";

const clients: MultiMCPClient[] = [];

function setup(servers: ServerConfigInput[] = [cfg("a"), cfg("b")], options: MultiMCPClientOptions = {}) {
  return setupMulti(clients, servers, options);
}

const timeoutError = () => new MCPTimeoutError("no answer", { timeoutSeconds: 1, operation: "tools/call" });
const spawnFailed = (name: string) =>
  new MCPConnectionError(`${name} could not start`, { code: "SPAWN_FAILED", serverName: name });

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

describe("MultiMCPClient: connect", () => {
  it("starts every server in parallel, and records and reports each outcome (partial success)", async () => {
    const { multi, get, ofType } = setup([cfg("a"), cfg("b"), cfg("c")]);
    const gateA = deferred();
    get("a").connectPlan.push(() => gateA.promise);
    get("b").connectPlan.push(() => Promise.reject(spawnFailed("b")));
    const connecting = multi.connect();
    await Promise.resolve();
    // All three are connecting before the slowest finished.
    expect([get("a").connectCalls, get("b").connectCalls, get("c").connectCalls]).toEqual([1, 1, 1]);
    gateA.resolve();
    const summary = await connecting;
    expect(summary.connected).toEqual(["a", "c"]);
    expect(summary.failed).toEqual(["b"]);
    expect(summary.servers.b).toMatchObject({ ok: false, state: "failed", error: { code: "SPAWN_FAILED" } });
    expect(summary.servers.a).toMatchObject({ ok: true, state: "connected", toolsCount: 1 });
    expect(summary.toolsCount).toBe(2);
    expect(ofType("setupStart")).toEqual([expect.objectContaining({ serverCount: 3 })]);
    expect(ofType("setupComplete")).toEqual([
      expect.objectContaining({ connectedServers: ["a", "c"], failedServers: ["b"], totalTools: 2 }),
    ]);
    expect(ofType("connectionSummary")).toEqual([
      expect.objectContaining({ successfulCount: 2, failedCount: 1, totalCount: 3, toolsCount: 2 }),
    ]);
    expect(multi.getServerStatus("b")).toMatchObject({
      state: "failed",
      lastError: { code: "SPAWN_FAILED" },
    });
    expect(multi.getServerNames()).toEqual(["a", "c"]);
    expect(multi.serverNames).toEqual(["a", "b", "c"]);
    expect(multi.isConnected()).toBe(true);
  });

  it("throws when no server connected: the only server's own error, or one listing every server", async () => {
    const single = setup([cfg("solo")]);
    single.get("solo").connectPlan.push(() => Promise.reject(spawnFailed("solo")));
    await expect(single.multi.connect()).rejects.toMatchObject({ code: "SPAWN_FAILED", serverName: "solo" });

    const two = setup([cfg("a"), cfg("b")]);
    two.get("a").connectPlan.push(() => Promise.reject(spawnFailed("a")));
    two.get("b").connectPlan.push(() => Promise.reject(spawnFailed("b")));
    const error = await two.multi.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({
      code: "NOT_CONNECTED",
      context: { servers: { a: "SPAWN_FAILED", b: "SPAWN_FAILED" } },
    });
    expect((error as Error).message).toContain("a: a could not start");
    expect(two.multi.isConnected()).toBe(false);
  });

  it("connect() again connects only the missing servers", async () => {
    const { multi, get } = setup();
    get("b").connectPlan.push(() => Promise.reject(spawnFailed("b")));
    await multi.connect();
    const summary = await multi.connect();
    expect(summary.connected).toEqual(["a", "b"]);
    expect(get("a").connectCalls).toBe(1);
    expect(get("b").connectCalls).toBe(2);
  });

  it("validates every server and the options before anything starts, all problems at once", () => {
    const factory = fakeFactory();
    const error = (() => {
      try {
        new MultiMCPClient([cfg("a"), { name: "a", command: "node" }, { name: "b" }], {
          createClient: factory.createClient,
          allowedTools: "echo" as unknown as string[],
          healthCheck: { interval: -1 },
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        "servers[1].name",
        "servers[2].command",
        "options.allowed_tools",
        "options.health_check.interval",
      ]),
    );
    expect(factory.fakes.size).toBe(0);
  });
});

describe("MultiMCPClient: routing and names", () => {
  it("routes routed names through the stored table to the raw names (MassGen bug 10)", async () => {
    const { multi, get } = setup();
    get("a").serverTools = [tool("read.file"), tool("echo")];
    await multi.connect();
    expect(multi.getAvailableTools()).toEqual(["mcp__a__read_file", "mcp__a__echo", "mcp__b__echo"]);
    expect(multi.tools.get("mcp__a__read_file")).toMatchObject({ server: "a", rawName: "read.file" });
    const result = await multi.callTool("mcp__a__read_file", { path: "x" }, { timeout: 3 });
    expect(result.content).toEqual([{ type: "text", text: "a:read.file" }]);
    expect(get("a").call).toHaveBeenCalledWith(
      "read.file",
      { path: "x" },
      expect.objectContaining({ timeout: 3 }),
    );
    await multi.callTool("mcp__b__echo");
    expect(get("b").call).toHaveBeenCalledWith("echo", {}, expect.anything());
    expect(multi.getToolsByServer("a")).toEqual(["mcp__a__read_file", "mcp__a__echo"]);
  });

  it("a name that is not a string gives a typed INVALID_ARGUMENTS error, not a TypeError", async () => {
    const { multi } = setup();
    await multi.connect();
    for (const bad of [undefined, 42, ""]) {
      await expect(multi.callTool(bad as unknown as string)).rejects.toMatchObject({
        code: "INVALID_ARGUMENTS",
        rule: "name.type",
      });
      await expect(multi.getPrompt(bad as unknown as string)).rejects.toMatchObject({
        code: "INVALID_ARGUMENTS",
      });
    }
  });

  it("typos of a server's own tool name suggest the routed name", async () => {
    const { multi } = setup();
    await multi.connect();
    await expect(multi.callTool("ecko")).rejects.toThrow('Did you mean "mcp__a__echo"?');
  });

  it("an unknown name gives NOT_FOUND naming the closest routed names", async () => {
    const { multi } = setup();
    await multi.connect();
    await expect(multi.callTool("echo")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining('did you mean "mcp__a__echo" or "mcp__b__echo"'),
    });
    await expect(multi.callTool("mcp__a__ecko")).rejects.toThrow('Did you mean "mcp__a__echo"');
    expect(() => multi.getServerStatus("c")).toThrow(/not configured/);
  });

  it("applies allowed/exclude filters per server and per client, by raw or routed name (MassGen bug 13)", async () => {
    const { multi, get } = setup(
      [cfg("a"), cfg("b", { allowed_tools: ["mcp__b__keep"] }), cfg("c", { exclude_tools: ["drop"] })],
      { excludeTools: ["mcp__a__secret"] },
    );
    get("a").serverTools = [tool("echo"), tool("secret")];
    get("b").serverTools = [tool("keep"), tool("other")];
    get("c").serverTools = [tool("drop"), tool("fine")];
    await multi.connect();
    expect(multi.getAvailableTools()).toEqual(["mcp__a__echo", "mcp__b__keep", "mcp__c__fine"]);
    // Filtered at the server's client too: it cannot be reached through getClient() either.
    expect([...get("a").tools.keys()]).toEqual(["echo"]);
  });

  it("reports collisions as events and never overwrites; skips unusable names with a warning", async () => {
    const { multi, get, ofType } = setup([cfg("a"), cfg("a__b")]);
    get("a").serverTools = [tool("b__c"), tool("???")];
    get("a__b").serverTools = [tool("c")];
    await multi.connect();
    expect(multi.tools.get("mcp__a__b__c")).toMatchObject({ server: "a", rawName: "b__c" });
    expect(multi.tools.get("mcp__a__b__c_2")).toMatchObject({ server: "a__b", rawName: "c" });
    expect(ofType("nameCollision")).toEqual([
      expect.objectContaining({ server: "a__b", kind: "tool", rawName: "c", name: "mcp__a__b__c_2" }),
    ]);
    expect(ofType("warning")).toEqual([
      expect.objectContaining({
        server: "a",
        kind: "tool-name-unusable",
        message: expect.stringContaining('"???"'),
      }),
    ]);
    await multi.callTool("mcp__a__b__c_2");
    expect(get("a__b").call).toHaveBeenCalledWith("c", {}, expect.anything());
  });

  it("routes resources by URI, then by template, or to an explicit server; prompts by routed name", async () => {
    const { multi, get, ofType } = setup();
    get("a").serverResources = [{ uri: "demo://readme", name: "readme" }];
    get("b").serverResources = [{ uri: "demo://readme", name: "readme" }];
    get("a").serverPrompts = [{ name: "code.review" }];
    await multi.connect();
    get("b").resourceTemplates = [{ uriTemplate: "notes://{id}", name: "notes" }];
    // Templates are captured at (re)connect; refresh b's snapshot through a list change.
    get("b").changeTools([tool("echo")]);
    await multi.getResource("demo://readme");
    expect(get("a").read).toHaveBeenCalledWith("demo://readme");
    expect(ofType("nameCollision")).toEqual([
      expect.objectContaining({
        kind: "resource",
        server: "b",
        conflictsWith: expect.objectContaining({ server: "a" }),
      }),
    ]);
    await multi.getResource("demo://readme", { server: "b" });
    expect(get("b").read).toHaveBeenCalledWith("demo://readme");
    await multi.getResource("notes://42");
    expect(get("b").read).toHaveBeenCalledWith("notes://42");
    await expect(multi.getResource("nope://x")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(multi.getAvailablePrompts()).toEqual(["mcp__a__code_review"]);
    const prompt = await multi.getPrompt("mcp__a__code_review");
    expect(prompt.messages[0]?.content).toMatchObject({ text: "a:code.review" });
    await expect(multi.getPrompt("code.review")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refreshes its tables on list_changed and reports the change", async () => {
    const { multi, get, ofType } = setup();
    await multi.connect();
    get("a").changeTools([tool("echo"), tool("added")]);
    expect(multi.getToolsByServer("a")).toEqual(["mcp__a__echo", "mcp__a__added"]);
    expect(ofType("toolsChanged")).toEqual([
      expect.objectContaining({ server: "a", added: ["mcp__a__added"], removed: [] }),
    ]);
  });

  it("names are unknown before connect(); a held handle fails with NOT_CONNECTED after disconnect()", async () => {
    const { multi } = setup();
    expect(() => multi.tool("mcp__a__echo")).toThrow(/not available/);
    await multi.connect();
    const handle = multi.tool("mcp__a__echo");
    await multi.disconnect();
    await expect(handle.call()).rejects.toMatchObject({ code: "NOT_CONNECTED" });
  });
});

describe("MultiMCPClient: breaker and concurrency", () => {
  it("opens the breaker after failure_threshold failures; then fails fast and sends nothing", async () => {
    const { multi, get, ofType } = setup([
      cfg("a", { circuit_breaker: { failure_threshold: 2, recovery_timeout: 30 } }),
    ]);
    await multi.connect();
    get("a").call.mockRejectedValue(timeoutError());
    await expect(multi.callTool("mcp__a__echo")).rejects.toBeInstanceOf(MCPTimeoutError);
    expect(multi.getServerStatus("a")).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    await expect(multi.callTool("mcp__a__echo")).rejects.toBeInstanceOf(MCPTimeoutError);
    const refused = await multi.callTool("mcp__a__echo").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MCPCircuitOpenError);
    expect(get("a").call).toHaveBeenCalledTimes(2);
    expect(ofType("breakerStateChange")).toEqual([
      expect.objectContaining({ server: "a", from: "closed", to: "open" }),
    ]);
    const status = multi.getServerStatus("a");
    expect(status.breaker).toBe("open");
    expect(status.retryAfter).toBeGreaterThan(29);
    expect(status.retryAfter).toBeLessThanOrEqual(30);
  });

  it("answers that are errors (isError, JSON-RPC error) keep the breaker closed", async () => {
    const { multi, get } = setup([cfg("a", { circuit_breaker: { failure_threshold: 1 } })]);
    await multi.connect();
    get("a").call.mockResolvedValue({ content: [], isError: true });
    for (let i = 0; i < 3; i++)
      await expect(multi.callTool("mcp__a__echo")).resolves.toMatchObject({ isError: true });
    get("a").call.mockRejectedValue(new MCPServerError("bad params", { rpcCode: -32602 }));
    for (let i = 0; i < 3; i++)
      await expect(multi.callTool("mcp__a__echo")).rejects.toBeInstanceOf(MCPServerError);
    expect(multi.getServerStatus("a")).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
  });

  it("limits calls in flight per server, queues a bounded number, refuses the rest with QUEUE_FULL (neutral)", async () => {
    const { multi, get } = setup([
      cfg("a", {
        concurrency: { max_in_flight: 1, max_queue: 1 },
        circuit_breaker: { failure_threshold: 1 },
      }),
      cfg("b"),
    ]);
    await multi.connect();
    const gate = deferred<{ content: [] }>();
    get("a").call.mockImplementationOnce(() => gate.promise);
    const first = multi.callTool("mcp__a__echo");
    const second = multi.callTool("mcp__a__echo");
    await Promise.resolve();
    expect(multi.getServerStatus("a")).toMatchObject({ inFlight: 1, queued: 1 });
    await expect(multi.callTool("mcp__a__echo")).rejects.toMatchObject({
      code: "QUEUE_FULL",
      serverName: "a",
    });
    // Another server is not limited by a's queue.
    await expect(multi.callTool("mcp__b__echo")).resolves.toBeDefined();
    expect(multi.getServerStatus("a")).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
    gate.resolve({ content: [] });
    await Promise.all([first, second]);
    expect(get("a").call).toHaveBeenCalledTimes(2);
  });

  it("an abort while queued rejects with MCPCancelledError and sends nothing", async () => {
    const { multi, get } = setup([cfg("a", { concurrency: { max_in_flight: 1, max_queue: 5 } })]);
    await multi.connect();
    const gate = deferred<{ content: [] }>();
    get("a").call.mockImplementationOnce(() => gate.promise);
    const first = multi.callTool("mcp__a__echo");
    const controller = new AbortController();
    const queued = multi.callTool("mcp__a__echo", {}, { signal: controller.signal });
    controller.abort();
    await expect(queued).rejects.toBeInstanceOf(MCPCancelledError);
    gate.resolve({ content: [] });
    await first;
    expect(get("a").call).toHaveBeenCalledTimes(1);
  });

  it("a crash of one server never rejects calls to another", async () => {
    const { multi, get } = setup([cfg("a", { reconnect: { enabled: false } }), cfg("b")]);
    await multi.connect();
    const gate = deferred<{ content: [] }>();
    get("b").call.mockImplementationOnce(() => gate.promise);
    const call = multi.callTool("mcp__b__echo");
    get("a").lose();
    gate.resolve({ content: [] });
    await expect(call).resolves.toEqual({ content: [] });
    expect(multi.getServerStatus("a").state).toBe("failed");
    expect(multi.getAvailableTools()).toEqual(["mcp__b__echo"]);
  });
});

describe("MultiMCPClient: automatic reconnect (fake timers)", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // Half jitter with random 0.5: delay n = 0.75 × min(max, initial × 2^n).
    vi.spyOn(Math, "random").mockReturnValue(0.5);
  });

  it("reconnects after a loss with backoff, refreshes the tools, and old handles keep working", async () => {
    const { multi, get, ofType } = setup([cfg("a", { reconnect: { initial_delay: 1, max_delay: 8 } })]);
    await multi.connect();
    const handle = multi.tool("mcp__a__echo");
    const client = multi.getClient("a");
    get("a").serverTools = [tool("echo"), tool("fresh")];
    get("a").lose();
    expect(multi.getServerStatus("a").state).toBe("reconnecting");
    expect(multi.getAvailableTools()).toEqual(["mcp__a__echo"]); // still listed while reconnecting
    expect(ofType("reconnecting")).toEqual([
      expect.objectContaining({ server: "a", attempt: 1, delaySeconds: 0.75 }),
    ]);
    await vi.advanceTimersByTimeAsync(749);
    expect(get("a").connectCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(get("a").connectCalls).toBe(2);
    expect(ofType("reconnected")).toEqual([
      expect.objectContaining({ server: "a", attempt: 1, toolsCount: 2 }),
    ]);
    expect(ofType("toolsChanged")).toEqual([
      expect.objectContaining({ added: ["mcp__a__fresh"], removed: [] }),
    ]);
    expect(multi.getClient("a")).toBe(client);
    await expect(handle.call({ message: "hi" })).resolves.toMatchObject({ content: [{ text: "a:echo" }] });
    expect(handle.definition).toMatchObject({ server: "a", rawName: "echo" });
    expect(multi.getServerStatus("a")).toMatchObject({ state: "connected", reconnectAttempts: 1 });
  });

  it("calls made during a reconnect wait for it within their own timeout, never beyond (§8 item 2)", async () => {
    const { multi, get } = setup([cfg("a", { reconnect: { initial_delay: 1 } })]);
    await multi.connect();
    get("a").lose();
    let late: unknown;
    const short = multi
      .callTool("mcp__a__echo", {}, { timeout: 0.5 })
      .catch((e: unknown) => e)
      .then((v) => (late = v));
    const patient = multi.callTool("mcp__a__echo", {}, { timeout: 5 });
    await vi.advanceTimersByTimeAsync(499);
    expect(late).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await short;
    expect(late).toMatchObject({
      code: "NOT_CONNECTED",
      message: expect.stringContaining("still reconnecting"),
    });
    await vi.advanceTimersByTimeAsync(250);
    await expect(patient).resolves.toMatchObject({ content: [{ text: "a:echo" }] });
    // The waiting call got what was left of its timeout, and was sent once (never replayed).
    expect(get("a").call).toHaveBeenCalledTimes(1);
    expect(get("a").call.mock.calls[0]?.[2].timeout).toBeCloseTo(4.25, 5);
  });

  it("runs a single reconnect loop per server however many losses are signalled", async () => {
    const { multi, get, ofType } = setup([cfg("a", { reconnect: { initial_delay: 1 } })]);
    await multi.connect();
    const gate = deferred();
    get("a").connectPlan.push(() => gate.promise);
    get("a").lose();
    get("a").lose();
    await vi.advanceTimersByTimeAsync(750);
    expect(get("a").connectCalls).toBe(2);
    const joined = multi.reconnectServer("a"); // joins the running loop, starts nothing
    gate.resolve();
    await vi.advanceTimersByTimeAsync(10);
    await expect(joined).resolves.toBe(true);
    expect(get("a").maxConcurrentConnects).toBe(1);
    expect(ofType("reconnecting")).toHaveLength(1);
    expect(multi.getServerStatus("a").state).toBe("connected");
  });

  it("K4: the attempt counter carries over between losses unless the connection stayed up for healthy_reset", async () => {
    const { multi, get, ofType } = setup([
      cfg("a", { reconnect: { initial_delay: 1, max_delay: 30, healthy_reset: 60, max_attempts: 8 } }),
    ]);
    await multi.connect();
    const delays = () => ofType("reconnecting").map((e) => [e.attempt, e.delaySeconds]);
    // Loss 1: the first attempt fails, the second succeeds.
    get("a").connectPlan.push(() => Promise.reject(spawnFailed("a")));
    get("a").lose();
    await vi.advanceTimersByTimeAsync(750 + 1500);
    expect(delays()).toEqual([
      [1, 0.75],
      [2, 1.5],
    ]);
    expect(multi.getServerStatus("a").state).toBe("connected");
    // Loss 2, just before healthy_reset: escalation continues.
    await vi.advanceTimersByTimeAsync(59_999);
    get("a").lose();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(delays().at(-1)).toEqual([3, 3]);
    // Loss 3, after exactly healthy_reset of stable connection: back to attempt 1.
    await vi.advanceTimersByTimeAsync(60_000);
    get("a").lose();
    await vi.advanceTimersByTimeAsync(750);
    expect(delays().at(-1)).toEqual([1, 0.75]);
    expect(multi.getServerStatus("a").state).toBe("connected");
  });

  it("gives up after max_attempts (tools removed, event), then the next call starts a fresh cycle", async () => {
    const { multi, get, ofType } = setup([
      cfg("a", { reconnect: { initial_delay: 0.1, max_attempts: 2 } }),
      cfg("b"),
    ]);
    await multi.connect();
    get("a").connectPlan.push(
      () => Promise.reject(spawnFailed("a")),
      () => Promise.reject(spawnFailed("a")),
    );
    get("a").lose();
    await vi.advanceTimersByTimeAsync(75 + 150);
    expect(ofType("reconnectFailed")).toEqual([
      expect.objectContaining({
        server: "a",
        attempts: 2,
        error: expect.objectContaining({ code: "SPAWN_FAILED" }),
      }),
    ]);
    expect(multi.getServerStatus("a")).toMatchObject({
      state: "failed",
      lastError: { code: "SPAWN_FAILED" },
    });
    expect(multi.getAvailableTools()).toEqual(["mcp__b__echo"]);
    expect(ofType("toolsChanged").at(-1)).toMatchObject({ server: "a", removed: ["mcp__a__echo"] });
    // The routed name is still recognised: the call fails fast and kicks a fresh cycle.
    await expect(multi.callTool("mcp__a__echo")).rejects.toMatchObject({
      code: "NOT_CONNECTED",
      serverName: "a",
    });
    expect(multi.getServerStatus("a").state).toBe("reconnecting");
    await vi.advanceTimersByTimeAsync(75);
    expect(multi.getServerStatus("a").state).toBe("connected");
    expect(multi.getAvailableTools()).toEqual(["mcp__a__echo", "mcp__b__echo"]);
  });

  it("is gated by the breaker: while it is open the attempt waits for the recovery time and is the probe", async () => {
    const { multi, get, ofType } = setup([
      cfg("a", {
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 5 },
        reconnect: { initial_delay: 1 },
      }),
    ]);
    await multi.connect();
    get("a").call.mockRejectedValueOnce(timeoutError());
    await expect(multi.callTool("mcp__a__echo")).rejects.toBeInstanceOf(MCPTimeoutError);
    expect(multi.getServerStatus("a").breaker).toBe("open");
    get("a").lose();
    expect(ofType("reconnecting")).toEqual([expect.objectContaining({ delaySeconds: 5 })]);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(get("a").connectCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(get("a").connectCalls).toBe(2);
    expect(multi.getServerStatus("a")).toMatchObject({ state: "connected", breaker: "closed" });
    expect(ofType("breakerStateChange").map((e) => e.to)).toEqual(["open", "half-open", "closed"]);
  });

  it("reconnectFailedServers() also retries servers that failed at start, and skips an open breaker", async () => {
    const { multi, get } = setup([
      cfg("a"),
      cfg("b"),
      cfg("c", { circuit_breaker: { failure_threshold: 1 } }),
    ]);
    get("b").connectPlan.push(() => Promise.reject(spawnFailed("b")));
    get("c").connectPlan.push(() => Promise.reject(spawnFailed("c")));
    await multi.connect();
    expect(multi.getServerStatus("c").breaker).toBe("open");
    const results = await multi.reconnectFailedServers();
    expect(results).toEqual({ b: true, c: false });
    expect(get("c").connectCalls).toBe(1);
    expect(multi.getToolsByServer("b")).toEqual(["mcp__b__echo"]);
  });

  it("the health monitor skips while calls are in flight, and N misses make it unhealthy and reconnect", async () => {
    const { multi, get, ofType } = setup([
      cfg("a", {
        health_check: { interval: 1, timeout: 0.5, max_misses: 2 },
        reconnect: { initial_delay: 1 },
      }),
    ]);
    await multi.connect();
    const gate = deferred<{ content: [] }>();
    get("a").call.mockImplementationOnce(() => gate.promise);
    const slow = multi.callTool("mcp__a__echo", {}, { timeout: 10 });
    await vi.advanceTimersByTimeAsync(3_000);
    expect(get("a").ping).not.toHaveBeenCalled();
    gate.resolve({ content: [] });
    await slow;
    get("a").ping.mockResolvedValue(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(get("a").ping).toHaveBeenCalledTimes(1);
    expect(multi.getServerStatus("a")).toMatchObject({ health: "unknown", healthMisses: 1 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ofType("healthChange")).toEqual([expect.objectContaining({ health: "unhealthy", misses: 2 })]);
    expect(multi.getServerStatus("a").state).toBe("reconnecting");
    get("a").ping.mockResolvedValue(true);
    await vi.advanceTimersByTimeAsync(750);
    expect(get("a").disconnectCalls).toBeGreaterThanOrEqual(1);
    expect(multi.getServerStatus("a")).toMatchObject({ state: "connected", health: "unknown" });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(multi.getServerStatus("a").health).toBe("healthy");
  });

  it("healthCheckAll pings every connected server; others are false without being contacted", async () => {
    const { multi, get } = setup([cfg("a"), cfg("b")]);
    get("b").connectPlan.push(() => Promise.reject(spawnFailed("b")));
    await multi.connect();
    await expect(multi.healthCheckAll({ timeout: 2 })).resolves.toEqual({ a: true, b: false });
    expect(get("b").ping).not.toHaveBeenCalled();
    get("a").ping.mockResolvedValue(false);
    await expect(multi.healthCheckAll()).resolves.toEqual({ a: false, b: false });
  });

  it("disconnect() stops monitors and loops, leaves no timer, is idempotent, and connect/disconnect cycles repeat", async () => {
    const { multi, get } = setup([cfg("a", { health_check: { interval: 1 } }), cfg("b")], {
      healthCheck: true,
    });
    for (let cycle = 0; cycle < 3; cycle++) {
      await multi.connect();
      expect(multi.getAvailableTools()).toHaveLength(2);
      get("b").lose(); // a reconnect loop is waiting
      await multi.disconnect();
      await multi.disconnect();
      expect(vi.getTimerCount()).toBe(0);
      expect(multi.getAvailableTools()).toEqual([]);
      expect(multi.getServerStatus("a").state).toBe("disconnected");
      await expect(multi.callTool("mcp__a__echo")).rejects.toMatchObject({
        code: "NOT_CONNECTED",
        message: expect.stringContaining("Call connect() first"),
      });
    }
    expect(get("b").connectCalls).toBe(3);
  });
});

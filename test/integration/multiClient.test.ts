// MultiMCPClient with real servers (the demo server and the stdio fault fixture): parallel connect,
// reconnects, the breaker, the fault-matrix multi-server rows (#27, #28, #30, #31) and lifecycle races
// of disconnect() and reconnectServer(). Real timers with shrunk options; every wait is on an event,
// bounded by a deadline. After every test every server pid the client ever had, and its children,
// must be gone.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { afterEach, describe, expect, it, vi } from "vitest";

import type { MCPError } from "../../src/errors/errors.js";
import { MCPCircuitOpenError, MCPConnectionError, MCPTimeoutError } from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import type { Clock, ClockTimer } from "../../src/resilience/clock.js";
import { systemClock } from "../../src/resilience/clock.js";
import { elapsed } from "../helpers/async.js";
import { nextEvent } from "../helpers/multiEvents.js";
import { isAlive, liveChildrenOf, readPid } from "../helpers/processes.js";
import { DEMO_SERVER, demoStdio, FAULT_SERVER, faultStdio } from "../helpers/servers.js";
import { stdioTracking } from "../helpers/stdio.js";

const { pids, trackMulti, scratch, cleanUp } = stdioTracking();
afterEach(cleanUp);
afterEach(() => {
  vi.restoreAllMocks();
});

function text(result: { content?: unknown }): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content.map((c) => c.text ?? "").join("");
}

/** tools/call requests the fault fixture received (LOG_FILE). */
function toolCallsIn(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { method?: string; params?: { name?: string } })
    .filter((m) => m.method === "tools/call")
    .map((m) => m.params?.name ?? "");
}

describe("MultiMCPClient with real servers", () => {
  it("connects healthy, crashing and hanging servers in parallel: partial success, bounded time, routing", async () => {
    const grandchildPidFile = join(scratch(), "grandchild.pid");
    const HANG_TIMEOUT_S = 1;
    const multi = trackMulti(
      new MultiMCPClient([
        demoStdio({ name: "demo" }),
        faultStdio("crash-on-call", { name: "crashy" }),
        faultStdio("spawn-grandchild", { name: "wrapper", fixtureEnv: { PID_FILE: grandchildPidFile } }),
        faultStdio("hang-init", { name: "hang1", connect_timeout: HANG_TIMEOUT_S }),
        faultStdio("hang-init", { name: "hang2", connect_timeout: HANG_TIMEOUT_S }),
        faultStdio("hang-init", { name: "hang3", connect_timeout: HANG_TIMEOUT_S }),
      ]),
    );
    const started = performance.now();
    const summary = await multi.connect();
    const elapsed = performance.now() - started;
    pids.add(readPid(grandchildPidFile));

    expect(summary.connected).toEqual(["demo", "crashy", "wrapper"]);
    expect(summary.failed).toEqual(["hang1", "hang2", "hang3"]);
    for (const name of ["hang1", "hang2", "hang3"]) {
      expect(summary.servers[name]?.error).toMatchObject({ code: "INITIALIZE_TIMEOUT", serverName: name });
    }
    // In parallel: about one hang timeout (plus its teardown), far from the 3 s the three would take in turn.
    expect(elapsed).toBeGreaterThanOrEqual(HANG_TIMEOUT_S * 1000 - 20);
    expect(elapsed).toBeLessThan(3 * HANG_TIMEOUT_S * 1000 - 500);

    // Routing through the table: tools, resources (static and template), prompts.
    expect(text(await multi.callTool("mcp__demo__echo", { message: "hi" }))).toBe("Echo: hi");
    expect(text(await multi.callTool("mcp__wrapper__echo", { message: "deep" }))).toBe("Echo: deep");
    const readme = await multi.getResource("demo://readme");
    expect(readme.contents[0]?.uri).toBe("demo://readme");
    const fixture = await multi.getResource("fixture://a");
    expect(fixture.contents[0]).toMatchObject({ text: "fixture resource a" });
    const note = await multi.getResource("demo://notes/7");
    expect(note.contents[0]?.uri).toBe("demo://notes/7");
    const prompt = await multi.getPrompt("mcp__crashy__p", { topic: "routing" });
    expect(prompt.messages[0]?.content).toMatchObject({ text: "Prompt p about routing" });
    await expect(multi.callTool("mcp__demo__ecko")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining('Did you mean "mcp__demo__echo"'),
    });

    // One server crashing (any tools/call crashes it) never rejects a call to another.
    const slow = multi.callTool("mcp__demo__slow_task", { seconds: 0.3, steps: 3 });
    const crash = multi.callTool("mcp__crashy__crash").catch((e: unknown) => e);
    const crashError = await crash;
    expect(crashError).toBeInstanceOf(MCPConnectionError);
    expect(crashError).toMatchObject({ code: "PROCESS_EXITED", serverName: "crashy" });
    expect(text(await slow)).toContain("Completed 3 steps");

    await expect(multi.healthCheckAll({ timeout: 5 })).resolves.toMatchObject({
      demo: true,
      wrapper: true,
      hang1: false,
      hang2: false,
      hang3: false,
    });
  });

  it("reconnects a killed server on its own: tools restored, an old handle keeps working", async () => {
    const multi = trackMulti(
      new MultiMCPClient([demoStdio({ name: "demo", reconnect: { initial_delay: 0.05 } })]),
    );
    await multi.connect();
    const handle = multi.tool("mcp__demo__echo");
    const toolsBefore = multi.getAvailableTools();
    const oldPid = multi.getServerStatus("demo").pid!;
    expect(isAlive(oldPid)).toBe(true);

    const reconnecting = nextEvent(multi, "reconnecting");
    const reconnected = nextEvent(multi, "reconnected");
    process.kill(oldPid, "SIGKILL");
    await reconnecting;
    expect(multi.getServerStatus("demo").state).toBe("reconnecting");
    // A call made during the reconnect waits for it (within its own timeout) and is sent once.
    const duringReconnect = handle.call({ message: "waited" }, { timeout: 10 });
    await reconnected;
    expect(text(await duringReconnect)).toBe("Echo: waited");

    const newPid = multi.getServerStatus("demo").pid!;
    pids.add(newPid);
    expect(newPid).not.toBe(oldPid);
    expect(isAlive(oldPid)).toBe(false);
    expect(multi.getAvailableTools()).toEqual(toolsBefore);
    expect(text(await handle.call({ message: "again" }))).toBe("Echo: again");
    expect(text(await multi.callTool("mcp__demo__echo", { message: "by name" }))).toBe("Echo: by name");
    expect(multi.getServerStatus("demo")).toMatchObject({ state: "connected", breaker: "closed" });
  });

  it("opens the breaker after repeated timeouts (nothing sent while open) and recovers after recovery_timeout", async () => {
    const log = join(scratch(), "stdin.log");
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", {
          name: "flaky",
          fixtureEnv: { LOG_FILE: log },
          circuit_breaker: { failure_threshold: 2, recovery_timeout: 0.4 },
        }),
      ]),
    );
    await multi.connect();
    const transitions: string[] = [];
    multi.on("breakerStateChange", (change) => transitions.push(`${change.from}→${change.to}`));

    for (let i = 0; i < 2; i++) {
      await expect(
        multi.callTool("mcp__flaky__slow", { ms: 5_000 }, { timeout: 0.2 }),
      ).rejects.toBeInstanceOf(MCPTimeoutError);
    }
    expect(multi.getServerStatus("flaky")).toMatchObject({ breaker: "open" });
    const refused = await multi.callTool("mcp__flaky__echo", { message: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MCPCircuitOpenError);
    expect((refused as MCPCircuitOpenError).retryAfter).toBeGreaterThan(0);
    expect((refused as MCPCircuitOpenError).retryAfter).toBeLessThanOrEqual(0.4);
    expect((refused as Error).cause).toMatchObject({ code: "REQUEST_TIMEOUT" });
    // The fixture logs every line before handling it; the echo never reached it.
    expect(await multi.healthCheckAll()).toEqual({ flaky: false }); // refused, not sent either
    expect(toolCallsIn(log)).toEqual(["slow", "slow"]);

    // The breaker is lazy (no timer): the recovery time itself is what this waits out.
    await new Promise((resolve) =>
      setTimeout(resolve, multi.getServerStatus("flaky").retryAfter * 1000 + 20),
    );
    expect(multi.getServerStatus("flaky").breaker).toBe("half-open");
    expect(text(await multi.callTool("mcp__flaky__echo", { message: "probe" }))).toBe("Echo: probe");
    expect(multi.getServerStatus("flaky")).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
    expect(transitions).toEqual(["closed→open", "open→half-open", "half-open→closed"]);
    expect(toolCallsIn(log)).toEqual(["slow", "slow", "echo"]);
  });

  it("reconnectFailedServers() brings back a server that failed at start", async () => {
    const missingDir = join(scratch(), "later");
    const multi = trackMulti(
      new MultiMCPClient({
        mcpServers: {
          demo: demoStdio(),
          late: demoStdio({ cwd: missingDir }),
        },
      }),
    );
    const summary = await multi.connect();
    expect(summary.failed).toEqual(["late"]);
    expect(summary.servers.late?.error).toMatchObject({ code: "SPAWN_FAILED" });
    expect(multi.getToolsByServer("late")).toEqual([]);
    await expect(multi.reconnectFailedServers({ maxRetries: 1 })).resolves.toEqual({ late: false });

    mkdirSync(missingDir);
    await expect(multi.reconnectFailedServers()).resolves.toEqual({ late: true });
    expect(multi.getServerStatus("late")).toMatchObject({ state: "connected", lastError: undefined });
    pids.add(multi.getServerStatus("late").pid!);
    expect(text(await multi.callTool("mcp__late__echo", { message: "back" }))).toBe("Echo: back");
  });

  it("repeats connect/disconnect cycles without leaking a process", async () => {
    const multi = trackMulti(new MultiMCPClient([demoStdio({ name: "a" }), faultStdio("ok", { name: "b" })]));
    for (let cycle = 0; cycle < 2; cycle++) {
      await multi.connect();
      const cyclePids = multi.serverNames.map((name) => multi.getServerStatus(name).pid!);
      expect(cyclePids.every((pid) => isAlive(pid))).toBe(true);
      await multi[Symbol.asyncDispose]();
      for (const pid of cyclePids) expect(isAlive(pid)).toBe(false);
      expect(multi.isConnected()).toBe(false);
    }
  });
});

/** The grace every fault fixture gets here (faultStdio's shutdown_grace of 0.2 s). */
const GRACE_MS = 200;

describe("multi-server rows", () => {
  it("#27 partial failure: per-server outcomes, ≈ max of the init timeouts, A usable before C times out, B and C gone", async () => {
    const dir = scratch();
    const pidOf = (name: string) => readPid(join(dir, `${name}.pid`));
    const HANG_S = 0.8;
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", { name: "a", fixtureEnv: { PID_FILE: join(dir, "a.pid") } }),
        faultStdio("exit-immediately:1", { name: "b", fixtureEnv: { PID_FILE: join(dir, "b.pid") } }),
        faultStdio("hang-init", {
          name: "c",
          connect_timeout: HANG_S,
          fixtureEnv: { PID_FILE: join(dir, "c.pid") },
        }),
        faultStdio("hang-init", {
          name: "d",
          connect_timeout: HANG_S,
          fixtureEnv: { PID_FILE: join(dir, "d.pid") },
        }),
      ]),
    );
    const started = performance.now();
    let settled = false;
    // While c and d still hang, a's own client already answers.
    const early = nextEvent(multi, "connected", (e) => e.server === "a").then(async () => {
      const result = await multi.getClient("a").callTool("echo", { message: "early" });
      return { text: text(result), at: performance.now() - started, whileConnecting: !settled };
    });
    const summary = await multi.connect().finally(() => {
      settled = true;
    });
    const ms = performance.now() - started;
    expect(await early).toEqual({ text: "Echo: early", at: expect.any(Number), whileConnecting: true });
    expect((await early).at).toBeLessThan(HANG_S * 1000);
    expect(summary.connected).toEqual(["a"]);
    expect(summary.failed).toEqual(["b", "c", "d"]);
    expect(summary.servers.b?.error).toMatchObject({ code: "PROCESS_EXITED", serverName: "b" });
    expect(summary.servers.c?.error).toMatchObject({ code: "INITIALIZE_TIMEOUT", serverName: "c" });
    expect(summary.servers.d?.error).toMatchObject({ code: "INITIALIZE_TIMEOUT", serverName: "d" });
    // In parallel: about one hang timeout, not the sum of the two.
    expect(ms).toBeGreaterThanOrEqual(HANG_S * 1000 - 20);
    expect(ms).toBeLessThan(2 * HANG_S * 1000 - 100);
    for (const name of ["b", "c", "d"]) expect(isAlive(pidOf(name)), name).toBe(false);
    expect(isAlive(pidOf("a"))).toBe(true);
    expect(multi.getAvailableTools()).toContain("mcp__a__echo");
    expect(text(await multi.callTool("mcp__a__echo", { message: "routed" }))).toBe("Echo: routed");
  });

  it("#27 strict: rejects with one error aggregating every failure, after closing what it started", async () => {
    const dir = scratch();
    const pidOf = (name: string) => readPid(join(dir, `${name}.pid`));
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", { name: "a", fixtureEnv: { PID_FILE: join(dir, "a.pid") } }),
        faultStdio("exit-immediately:1", { name: "b", fixtureEnv: { PID_FILE: join(dir, "b.pid") } }),
        faultStdio("hang-init", {
          name: "c",
          connect_timeout: 0.5,
          fixtureEnv: { PID_FILE: join(dir, "c.pid") },
        }),
      ]),
    );
    const { ms, value } = await elapsed(() => multi.connect({ strict: true }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    const error = value as MCPConnectionError;
    expect(error).toMatchObject({
      code: "NOT_CONNECTED",
      context: { servers: { a: "connected", b: "PROCESS_EXITED", c: "INITIALIZE_TIMEOUT" }, closed: ["a"] },
    });
    expect(error.message).toContain("2 of 3");
    expect(error.message).toContain("b:");
    expect(error.message).toContain("c:");
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors.map((e: MCPError) => [e.serverName, e.code])).toEqual([
      ["b", "PROCESS_EXITED"],
      ["c", "INITIALIZE_TIMEOUT"],
    ]);
    expect(ms).toBeLessThan(500 + 1500);
    for (const name of ["a", "b", "c"]) expect(isAlive(pidOf(name)), name).toBe(false);
    expect(multi.getServerStatus("a").state).toBe("disconnected");
    expect(multi.isConnected()).toBe(false);
    expect(multi.getAvailableTools()).toEqual([]);
    await expect(multi.callTool("mcp__a__echo")).rejects.toMatchObject({
      code: "NOT_CONNECTED",
      message: expect.stringContaining("Call connect() first"),
    });
  });

  it("#28 disconnect with A ok, B ignoring SIGTERM, C already dead: all attempted, ≈ 2·grace, every pid gone", async () => {
    const dir = scratch();
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", { name: "a", fixtureEnv: { PID_FILE: join(dir, "a.pid") } }),
        faultStdio("ignore-sigterm", { name: "b", fixtureEnv: { PID_FILE: join(dir, "b.pid") } }),
        faultStdio("ok", {
          name: "c",
          reconnect: { enabled: false },
          fixtureEnv: { PID_FILE: join(dir, "c.pid") },
        }),
      ]),
    );
    await multi.connect();
    const [a, b, c] = ["a", "b", "c"].map((name) => readPid(join(dir, `${name}.pid`)));
    const lost = nextEvent(multi, "error", (e) => e.server === "c" && e.lost);
    process.kill(c!, "SIGKILL");
    expect(await lost).toMatchObject({ error: { code: "PROCESS_EXITED" } });
    const bSignals: string[] = [];
    multi.on("stderr", (event) => {
      if (event.server === "b" && event.message.startsWith("fixture: ignoring")) bSignals.push(event.message);
    });
    const { ms, value } = await elapsed(() => multi.disconnect());
    expect(value).toBeUndefined();
    // b needs both steps (stdin EOF, then SIGTERM, each one grace) before SIGKILL; the others are quicker.
    expect(ms).toBeGreaterThanOrEqual(2 * GRACE_MS - 30);
    expect(ms).toBeLessThan(2 * GRACE_MS + 800);
    expect(bSignals).toContain("fixture: ignoring SIGTERM");
    for (const pid of [a!, b!, c!]) expect(isAlive(pid)).toBe(false);
    expect(Object.values(multi.getAllServerStatus()).map((s) => s.state)).toEqual([
      "disconnected",
      "disconnected",
      "disconnected",
    ]);
    await multi.disconnect();
  });

  it("#30 crash loop: delays grow and cap, finite attempts end in failed with PROCESS_EXITED, one child at a time, reconnect restarts", async () => {
    // Half jitter with random 0.5: delay n = 0.75 × min(80, 20 × 2^n) ms.
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const environment: Record<string, string> = { FIXTURE_MODE: "ok" };
    const multi = trackMulti(
      new MultiMCPClient(
        [
          faultStdio("${FIXTURE_MODE}", {
            name: "loop",
            circuit_breaker: { failure_threshold: 100 },
            reconnect: { initial_delay: 0.02, max_delay: 0.08, max_attempts: 5 },
          }),
        ],
        { environment },
      ),
    );
    await multi.connect();
    // At most one live server process at any moment (single flight), sampled throughout.
    let most = 0;
    const sample = () => {
      most = Math.max(most, liveChildrenOf(process.pid).length);
    };
    const sampler = setInterval(sample, 2);
    const reconnecting: Array<[number, number]> = [];
    multi.on("reconnecting", (e) => reconnecting.push([e.attempt, e.delaySeconds]));
    multi.on("connecting", sample);
    try {
      environment.FIXTURE_MODE = "exit-after-init";
      const gaveUp = nextEvent(multi, "reconnectFailed");
      const started = performance.now();
      process.kill(multi.getServerStatus("loop").pid!, "SIGKILL");
      const failure = await gaveUp;
      const cycleMs = performance.now() - started;
      expect(reconnecting).toEqual([
        [1, 0.015],
        [2, 0.03],
        [3, 0.06],
        [4, 0.06],
        [5, 0.06],
      ]);
      expect(cycleMs).toBeGreaterThanOrEqual(15 + 30 + 60 * 3 - 10);
      expect(failure).toMatchObject({ server: "loop", attempts: 5, error: { code: "PROCESS_EXITED" } });
      expect((failure.error as MCPConnectionError).process?.stderrTail).toContain("exiting after initialize");
      expect(multi.getServerStatus("loop")).toMatchObject({
        state: "failed",
        reconnectAttempts: 5,
        lastError: { code: "PROCESS_EXITED" },
      });
      expect(multi.getAvailableTools()).toEqual([]);

      // An explicit reconnect starts a fresh cycle at attempt 1 (immediately), still single flight.
      reconnecting.length = 0;
      expect(await multi.reconnectServer("loop", { maxRetries: 2, retryDelay: 0.02 })).toBe(false);
      expect(reconnecting.map(([attempt]) => attempt)).toEqual([1, 2]);
      expect(reconnecting[0]![1]).toBe(0);
      environment.FIXTURE_MODE = "ok";
      reconnecting.length = 0;
      expect(await multi.reconnectServer("loop")).toBe(true);
      expect(reconnecting).toEqual([[1, 0]]);
      expect(text(await multi.callTool("mcp__loop__echo", { message: "back" }))).toBe("Echo: back");
    } finally {
      clearInterval(sampler);
    }
    expect(most).toBe(1);
  });

  it("#31 health check: ping starts hanging → unhealthy after max_misses → reconnect → ready; timers unref'd, none left", async () => {
    const clock = recordingClock();
    const multi = trackMulti(
      new MultiMCPClient(
        [
          faultStdio("ping-hang-after:2", {
            name: "h",
            health_check: { interval: 0.05, timeout: 0.1, max_misses: 2 },
            reconnect: { initial_delay: 0.02 },
          }),
        ],
        { clock },
      ),
    );
    const health: string[] = [];
    multi.on("healthChange", (e) => health.push(`${e.health}:${e.misses}`));
    const reconnected = nextEvent(multi, "reconnected", (e) => e.server === "h");
    await multi.connect();
    const firstPid = multi.getServerStatus("h").pid!;
    const unhealthy = nextEvent(multi, "healthChange", (e) => e.health === "unhealthy");
    expect(await unhealthy).toMatchObject({ server: "h", misses: 2 });
    expect(health.slice(0, 2)).toEqual(["healthy:0", "unhealthy:2"]);
    expect(await reconnected).toMatchObject({ server: "h", attempt: 1 });
    expect(multi.getServerStatus("h")).toMatchObject({ state: "connected", health: "unknown" });
    const secondPid = multi.getServerStatus("h").pid!;
    expect(secondPid).not.toBe(firstPid);
    expect(isAlive(firstPid)).toBe(false);
    // No call was made so far: the health monitor's timers are unref'd; the one reconnect backoff
    // wait (half jitter of 20 ms) is not, since a caller may be awaiting the reconnect.
    expect(clock.created.length).toBeGreaterThan(4);
    const kept = clock.created.filter((t) => !t.unref);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.ms).toBeGreaterThanOrEqual(10);
    expect(kept[0]!.ms).toBeLessThanOrEqual(20);
    expect(text(await multi.callTool("mcp__h__echo", { message: "after" }))).toBe("Echo: after");
    await multi.disconnect();
    expect(clock.live()).toBe(0);
  });
});

/** A Clock over the real one that records every timer it hands out (its delay and unref flag). */
function recordingClock(): Clock & {
  created: Array<{ ms: number; unref: boolean }>;
  live: () => number;
} {
  const pending = new Set<ClockTimer>();
  const created: Array<{ ms: number; unref: boolean }> = [];
  return {
    created,
    live: () => pending.size,
    now: () => systemClock.now(),
    setTimeout(callback, ms, options) {
      created.push({ ms, unref: options?.unref === true });
      const timer = systemClock.setTimeout(
        () => {
          pending.delete(timer);
          callback();
        },
        ms,
        options,
      );
      pending.add(timer);
      return timer;
    },
    clearTimeout(timer) {
      if (timer !== undefined) pending.delete(timer);
      systemClock.clearTimeout(timer);
    },
  };
}

/** Runs an ES module script with this Node; resolves with its exit code and output (bounded). */
function runScript(
  source: string,
  ms = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", source],
      { timeout: ms, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        resolvePromise({ code: typeof code === "number" ? code : null, stdout, stderr });
      },
    );
  });
}

describe("MultiMCPClient lifecycle with real servers", () => {
  it("disconnect() during a reconnect attempt's close leaves no server running (no new server is started)", async () => {
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ping-hang-after:1,ignore-sigterm", {
          name: "stuck",
          health_check: { interval: 0.2, timeout: 0.2, max_misses: 1 },
          reconnect: { initial_delay: 0.05 },
        }),
      ]),
    );
    const closing = new Promise<void>((resolveClosing) => {
      // The reconnect attempt closes the old server first; with ignore-sigterm that takes the grace twice.
      multi.on("reconnecting", () => {
        const off = multi.on("stateChange", ({ to }) => {
          if (to !== "disconnecting") return;
          off();
          resolveClosing();
        });
      });
    });
    await multi.connect();
    const firstPid = multi.getServerStatus("stuck").pid!;
    await closing;
    expect(multi.getServerStatus("stuck").state).toBe("reconnecting");
    await multi.disconnect();

    expect(isAlive(firstPid)).toBe(false);
    expect([...pids]).toEqual([firstPid]); // the attempt never started a second server
    expect(multi.getClient("stuck").isConnected()).toBe(false);
    expect(multi.getServerStatus("stuck").state).toBe("disconnected");
  });

  it("a script awaiting reconnectServer() gets its answer: the backoff wait keeps Node alive", async () => {
    const index = pathToFileURL(resolve(DEMO_SERVER, "../../index.js")).href;
    const config = {
      name: "fault",
      type: "stdio",
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { MODE: "exit-immediately:1" },
      retry_delay: 0.3,
      max_retries: 2,
    };
    const result = await runScript(`
      import { MultiMCPClient } from ${JSON.stringify(index)};
      const multi = new MultiMCPClient([${JSON.stringify(config)}]);
      const attempts = [];
      multi.on("reconnecting", (e) => attempts.push(e.attempt));
      const ok = await multi.reconnectServer("fault");
      console.log("settled", ok, attempts.join(","));
      await multi.disconnect();
    `);
    expect(result.stdout.trim()).toBe("settled false 1,2");
    expect(result.code).toBe(0);
  });
});

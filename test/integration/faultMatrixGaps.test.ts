// Rows of the fault matrix (fault-matrix §7.2, §7.3) that the other suites leave open or cover only in
// part, against real processes (the stdio fault fixture and the demo server). Real timers with shrunk
// options; every wait is on an event, a settled promise or a line the fixture logged, bounded by a
// deadline. After every test each client is disconnected and each pid a server ever had must be gone.
import { getEventListeners } from "node:events";
import { join } from "node:path";
import { inspect } from "node:util";

import { afterEach, describe, expect, it, vi } from "vitest";

import type { StatusEvent } from "../../src/client/events.js";
import { MCPClient } from "../../src/client/mcpClient.js";
import type { MCPError } from "../../src/errors/errors.js";
import {
  MCPCancelledError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPTimeoutError,
  MCPValidationError,
} from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import type { Clock, ClockTimer } from "../../src/resilience/clock.js";
import { systemClock } from "../../src/resilience/clock.js";
import { elapsed } from "../helpers/async.js";
import { cancellations, toolCalls } from "../helpers/faultLog.js";
import { nextEvent } from "../helpers/multiEvents.js";
import { isAlive, liveChildrenOf, readPid } from "../helpers/processes.js";
import { faultStdio, tempDir } from "../helpers/servers.js";

const clients: MCPClient[] = [];
const multis: MultiMCPClient[] = [];
const pids = new Set<number>();
const cleanups: Array<() => void> = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const client of clients) {
    const pid = client.getDiagnostics().pid;
    if (pid !== undefined) pids.add(pid);
  }
  await Promise.all([
    ...clients.splice(0).map((client) => client.disconnect()),
    ...multis.splice(0).map((multi) => multi.disconnect()),
  ]);
  for (const pid of pids) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  pids.clear();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function track(client: MCPClient): MCPClient {
  clients.push(client);
  return client;
}

/** Tracks a MultiMCPClient and records the pid of every server process it ever starts. */
function trackMulti(multi: MultiMCPClient): MultiMCPClient {
  multis.push(multi);
  multi.on("connected", (event) => {
    const pid = multi.getServerStatus(event.server).pid;
    if (pid !== undefined) pids.add(pid);
  });
  return multi;
}

function scratch(): string {
  const dir = tempDir("mcp-tools-matrix-");
  cleanups.push(dir.cleanup);
  return dir.path;
}

function text(result: { content?: unknown }): string {
  return (result.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("");
}

/** The grace every fault fixture gets here (faultStdio's shutdown_grace of 0.2 s). */
const GRACE_MS = 200;

describe("stdio rows: bounds and leftovers the stdio suite does not assert", () => {
  it("#1 command not found (allowed by policy): SPAWN_FAILED naming the command with the PATH hint, fast, no retry loop", async () => {
    const events: string[] = [];
    const multi = trackMulti(
      new MultiMCPClient(
        [
          faultStdio("ok", { name: "a" }),
          {
            name: "missing",
            command: "definitely-not-a-cmd",
            security: { allowed_executables: ["definitely-not-a-cmd"] },
          },
        ],
        { onStatus: (event) => events.push(`${event.type}:${"server" in event ? event.server : ""}`) },
      ),
    );
    const { ms, value } = await elapsed(() => multi.connect());
    expect(ms).toBeLessThan(1000 + 1000); // a's own start included
    const error = (value as { servers: Record<string, { error?: MCPError }> }).servers.missing?.error;
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "SPAWN_FAILED", serverName: "missing" });
    expect((error?.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(error?.message).toContain('"definitely-not-a-cmd"');
    expect(error?.message).toContain("PATH");
    expect(error?.message).toContain("Windows");
    expect(multi.getServerStatus("missing")).toMatchObject({
      state: "failed",
      reconnectAttempts: 0,
      pid: undefined,
      // Decision (docs/fault-matrix.md): a spawn failure counts for the breaker.
      consecutiveFailures: 1,
    });
    // A failed start is not retried in the background: only reconnectFailedServers() (or connect()) does.
    expect(events.filter((e) => e.startsWith("reconnecting:"))).toEqual([]);
    await expect(multi.callTool("mcp__missing__echo")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(multi.getServerStatus("missing").state).toBe("failed");
  });

  it("#3 exits immediately: rejects within ~100 ms of the exit, the pid is gone, the breaker counts a failure", async () => {
    const dir = scratch();
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", { name: "a" }),
        faultStdio("exit-immediately:1", {
          name: "b",
          fixtureEnv: { PID_FILE: join(dir, "b.pid"), EXIT_REASON: "no API key" },
        }),
      ]),
    );
    let exitedAt: number | undefined;
    let failedAt: number | undefined;
    multi.on("stderr", (event) => {
      if (event.server === "b" && event.message.includes("refusing to start")) exitedAt = performance.now();
    });
    multi.on("error", (event) => {
      if (event.server === "b" && !event.lost) failedAt = performance.now();
    });
    const summary = await multi.connect();
    expect(summary.servers.b?.error).toBeInstanceOf(MCPConnectionError);
    expect(summary.servers.b?.error).toMatchObject({
      code: "PROCESS_EXITED",
      serverName: "b",
      process: { exitCode: 1 },
    });
    expect((summary.servers.b?.error as MCPConnectionError).process?.stderrTail).toContain("no API key");
    // The fixture writes its reason right before it exits: the rejection follows the exit, not a timeout.
    expect(exitedAt).toBeDefined();
    expect(failedAt! - exitedAt!).toBeLessThan(400);
    expect(isAlive(readPid(join(dir, "b.pid")))).toBe(false);
    expect(multi.getServerStatus("b")).toMatchObject({ state: "failed", consecutiveFailures: 1 });
    expect(multi.getServerStatus("a")).toMatchObject({ state: "connected", consecutiveFailures: 0 });
  });

  it("#4 never answers initialize: the child is gone by the time connect rejects, within initTimeout + 2·grace", async () => {
    const dir = scratch();
    const pidFile = join(dir, "pid");
    const client = track(
      new MCPClient(faultStdio("hang-init", { connect_timeout: 0.3, fixtureEnv: { PID_FILE: pidFile } })),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPTimeoutError);
    expect(value).toMatchObject({ code: "INITIALIZE_TIMEOUT", serverName: "fault" });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(300 + 2 * GRACE_MS + 600);
    expect(isAlive(readPid(pidFile))).toBe(false);
    expect(client.state).toBe("failed");
  });

  it("#9 JSON that is not JSON-RPC: a protocol-error warning; the malformed answer fails only its call", async () => {
    const client = track(new MCPClient(faultStdio("invalid-jsonrpc")));
    const warnings: Array<{ kind: string; message: string }> = [];
    client.on("warning", (warning) => warnings.push(warning));
    await client.connect();
    const [bad, good] = await Promise.allSettled([
      client.callTool("bad", {}),
      client.callTool("echo", { message: "unaffected" }),
    ]);
    expect(bad.status).toBe("rejected");
    expect((bad as PromiseRejectedResult).reason).toMatchObject({
      code: "PROTOCOL_ERROR",
      serverName: "fault",
    });
    expect(good.status === "fulfilled" && text(good.value)).toBe("Echo: unaffected");
    expect(warnings).toEqual([
      expect.objectContaining({
        kind: "protocol-error",
        message: expect.stringContaining("invalid JSON-RPC"),
      }),
    ]);
    expect(client.isConnected()).toBe(true);
  });

  it("#13 progress: completes below maxTotalTimeout, REQUEST_TIMEOUT at maxTotalTimeout, a token on every request", async () => {
    const log = join(scratch(), "stdin.log");
    const client = track(
      await MCPClient.createAndConnect(faultStdio("ok", { fixtureEnv: { LOG_FILE: log } })),
    );
    // Four steps 100 ms apart outlive a 250 ms timeout only because every step restarts it.
    const steps: number[] = [];
    const done = await client.callTool(
      "progress",
      { steps: 4, intervalMs: 100 },
      {
        timeout: 0.25,
        onProgress: (p) => steps.push(p.progress),
        resetTimeoutOnProgress: true,
        maxTotalTimeout: 2,
      },
    );
    expect(text(done)).toBe("progress done 4");
    expect(steps).toEqual([1, 2, 3, 4]);
    // The other side: without the reset the same call times out at its own timeout.
    const plain = await elapsed(() =>
      client.callTool(
        "progress",
        { steps: 4, intervalMs: 100 },
        { timeout: 0.25, onProgress: () => undefined },
      ),
    );
    expect(plain.value).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutSeconds: 0.25 });
    expect(plain.ms).toBeLessThan(390);
    // Progress forever: the hard bound ends it at maxTotalTimeout.
    let updates = 0;
    const bounded = await elapsed(() =>
      client.callTool(
        "progress",
        { steps: 50, intervalMs: 100 },
        { timeout: 0.25, onProgress: () => updates++, resetTimeoutOnProgress: true, maxTotalTimeout: 0.8 },
      ),
    );
    expect(bounded.value).toBeInstanceOf(MCPTimeoutError);
    expect(bounded.value).toMatchObject({
      code: "REQUEST_TIMEOUT",
      timeoutSeconds: 0.8,
      operation: 'tools/call "progress"',
    });
    expect((bounded.value as Error).message).toContain("maxTotalTimeout of 0.8 s");
    expect(bounded.ms).toBeGreaterThanOrEqual(790);
    expect(bounded.ms).toBeLessThan(1300);
    expect(updates).toBeGreaterThanOrEqual(5);
    await client.callTool("echo", { message: "sync" });
    const progressCalls = toolCalls(log).filter((m) => m.params?.name === "progress");
    expect(progressCalls).toHaveLength(3);
    for (const call of progressCalls) expect(call.params?._meta?.progressToken).toEqual(expect.any(String));
    expect(client.isConnected()).toBe(true);
  });

  it("#12 + P4: a timeout cancels that request id and counts once; policy refusals send nothing and are neutral", async () => {
    const log = join(scratch(), "stdin.log");
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", {
          name: "f",
          exclude_tools: ["crash"],
          circuit_breaker: { failure_threshold: 3 },
          fixtureEnv: { LOG_FILE: log },
        }),
      ]),
    );
    await multi.connect();

    // #12: REQUEST_TIMEOUT, the fixture is told to cancel exactly that request, one breaker failure.
    const timeout = await multi
      .callTool("mcp__f__slow", { ms: 5_000 }, { timeout: 0.15 })
      .catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(MCPTimeoutError);
    expect(timeout).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutSeconds: 0.15, serverName: "f" });
    expect(multi.getServerStatus("f")).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    await multi.getClient("f").healthCheck(); // answered after the cancellation: the fixture has read it
    const slowCall = toolCalls(log).find((m) => m.params?.name === "slow")!;
    expect(cancellations(log).map((m) => m.params?.requestId)).toEqual([slowCall.id]);

    // P4: arguments over max_size → POLICY_VIOLATION before anything is sent; the value is not echoed.
    const pad = ["p".repeat(6_000), "q".repeat(6_000)];
    const sentBefore = toolCalls(log).length;
    const refused = await multi.callTool("mcp__f__echo", { message: "x", pad }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MCPValidationError);
    expect(refused).toMatchObject({ code: "POLICY_VIOLATION", rule: "toolArgs.size", serverName: "f" });
    expect((refused as Error).message).not.toContain("pppppppp");
    // P4: a tool on the deny list (exclude_tools) is invisible: NOT_FOUND, nothing sent.
    await expect(multi.callTool("mcp__f__crash")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(multi.getClient("f").callTool("crash")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await multi.getClient("f").healthCheck();
    expect(toolCalls(log)).toHaveLength(sentBefore);
    // Neutral: the failure count is neither raised nor reset by refusals…
    expect(multi.getServerStatus("f")).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    // …while an answer does reset it (so the assertion above could have failed).
    expect(text(await multi.callTool("mcp__f__echo", { message: "ok" }))).toBe("Echo: ok");
    expect(multi.getServerStatus("f").consecutiveFailures).toBe(0);
  });

  it("#14 caller abort: REQUEST_CANCELLED, the cancellation is sent for that id, breaker-neutral, no listener growth over 1 000 calls", async () => {
    const log = join(scratch(), "stdin.log");
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", {
          name: "f",
          circuit_breaker: { failure_threshold: 3 },
          fixtureEnv: { LOG_FILE: log },
        }),
      ]),
    );
    await multi.connect();
    await expect(multi.callTool("mcp__f__slow", { ms: 5_000 }, { timeout: 0.1 })).rejects.toBeInstanceOf(
      MCPTimeoutError,
    );
    expect(multi.getServerStatus("f").consecutiveFailures).toBe(1);

    // Aborted mid-call: the first progress update proves the request reached the server.
    const controller = new AbortController();
    const aborted = await multi
      .callTool(
        "mcp__f__progress",
        { steps: 50, intervalMs: 20 },
        { signal: controller.signal, onProgress: () => controller.abort("user pressed stop"), timeout: 10 },
      )
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(MCPCancelledError);
    expect(aborted).not.toBeInstanceOf(MCPTimeoutError);
    expect(aborted).toMatchObject({ code: "REQUEST_CANCELLED", serverName: "f" });
    expect(multi.getServerStatus("f")).toMatchObject({
      state: "connected",
      breaker: "closed",
      consecutiveFailures: 1,
    });
    // The same for a call without progress: the ping answered after it proves the fixture has read it.
    const plainController = new AbortController();
    const plain = multi
      .callTool("mcp__f__slow", { ms: 5_000 }, { signal: plainController.signal, timeout: 10 })
      .catch((e: unknown) => e);
    expect(await multi.getClient("f").healthCheck()).toBe(true);
    plainController.abort();
    expect(await plain).toBeInstanceOf(MCPCancelledError);
    expect(await plain).toMatchObject({ code: "REQUEST_CANCELLED", serverName: "f" });
    expect(multi.getServerStatus("f").consecutiveFailures).toBe(1);
    await multi.getClient("f").healthCheck();
    const progressCall = toolCalls(log).find((m) => m.params?.name === "progress")!;
    const plainCall = toolCalls(log).filter((m) => m.params?.name === "slow")[1]!;
    expect(cancellations(log).map((m) => m.params?.requestId)).toEqual(
      expect.arrayContaining([progressCall.id, plainCall.id]),
    );

    // One signal reused for 1 000 calls: every call removes the listeners it added; the one listener
    // left is the signal's linked internal signal, shared by all calls, that never grows.
    const shared = new AbortController();
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          multi.callTool("mcp__f__echo", { message: `${batch}-${i}` }, { signal: shared.signal }),
        ),
      );
      expect(results).toHaveLength(100);
      expect(getEventListeners(shared.signal, "abort")).toHaveLength(1);
    }
    expect(multi.getServerStatus("f")).toMatchObject({ consecutiveFailures: 0, inFlight: 0, queued: 0 });
  });
});

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

describe("P2: secrets in args and env never reach messages, events or logs", () => {
  const TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ";

  it("a variable outside the env allow-list is refused at construction, naming it but not its value", () => {
    const error = (() => {
      try {
        new MCPClient(
          faultStdio("ok", {
            fixtureEnv: { SECRET_THING: "hunter2-value" },
            security: { env: { mode: "allowlist", allowed_vars: ["MODE"] } },
          }),
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MCPConfigurationError);
    const issues = (error as MCPConfigurationError).issues;
    expect(issues).toEqual([expect.objectContaining({ rule: "env.allowlist", path: "env.SECRET_THING" })]);
    expect((error as Error).message).toContain("SECRET_THING");
    expect(inspect(error, { depth: 10 })).not.toContain("hunter2-value");
  });

  it("a failed spawn with a token in its args: not in the message, the cause, toJSON or any event", async () => {
    const events: StatusEvent[] = [];
    const client = track(
      new MCPClient(
        {
          name: "secretive",
          command: process.execPath,
          args: ["server.js", "--token", TOKEN, `--api-key=${TOKEN}`],
          cwd: join(scratch(), "missing"),
        },
        { onStatus: (event) => events.push(event) },
      ),
    );
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SPAWN_FAILED", serverName: "secretive" });
    for (const shown of [
      (error as Error).message,
      inspect(error, { depth: 10 }),
      JSON.stringify((error as MCPError).toJSON()),
      JSON.stringify(events),
      inspect(events, { depth: 10 }),
    ]) {
      expect(shown).not.toContain(TOKEN);
    }
    expect(((error as Error).cause as { spawnargs?: string[] }).spawnargs).toEqual([
      "server.js",
      "--token",
      "[REDACTED]",
      "--api-key=[REDACTED]",
    ]);
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

// Races between connect(), disconnect(), reconnect loops and the breaker, with scripted clients (no
// process): each test pins one defect a review found.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { ServerConfigInput } from "../../../src/config/types.js";
import { MCPConnectionError, MCPTimeoutError, MCPValidationError } from "../../../src/errors/errors.js";
import type { MultiMCPClientOptions } from "../../../src/multi/multiClient.js";
import type { MultiMCPClient } from "../../../src/multi/multiClient.js";
import type { Clock } from "../../../src/resilience/clock.js";
import { systemClock } from "../../../src/resilience/clock.js";
import { cfg, setupMulti, tool } from "../../fakes/fakeClient.js";
import { deferred, settledState } from "../../helpers/async.js";

const clients: MultiMCPClient[] = [];

function setup(servers: ServerConfigInput[], options: MultiMCPClientOptions = {}) {
  return setupMulti(clients, servers, options);
}

/** Settles with the promise's outcome, or "pending" once `ms` of real time passed (a bound). */
async function within<T>(promise: Promise<T>, ms = 2_000): Promise<T | "pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

const spawnFailed = (name: string) =>
  new MCPConnectionError(`${name} could not start`, { code: "SPAWN_FAILED", serverName: name });
const timeoutError = () => new MCPTimeoutError("no answer", { timeoutSeconds: 1, operation: "tools/call" });

afterEach(async () => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

describe("connect() and disconnect() racing", () => {
  it("connect() called while disconnect() runs: both settle, and the client ends connected", async () => {
    const { multi, get } = setup([cfg("a")]);
    await multi.connect();
    const disconnecting = multi.disconnect();
    const connecting = multi.connect();
    // Before the fix each waited for the other forever.
    await expect(within(Promise.all([disconnecting, connecting]))).resolves.not.toBe("pending");
    await expect(connecting).resolves.toMatchObject({ connected: ["a"] });
    expect(get("a").connectCalls).toBe(2);
    expect(multi.isConnected()).toBe(true);
  });

  it("a disconnect() called after a connect() queued behind a running disconnect comes last", async () => {
    const { multi, get } = setup([cfg("a")]);
    await multi.connect();
    const first = multi.disconnect();
    const connecting = multi.connect().catch((e: unknown) => e);
    const second = multi.disconnect();
    await expect(within(Promise.all([first, second, connecting]))).resolves.not.toBe("pending");
    // The last call was disconnect(): no server may be left running.
    expect(get("a").isConnected()).toBe(false);
    expect(multi.isConnected()).toBe(false);
    expect(multi.getServerStatus("a").state).toBe("disconnected");
  });

  it("a strict connect() never joins a pass in flight, so it closes only what it connected itself", async () => {
    const { multi, get } = setup([cfg("a"), cfg("b")]);
    const gate = deferred();
    get("a").connectPlan.push(() => gate.promise);
    get("b").connectPlan.push(
      () => Promise.reject(spawnFailed("b")),
      () => Promise.reject(spawnFailed("b")),
    );
    const plain = multi.connect();
    const strict = multi.connect({ strict: true }).catch((e: unknown) => e);
    gate.resolve();
    await expect(plain).resolves.toMatchObject({ connected: ["a"], failed: ["b"] });
    // The strict call ran its own pass after the first one: a was connected before it, b failed again.
    await expect(strict).resolves.toMatchObject({ code: "NOT_CONNECTED", context: { closed: [] } });
    expect(get("a").disconnectCalls).toBe(0);
    expect(get("a").isConnected()).toBe(true);
    expect(multi.getServerStatus("a").state).toBe("connected");
    expect(get("b").connectCalls).toBe(2);
  });

  it("a connect() joining a strict pass in flight is not told about servers the rollback closes", async () => {
    const { multi, get } = setup([cfg("a"), cfg("b")]);
    get("b").connectPlan.push(() => Promise.reject(spawnFailed("b")));
    const strict = multi.connect({ strict: true }).catch((e: unknown) => e);
    const plain = multi.connect();
    await expect(strict).resolves.toMatchObject({ context: { closed: ["a"] } });
    const summary = await plain;
    expect(summary).toMatchObject({ connected: ["a", "b"], failed: [] });
    expect(multi.getServerStatus("a").state).toBe("connected");
    expect(get("a").isConnected()).toBe(true);
  });
});

describe("disconnect() during a reconnect attempt leaves no server running", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
  });

  it("called while the attempt closes the old connection: the attempt starts nothing", async () => {
    const { multi, get } = setup([cfg("a", { reconnect: { initial_delay: 1 } })]);
    await multi.connect();
    const slowClose = deferred();
    get("a").disconnectPlan.push(() => slowClose.promise);
    get("a").lose();
    await vi.advanceTimersByTimeAsync(750); // the attempt is now closing the old connection
    expect(get("a").disconnectCalls).toBe(1);
    const done = settledState(multi.disconnect());
    await vi.advanceTimersByTimeAsync(0);
    expect(done.settled).toBe(false); // it waits for the loop
    slowClose.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(done.settled).toBe(true);
    expect(get("a").connectCalls).toBe(1); // only the first connect: no server started afterwards
    expect(get("a").isConnected()).toBe(false);
  });

  it("when the handshake completes after disconnect() began, the loop closes it before disconnect() resolves", async () => {
    const { multi, get } = setup([cfg("a", { reconnect: { initial_delay: 1 } })]);
    await multi.connect();
    const gate = deferred();
    const fake = get("a");
    // A client whose handshake finishes although disconnect() was asked for meanwhile.
    fake.connectPlan.push(async () => {
      await gate.promise;
      fake.state = "connecting";
    });
    fake.lose();
    await vi.advanceTimersByTimeAsync(750);
    expect(fake.connectCalls).toBe(2);
    const done = settledState(multi.disconnect());
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(done.settled).toBe(true);
    expect(fake.isConnected()).toBe(false);
    expect(multi.getServerStatus("a").state).toBe("disconnected");
  });

  it("the same holds for connect(): a handshake finishing after disconnect() began is closed again", async () => {
    const { multi, get } = setup([cfg("a")]);
    const gate = deferred();
    const fake = get("a");
    fake.connectPlan.push(async () => {
      await gate.promise;
      fake.state = "connecting";
    });
    const connecting = multi.connect().catch((e: unknown) => e);
    const done = settledState(multi.disconnect());
    gate.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(done.settled).toBe(true);
    await expect(connecting).resolves.toMatchObject({ code: "REQUEST_CANCELLED" });
    expect(fake.isConnected()).toBe(false);
    expect(multi.getServerStatus("a").state).toBe("disconnected");
  });
});

describe("reconnect waits", () => {
  it("the reconnect sleep keeps the process alive (only health-monitor timers are unref'd)", async () => {
    const unref: Array<boolean | undefined> = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimeout: (fn, ms, options) => {
        unref.push(options?.unref);
        return systemClock.setTimeout(fn, ms, options);
      },
      clearTimeout: (timer) => systemClock.clearTimeout(timer),
    };
    const { multi, get } = setup([cfg("a", { retry_delay: 0.01 })], { clock });
    get("a").connectPlan.push(
      () => Promise.reject(spawnFailed("a")),
      () => Promise.reject(spawnFailed("a")),
    );
    await multi.connect().catch(() => undefined);
    await expect(multi.reconnectServer("a", { maxRetries: 2 })).resolves.toBe(true);
    expect(unref).toHaveLength(1); // the one backoff wait, before attempt 2
    expect(unref.every((flag) => flag !== true)).toBe(true);
  });

  it("a second connect() waits for a running reconnect only up to the server's connect_timeout", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { multi, get } = setup([
      cfg("a", { connect_timeout: 1, reconnect: { initial_delay: 10 } }),
      cfg("b"),
    ]);
    await multi.connect();
    get("a").lose(); // the first attempt waits 7.5 s
    const again = settledState(multi.connect());
    await vi.advanceTimersByTimeAsync(999);
    expect(again.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(again.settled).toBe(true);
    expect(again.value).toMatchObject({
      connected: ["b"],
      failed: ["a"],
      servers: {
        a: {
          ok: false,
          state: "reconnecting",
          error: { code: "NOT_CONNECTED", message: expect.stringContaining("still reconnecting") },
        },
      },
    });
    // The loop goes on in the background.
    await vi.advanceTimersByTimeAsync(6_500);
    expect(multi.getServerStatus("a").state).toBe("connected");
  });

  it("a reconnect that ends within connect_timeout gives its result to connect()", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { multi, get } = setup([cfg("a", { connect_timeout: 5, reconnect: { initial_delay: 1 } })]);
    await multi.connect();
    get("a").lose();
    const again = settledState(multi.connect());
    await vi.advanceTimersByTimeAsync(750);
    expect(again.value).toMatchObject({ connected: ["a"], servers: { a: { ok: true, state: "connected" } } });
  });
});

describe("reconnectServer() options are checked, never clamped", () => {
  it("retryDelay 0 retries almost at once instead of throwing a RangeError", async () => {
    const { multi, get, ofType } = setup([cfg("a")]);
    get("a").connectPlan.push(
      () => Promise.reject(spawnFailed("a")),
      () => Promise.reject(spawnFailed("a")),
    );
    await multi.connect().catch(() => undefined);
    await expect(multi.reconnectServer("a", { retryDelay: 0, maxRetries: 2 })).resolves.toBe(true);
    const delays = ofType("reconnecting").map((e) => e.delaySeconds);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeLessThanOrEqual(0.001);
  });

  it("maxRetries is a whole number in [0, 100]: 0 makes no attempt, anything else is refused, not clamped", async () => {
    const { multi, get, ofType } = setup([cfg("a", { max_retries: 1, retry_delay: 0.001 })]);
    get("a").connectPlan.push(() => Promise.reject(spawnFailed("a")));
    await multi.connect().catch(() => undefined);
    await expect(multi.reconnectServer("a", { maxRetries: 0 })).resolves.toBe(false);
    expect(get("a").connectCalls).toBe(1);
    expect(multi.getServerStatus("a").state).toBe("failed");

    for (const [options, option] of [
      [{ maxRetries: 2.7 }, "maxRetries"],
      [{ maxRetries: Number.NaN }, "maxRetries"],
      [{ maxRetries: 101 }, "maxRetries"],
      [{ maxRetries: -3, retryDelay: -1 }, "maxRetries"],
      [{ retryDelay: Infinity }, "retryDelay"],
    ] as const) {
      const error = await multi.reconnectServer("a", options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MCPValidationError);
      expect(error).toMatchObject({ code: "INVALID_ARGUMENTS", field: option, rule: `options.${option}` });
    }
    await expect(multi.reconnectFailedServers({ maxRetries: -1 })).rejects.toBeInstanceOf(MCPValidationError);
    expect(get("a").connectCalls).toBe(1);
    expect(ofType("reconnecting")).toHaveLength(0);
  });
});

describe("our own disconnect() is not a breaker failure", () => {
  it("a connect interrupted by disconnect() leaves the breaker closed and records no error", async () => {
    const { multi, get } = setup([cfg("a", { circuit_breaker: { failure_threshold: 1 } })]);
    const gate = deferred();
    get("a").connectPlan.push(() => gate.promise);
    const connecting = multi.connect().catch((e: unknown) => e);
    const disconnecting = multi.disconnect();
    gate.resolve();
    await disconnecting;
    await expect(connecting).resolves.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(multi.getServerStatus("a")).toMatchObject({
      breaker: "closed",
      consecutiveFailures: 0,
      lastError: undefined,
      state: "disconnected",
    });
    await expect(multi.connect()).resolves.toMatchObject({ connected: ["a"] });
  });

  it("a call in flight cut off by disconnect() counts nothing (the caller still gets its error)", async () => {
    const { multi, get } = setup([cfg("a", { circuit_breaker: { failure_threshold: 1 } })]);
    await multi.connect();
    const pending = deferred<never>();
    const sent = deferred();
    get("a").call.mockImplementationOnce(() => {
      sent.resolve();
      return pending.promise;
    });
    const call = multi.callTool("mcp__a__echo").catch((e: unknown) => e);
    await sent.promise;
    const disconnecting = multi.disconnect();
    pending.reject(get("a").closedError("connection closed"));
    await disconnecting;
    await expect(call).resolves.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(multi.getServerStatus("a")).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
  });

  it("a genuine CONNECTION_CLOSED (no disconnect()) still counts", async () => {
    const { multi, get } = setup([cfg("a", { circuit_breaker: { failure_threshold: 1 } })]);
    await multi.connect();
    get("a").call.mockRejectedValueOnce(get("a").closedError("connection closed"));
    await expect(multi.callTool("mcp__a__echo")).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(multi.getServerStatus("a").breaker).toBe("open");
  });

  it("a half-open probe interrupted by disconnect() does not re-open the breaker with a doubled break", async () => {
    vi.useFakeTimers();
    const { multi, get } = setup([
      cfg("a", {
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 5 },
        reconnect: { enabled: false },
      }),
    ]);
    await multi.connect();
    get("a").call.mockRejectedValueOnce(timeoutError());
    await expect(multi.callTool("mcp__a__echo")).rejects.toBeInstanceOf(MCPTimeoutError);
    await vi.advanceTimersByTimeAsync(5_000);
    const probe = deferred<never>();
    const sent = deferred();
    get("a").call.mockImplementationOnce(() => {
      sent.resolve();
      return probe.promise;
    });
    const call = multi.callTool("mcp__a__echo").catch((e: unknown) => e);
    await sent.promise;
    expect(multi.getCircuitBreaker("a").snapshot()).toMatchObject({ state: "half-open", probing: true });
    const disconnecting = multi.disconnect();
    probe.reject(get("a").closedError("connection closed"));
    await disconnecting;
    await call;
    expect(multi.getCircuitBreaker("a").snapshot()).toMatchObject({
      probing: false,
      reopenCount: 0,
      retryAfter: 0,
      breakDuration: 5,
    });
    // The next call after connect() is the probe, at once.
    await multi.connect();
    await expect(multi.callTool("mcp__a__echo")).resolves.toBeDefined();
    expect(multi.getServerStatus("a").breaker).toBe("closed");
  });

  it("a reconnect attempt interrupted by disconnect() counts nothing", async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const { multi, get } = setup([
      cfg("a", { circuit_breaker: { failure_threshold: 1 }, reconnect: { initial_delay: 1 } }),
    ]);
    await multi.connect();
    const gate = deferred();
    get("a").connectPlan.push(() => gate.promise);
    get("a").lose();
    await vi.advanceTimersByTimeAsync(750);
    expect(get("a").connectCalls).toBe(2);
    const disconnecting = multi.disconnect();
    gate.resolve();
    await disconnecting;
    expect(multi.getServerStatus("a")).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
  });
});

describe("routed names of a server that is down", () => {
  it("are never handed to another server's tool (gh: repo__delete vs gh__repo: delete)", async () => {
    const { multi, get } = setup([
      cfg("gh", { reconnect: { enabled: false } }),
      cfg("gh__repo", { reconnect: { enabled: false } }),
    ]);
    get("gh").serverTools = [tool("repo__delete")];
    get("gh__repo").serverTools = [tool("delete")];
    get("gh__repo").connectPlan.push(() => Promise.reject(spawnFailed("gh__repo")));
    await multi.connect();
    expect(multi.tools.get("mcp__gh__repo__delete")).toMatchObject({ server: "gh", rawName: "repo__delete" });
    get("gh").lose();
    await expect(multi.reconnectServer("gh__repo")).resolves.toBe(true);
    expect(multi.getServerStatus("gh").state).toBe("failed");
    expect(multi.getServerStatus("gh__repo").state).toBe("connected");
    expect(multi.tools.get("mcp__gh__repo__delete_2")).toMatchObject({
      server: "gh__repo",
      rawName: "delete",
    });
    // The name gh held still means gh's tool: it fails fast instead of running gh__repo's delete.
    await expect(multi.callTool("mcp__gh__repo__delete")).rejects.toMatchObject({
      code: "NOT_CONNECTED",
      serverName: "gh",
    });
    expect(get("gh__repo").call).not.toHaveBeenCalled();
  });
});

import { describe, expect, it, vi } from "vitest";

import { MCPConfigurationError } from "../../../src/errors/errors.js";
import {
  MCPCancelledError,
  MCPCircuitOpenError,
  MCPConnectionError,
  MCPServerError,
  MCPTimeoutError,
  MCPValidationError,
} from "../../../src/errors/errors.js";
import type { BreakerPolicy } from "../../../src/resilience/breakerPolicies.js";
import type { CircuitStateChange } from "../../../src/resilience/circuitBreaker.js";
import { CircuitBreaker } from "../../../src/resilience/circuitBreaker.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import { deferred } from "../../helpers/async.js";
import { refusal } from "../../helpers/configRefusals.js";

const THRESHOLD = 3;
const RECOVERY_S = 10;
const RECOVERY_MS = RECOVERY_S * 1000;

function setup(options: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = new ManualClock(1_000);
  const breaker = new CircuitBreaker({
    name: "srv",
    failureThreshold: THRESHOLD,
    recoveryTimeout: RECOVERY_S,
    clock,
    ...options,
  });
  const changes: CircuitStateChange[] = [];
  breaker.onStateChange((change) => changes.push(change));
  return { clock, breaker, changes };
}

let failureCount = 0;
function transportFailure(): MCPConnectionError {
  return new MCPConnectionError(`process exited #${++failureCount}`, {
    code: "PROCESS_EXITED",
    serverName: "srv",
  });
}

/** Runs one failing call and returns what it threw. */
function fail(breaker: CircuitBreaker, error: unknown = transportFailure()): Promise<unknown> {
  return breaker.execute(() => Promise.reject(error)).catch((e: unknown) => e);
}

function succeed(breaker: CircuitBreaker): Promise<string> {
  return breaker.execute(() => Promise.resolve("ok"));
}

async function openBreaker(breaker: CircuitBreaker): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (let i = 0; i < THRESHOLD; i++) errors.push(await fail(breaker));
  return errors;
}

describe("CircuitBreaker (fault-matrix §7.3 B1–B12)", () => {
  it("B1: n−1 failures then a success stay closed and reset the counter", async () => {
    const { breaker, changes } = setup();
    for (let i = 0; i < THRESHOLD - 1; i++) await fail(breaker);
    expect(breaker.state).toBe("closed");
    expect(breaker.snapshot().consecutiveFailures).toBe(THRESHOLD - 1);
    await succeed(breaker);
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
    for (let i = 0; i < THRESHOLD - 1; i++) await fail(breaker);
    expect(breaker.state).toBe("closed");
    expect(changes).toEqual([]);
  });

  it("B2: opens on the n-th failure (>=), emits closed→open once, and the open error's cause is that failure", async () => {
    const { breaker, changes } = setup();
    const errors = await openBreaker(breaker);
    expect(breaker.state).toBe("open");
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ server: "srv", from: "closed", to: "open", retryAfter: RECOVERY_S });
    expect(changes[0]!.cause).toBe(errors[THRESHOLD - 1]);
    const refused = await fail(breaker);
    expect(refused).toBeInstanceOf(MCPCircuitOpenError);
    expect(refused).toMatchObject({ code: "CIRCUIT_OPEN", serverName: "srv", retryAfter: RECOVERY_S });
    expect((refused as Error).cause).toBe(errors[THRESHOLD - 1]);
    expect((refused as Error).message).toContain("tried again in 10 s");
    expect((refused as Error).message).toContain("nothing was sent");
  });

  it("B3: while open, calls fail fast with a retryAfter that decreases with the clock, and nothing is sent", async () => {
    const { breaker, clock } = setup();
    await openBreaker(breaker);
    const send = vi.fn(() => Promise.resolve("sent"));
    const first = await breaker.execute(send).catch((e: unknown) => e);
    clock.advance(4_000);
    const second = await breaker.execute(send).catch((e: unknown) => e);
    expect(send).not.toHaveBeenCalled();
    expect((first as MCPCircuitOpenError).retryAfter).toBe(10);
    expect((second as MCPCircuitOpenError).retryAfter).toBe(6);
    expect(breaker.retryAfter).toBe(6);
    expect(() => breaker.assertCanExecute()).toThrow(MCPCircuitOpenError);
  });

  it("B4: at recovery − 1 ms it is still open; at recovery the first call is admitted as the probe", async () => {
    const { breaker, clock, changes } = setup();
    await openBreaker(breaker);
    clock.advance(RECOVERY_MS - 1);
    expect(breaker.state).toBe("open");
    expect(breaker.wouldAdmit()).toBe(false);
    const early = await fail(breaker);
    expect(early).toBeInstanceOf(MCPCircuitOpenError);
    expect((early as MCPCircuitOpenError).retryAfter).toBeCloseTo(0.001, 6);
    clock.advance(1);
    expect(breaker.state).toBe("half-open");
    expect(breaker.wouldAdmit()).toBe(true);
    const probe = vi.fn(() => Promise.resolve("pong"));
    await expect(breaker.execute(probe)).resolves.toBe("pong");
    expect(probe).toHaveBeenCalledTimes(1);
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual([
      "closed→open",
      "open→half-open",
      "half-open→closed",
    ]);
  });

  it("B5: during the probe other callers are refused at once with retryAfter 0 (no queueing)", async () => {
    const { breaker, clock } = setup();
    await openBreaker(breaker);
    clock.advance(RECOVERY_MS);
    const probe = deferred<string>();
    const probeCall = breaker.execute(() => probe.promise);
    expect(breaker.state).toBe("half-open");
    const other = vi.fn(() => Promise.resolve("other"));
    const refused = await breaker.execute(other).catch((e: unknown) => e);
    expect(other).not.toHaveBeenCalled();
    expect(refused).toBeInstanceOf(MCPCircuitOpenError);
    expect(refused).toMatchObject({ retryAfter: 0 });
    expect((refused as Error).message).toContain("being probed");
    probe.resolve("done");
    await expect(probeCall).resolves.toBe("done");
    expect(breaker.state).toBe("closed");
  });

  it("B6: a successful probe closes, resets the counter and the break schedule", async () => {
    const { breaker, clock } = setup();
    await openBreaker(breaker);
    clock.advance(RECOVERY_MS);
    await fail(breaker); // probe fails: re-open with 2× the recovery time
    expect(breaker.snapshot()).toMatchObject({
      state: "open",
      reopenCount: 1,
      breakDuration: 2 * RECOVERY_S,
    });
    clock.advance(2 * RECOVERY_MS);
    await succeed(breaker);
    expect(breaker.snapshot()).toMatchObject({ state: "closed", consecutiveFailures: 0, reopenCount: 0 });
    // Opening again starts from the initial recovery time and needs the full threshold again.
    for (let i = 0; i < THRESHOLD - 1; i++) await fail(breaker);
    expect(breaker.state).toBe("closed");
    await fail(breaker);
    expect(breaker.snapshot()).toMatchObject({
      state: "open",
      breakDuration: RECOVERY_S,
      retryAfter: RECOVERY_S,
    });
  });

  it("B7: a failed or timed-out probe re-opens with ×2 per re-open, capped at ×8", async () => {
    const { breaker, clock, changes } = setup();
    await openBreaker(breaker);
    const durations: number[] = [];
    for (let i = 0; i < 5; i++) {
      // Both sides of the end of each break: refused 1 ms before, admitted at it.
      clock.advance(breaker.retryAfter * 1000 - 1);
      expect(breaker.wouldAdmit()).toBe(false);
      clock.advance(1);
      expect(breaker.wouldAdmit()).toBe(true);
      const failure =
        i % 2 === 0
          ? transportFailure()
          : new MCPTimeoutError("no answer", { timeoutSeconds: 1, operation: "tools/call" });
      await fail(breaker, failure);
      expect(breaker.state).toBe("open");
      durations.push(breaker.retryAfter);
    }
    expect(durations).toEqual([20, 40, 80, 80, 80]);
    expect(changes.filter((c) => c.to === "open").map((c) => c.retryAfter)).toEqual([10, 20, 40, 80, 80, 80]);
  });

  it("B8: a probe cancelled by its caller decides nothing; the next call becomes the probe", async () => {
    const { breaker, clock, changes } = setup();
    await openBreaker(breaker);
    clock.advance(RECOVERY_MS);
    const cancelled = new MCPCancelledError("aborted by caller", { operation: "tools/call" });
    await fail(breaker, cancelled);
    expect(breaker.state).toBe("half-open");
    expect(breaker.snapshot().probing).toBe(false);
    const eventsBefore = changes.length;
    const next = vi.fn(() => Promise.resolve("probe 2"));
    await expect(breaker.execute(next)).resolves.toBe("probe 2");
    expect(next).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe("closed");
    expect(changes.slice(eventsBefore).map((c) => c.to)).toEqual(["closed"]);
  });

  it("B9: a probe answered with a JSON-RPC error or an isError result counts as success", async () => {
    const { breaker, clock } = setup();
    await openBreaker(breaker);
    clock.advance(RECOVERY_MS);
    await fail(breaker, new MCPServerError("invalid params", { rpcCode: -32602 }));
    expect(breaker.state).toBe("closed");

    await openBreaker(breaker);
    clock.advance(RECOVERY_MS);
    const result = { content: [], isError: true };
    await expect(breaker.execute(() => Promise.resolve(result))).resolves.toBe(result);
    expect(breaker.state).toBe("closed");
  });

  it("B10: a late failure from a call admitted before the circuit opened is ignored (cf. opossum #381)", async () => {
    const { breaker, clock, changes } = setup();
    const slow = deferred<string>();
    const slowCall = breaker.execute(() => slow.promise).catch((e: unknown) => e);
    await openBreaker(breaker);
    clock.advance(3_000);
    const before = breaker.retryAfter;
    slow.reject(transportFailure());
    await slowCall;
    expect(breaker.retryAfter).toBe(before);
    expect(changes).toHaveLength(1);
    // A late success is ignored as well: it does not close the circuit.
    const slow2 = deferred<string>();
    const { breaker: b2 } = setup();
    const call2 = b2.execute(() => slow2.promise);
    await openBreaker(b2);
    slow2.resolve("late");
    await call2;
    expect(b2.state).toBe("open");
  });

  it("B11: n+3 failures completing in the same tick open once, emit once, and admit one probe (cf. opossum #385)", async () => {
    const { breaker, clock, changes } = setup();
    const pending = Array.from({ length: THRESHOLD + 3 }, () => deferred<string>());
    const calls = pending.map((d) => breaker.execute(() => d.promise).catch((e: unknown) => e));
    for (const d of pending) d.reject(transportFailure());
    await Promise.all(calls);
    expect(changes.filter((c) => c.to === "open")).toHaveLength(1);
    expect(breaker.retryAfter).toBe(RECOVERY_S);
    clock.advance(RECOVERY_MS);
    const probe = deferred<string>();
    const probeCall = breaker.execute(() => probe.promise);
    await expect(succeed(breaker)).rejects.toMatchObject({ code: "CIRCUIT_OPEN", retryAfter: 0 });
    probe.resolve("ok");
    await probeCall;
    expect(breaker.state).toBe("closed");
  });

  it("B12: isolate() twice, dispose once → still isolated; the second dispose closes it", async () => {
    const { breaker, changes } = setup();
    const first = breaker.isolate();
    const second = breaker.isolate();
    expect(breaker.state).toBe("isolated");
    const refused = await fail(breaker);
    expect(refused).toMatchObject({ code: "CIRCUIT_OPEN", retryAfter: Number.POSITIVE_INFINITY });
    first.dispose();
    first.dispose(); // a second dispose of the same handle does nothing
    expect(breaker.state).toBe("isolated");
    second[Symbol.dispose]();
    expect(breaker.state).toBe("closed");
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(["closed→isolated", "isolated→closed"]);
  });

  it("reset() closes an open or isolated circuit, and voids outstanding isolation handles", async () => {
    const { breaker } = setup();
    await openBreaker(breaker);
    breaker.reset();
    expect(breaker.snapshot()).toMatchObject({ state: "closed", consecutiveFailures: 0 });
    const stale = breaker.isolate();
    breaker.reset();
    expect(breaker.state).toBe("closed");
    const fresh = breaker.isolate();
    stale.dispose(); // must not release the fresh isolation
    expect(breaker.state).toBe("isolated");
    fresh.dispose();
    expect(breaker.state).toBe("closed");
  });

  it("neutral outcomes (abort, policy refusal, config) never count while closed", async () => {
    const { breaker } = setup();
    for (let i = 0; i < THRESHOLD * 2; i++) {
      await fail(breaker, new MCPCancelledError("aborted", { operation: "x" }));
      await fail(breaker, new MCPValidationError("too deep", { code: "POLICY_VIOLATION" }));
    }
    expect(breaker.snapshot()).toMatchObject({ state: "closed", consecutiveFailures: 0 });
  });

  it("expected_exception narrows what counts: with [MCPConnectionError] timeouts are neutral", async () => {
    const { breaker } = setup({ expectedException: ["MCPConnectionError"] });
    for (let i = 0; i < THRESHOLD; i++) {
      await fail(breaker, new MCPTimeoutError("slow", { timeoutSeconds: 1, operation: "x" }));
    }
    expect(breaker.state).toBe("closed");
    await openBreaker(breaker);
    expect(breaker.state).toBe("open");
  });

  it("delegates the open decision to the counting policy (state machine tested alone)", async () => {
    const policy: BreakerPolicy & { calls: string[] } = {
      calls: [],
      failures: 0,
      failure() {
        this.calls.push("failure");
        return this.calls.length === 2;
      },
      success() {
        this.calls.push("success");
      },
      reset() {
        this.calls.push("reset");
      },
    };
    const { breaker } = setup({ policy });
    await succeed(breaker);
    await fail(breaker);
    expect(breaker.state).toBe("open");
    breaker.reset();
    expect(policy.calls).toEqual(["success", "failure", "reset"]);
  });

  it("isolates listener errors and lets listeners unsubscribe", async () => {
    const { breaker } = setup();
    const seen: string[] = [];
    breaker.onStateChange(() => {
      throw new Error("listener bug");
    });
    const off = breaker.onStateChange((c) => seen.push(c.to));
    await openBreaker(breaker);
    off();
    breaker.reset();
    expect(seen).toEqual(["open"]);
  });

  it("refuses nonsensical options with one configuration error naming each option and value", () => {
    expect(() => new CircuitBreaker({ name: "x", recoveryTimeout: 0 })).toThrow(/recoveryTimeout.*got 0/);
    expect(() => new CircuitBreaker({ name: "x", failureThreshold: 0 })).toThrow(MCPConfigurationError);
    expect(() => new CircuitBreaker({ name: "x", maxRecoveryMultiplier: 0.5 })).toThrow(
      MCPConfigurationError,
    );
    const all = refusal(
      () =>
        new CircuitBreaker({
          name: "x",
          recoveryTimeout: -1,
          failureThreshold: 1.5,
          maxRecoveryMultiplier: 0,
        }),
    );
    expect(all.issues.map((i) => i.path)).toEqual([
      "recoveryTimeout",
      "maxRecoveryMultiplier",
      "failureThreshold",
    ]);
    expect(all.serverName).toBe("x");
  });
});

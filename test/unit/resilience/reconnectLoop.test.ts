import { afterEach, describe, expect, it, vi } from "vitest";

import { Backoff } from "../../../src/resilience/backoff.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import {
  type AttemptResult,
  type ReconnectAttemptEvent,
  type ReconnectLoopOptions,
  runReconnectLoop,
} from "../../../src/resilience/reconnectLoop.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Lets every pending promise callback run (the loop awaits between its steps). */
const flush = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function setUp(results: AttemptResult[], overrides: Partial<ReconnectLoopOptions> = {}) {
  // Jitter pinned to the top of its range: delay n is exactly initial × 2^n (capped), minus nothing.
  vi.spyOn(Math, "random").mockReturnValue(0.999_999);
  const clock = new ManualClock(1_000_000);
  const controller = new AbortController();
  const events: ReconnectAttemptEvent[] = [];
  const attempt = vi.fn(() => Promise.resolve(results.shift() ?? "failed"));
  const counter = { attempts: 0 };
  const options: ReconnectLoopOptions = {
    server: "srv",
    plan: {
      fresh: true,
      maxAttempts: 3,
      firstImmediately: true,
      backoff: new Backoff({ initialDelayMs: 1000, maxDelayMs: 4000 }),
    },
    clock,
    signal: controller.signal,
    counter,
    onAttempt: (event) => events.push(event),
    attempt,
    ...overrides,
  };
  return { clock, controller, events, attempt, counter, options };
}

describe("runReconnectLoop", () => {
  it("runs the first attempt at once and backs off before the next, on the injected clock", async () => {
    const { clock, events, attempt, options } = setUp(["failed", "connected"]);
    const done = runReconnectLoop(options);
    await flush();
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(events[0]).toEqual({
      attempt: 1,
      delaySeconds: 0,
      message: 'Reconnecting to "srv" (attempt 1 of 3)',
    });
    const wait = events[1]!.delaySeconds * 1000;
    expect(wait).toBeGreaterThanOrEqual(500);
    expect(wait).toBeLessThanOrEqual(1000);
    expect(events[1]!.message).toBe(
      `Reconnecting to "srv" in ${(wait / 1000).toFixed(1)} s (attempt 2 of 3)`,
    );
    clock.advance(wait - 1);
    await flush();
    expect(attempt).toHaveBeenCalledTimes(1);
    clock.advance(1);
    await expect(done).resolves.toBe("connected");
    expect(attempt).toHaveBeenCalledTimes(2);
    expect(clock.pending).toBe(0);
  });

  it("gives up after maxAttempts failures; maxAttempts 0 gives up before any attempt", async () => {
    const { clock, attempt, options, counter } = setUp([]);
    const done = runReconnectLoop(options);
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(10_000);
    }
    await expect(done).resolves.toBe("gave-up");
    expect(attempt).toHaveBeenCalledTimes(3);
    expect(counter.attempts).toBe(3);
    const none = setUp([]);
    none.options.plan.maxAttempts = 0;
    await expect(runReconnectLoop(none.options)).resolves.toBe("gave-up");
    expect(none.attempt).not.toHaveBeenCalled();
  });

  it("the signal stops a wait at once and leaves no timer; a connect that finished too late is abandoned", async () => {
    const { controller, clock, options } = setUp(["failed"]);
    const done = runReconnectLoop(options);
    await flush();
    expect(clock.pending).toBe(1);
    controller.abort(new Error("stop"));
    await expect(done).resolves.toBe("aborted");
    expect(clock.pending).toBe(0);

    const late = setUp([]);
    const abandon = vi.fn(() => Promise.resolve());
    late.options.abandon = abandon;
    late.options.attempt = () => {
      late.controller.abort();
      return Promise.resolve("connected");
    };
    await expect(runReconnectLoop(late.options)).resolves.toBe("aborted");
    expect(abandon).toHaveBeenCalledTimes(1);
  });

  it("a connect that finished as the signal aborted stays connected when there is nothing to undo it (no abandon)", async () => {
    const kept = setUp([]);
    kept.options.attempt = () => {
      kept.controller.abort();
      return Promise.resolve("connected");
    };
    await expect(runReconnectLoop(kept.options)).resolves.toBe("connected");

    const failed = setUp([]);
    failed.options.attempt = () => {
      failed.controller.abort();
      return Promise.resolve("failed");
    };
    await expect(runReconnectLoop(failed.options)).resolves.toBe("aborted");
    expect(failed.counter.attempts).toBe(1);
  });

  it("waits for the breaker's retryAfter when it is longer than the backoff, and gives up when it is Infinity", async () => {
    let retryAfter = 7;
    const { clock, events, attempt, options } = setUp(["connected"], { retryAfter: () => retryAfter });
    const done = runReconnectLoop(options);
    await flush();
    expect(events[0]!.delaySeconds).toBe(7);
    expect(events[0]!.message).toBe('Reconnecting to "srv" in 7.0 s (attempt 1 of 3)');
    clock.advance(6_999);
    await flush();
    expect(attempt).not.toHaveBeenCalled();
    clock.advance(1);
    await expect(done).resolves.toBe("connected");
    retryAfter = Infinity;
    const isolated = setUp([], { retryAfter: () => retryAfter });
    await expect(runReconnectLoop(isolated.options)).resolves.toBe("gave-up");
    expect(isolated.attempt).not.toHaveBeenCalled();
  });

  it("an attempt that did not run (not-counted) is not counted", async () => {
    const { clock, events, options, counter } = setUp(["not-counted", "connected"]);
    const done = runReconnectLoop(options);
    await flush();
    clock.advance(10_000);
    await expect(done).resolves.toBe("connected");
    expect(events.map((e) => e.attempt)).toEqual([1, 1]);
    expect(counter.attempts).toBe(1);
  });

  it("carries attempts over a non-fresh cycle unless the connection stayed up for healthyReset", async () => {
    const carried = setUp([], {
      healthyReset: { connectedAt: 1_000_000 - 59_999, afterMs: 60_000 },
    });
    carried.options.plan.fresh = false;
    carried.counter.attempts = 3;
    await expect(runReconnectLoop(carried.options)).resolves.toBe("gave-up");
    expect(carried.attempt).not.toHaveBeenCalled();

    const reset = setUp(["connected"], {
      healthyReset: { connectedAt: 1_000_000 - 60_000, afterMs: 60_000 },
    });
    reset.options.plan.fresh = false;
    reset.options.plan.firstImmediately = false;
    reset.counter.attempts = 3;
    const done = runReconnectLoop(reset.options);
    await flush();
    // Counting and the backoff started over: attempt 1, after the first (not a later) delay.
    expect(reset.events[0]!.attempt).toBe(1);
    expect(reset.events[0]!.delaySeconds).toBeLessThanOrEqual(1);
    reset.clock.advance(1000);
    await expect(done).resolves.toBe("connected");
  });
});

// Every delay is safe to hand to the clock: Node's setTimeout shortens anything beyond 2^31−1 ms
// (Infinity included) to 1 ms with a TimeoutOverflowWarning, so the clock never passes such a delay
// on (issue 11 item 10).
import { afterEach, describe, expect, it, vi } from "vitest";

import { ManualClock, sleepOn, systemClock } from "../../../src/resilience/clock.js";
import { recordWarnings } from "../../helpers/warnings.js";

/** Node's longest timer (the clock exports it as MAX_TIMER_MS). */
const MAX_TIMER_MS = 2 ** 31 - 1;

afterEach(() => {
  vi.useRealTimers();
});

describe("systemClock with delays Node cannot take", () => {
  it("Infinity never fires and arms nothing (real timers, no TimeoutOverflowWarning)", async () => {
    const warnings = recordWarnings();
    try {
      const fired = vi.fn();
      const timer = systemClock.setTimeout(fired, Infinity);
      const sleeping = vi.fn();
      void sleepOn(systemClock, Infinity).then(sleeping);
      // A bound: the old clock fired both after 1 ms.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(fired).not.toHaveBeenCalled();
      expect(sleeping).not.toHaveBeenCalled();
      systemClock.clearTimeout(timer);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.names()).not.toContain("TimeoutOverflowWarning");
    } finally {
      warnings.stop();
    }
  });

  it("a delay beyond 2^31−1 ms fires on time, not after 1 ms (fake timers)", () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    systemClock.setTimeout(fired, MAX_TIMER_MS + 5_000);
    vi.advanceTimersByTime(1_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(MAX_TIMER_MS - 1_000);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(4_999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("clearTimeout stops a long chain at any link; unref applies to every link", () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    const timer = systemClock.setTimeout(fired, 3 * MAX_TIMER_MS, { unref: true });
    vi.advanceTimersByTime(MAX_TIMER_MS + 1);
    expect(vi.getTimerCount()).toBe(1);
    systemClock.clearTimeout(timer);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(3 * MAX_TIMER_MS);
    expect(fired).not.toHaveBeenCalled();
  });

  it("NaN and negative delays are due at once", () => {
    vi.useFakeTimers();
    const fired = vi.fn();
    systemClock.setTimeout(fired, Number.NaN);
    systemClock.setTimeout(fired, -5);
    vi.advanceTimersByTime(0);
    expect(fired).toHaveBeenCalledTimes(2);
  });

  it("sleepOn on the system clock chains timers beyond MAX_TIMER_MS", async () => {
    vi.useFakeTimers();
    const woke = vi.fn();
    void sleepOn(systemClock, MAX_TIMER_MS + 10).then(woke);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
    expect(woke).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(10);
    expect(woke).toHaveBeenCalledTimes(1);
  });
});

describe("ManualClock takes the same delays", () => {
  it("Infinity and NaN: never due and due now", () => {
    const clock = new ManualClock();
    const never = vi.fn();
    const now = vi.fn();
    clock.setTimeout(never, Infinity);
    clock.setTimeout(now, Number.NaN);
    clock.advance(0);
    expect(now).toHaveBeenCalledTimes(1);
    clock.advance(Number.MAX_SAFE_INTEGER);
    expect(never).not.toHaveBeenCalled();
  });
});

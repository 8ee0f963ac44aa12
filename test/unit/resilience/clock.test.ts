import { afterEach, describe, expect, it, vi } from "vitest";

import { ManualClock, sleepOn, systemClock } from "../../../src/resilience/clock.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("ManualClock", () => {
  it("runs due timers in due order (ties in creation order) with now() at each due time", () => {
    const clock = new ManualClock(100);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 20);
    clock.advance(19);
    expect(seen).toEqual(["a@110"]);
    clock.advance(1);
    expect(seen).toEqual(["a@110", "b@120", "c@120"]);
    expect(clock.now()).toBe(120);
    expect(clock.pending).toBe(0);
  });

  it("runs timers scheduled by timers when they fall due within the same advance", () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 5);
    }, 5);
    clock.advance(10);
    expect(seen).toEqual([5, 10]);
  });

  it("clearTimeout cancels a timer; clearing undefined is harmless", () => {
    const clock = new ManualClock();
    const fn = vi.fn();
    const timer = clock.setTimeout(fn, 5);
    clock.clearTimeout(timer);
    clock.clearTimeout(undefined);
    clock.advance(10);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe("sleepOn", () => {
  it("resolves at the delay, not before", async () => {
    const clock = new ManualClock();
    let done = false;
    const sleeping = sleepOn(clock, 100).then(() => {
      done = true;
    });
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("rejects with the abort reason at once and leaves no timer", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeping = expect(sleepOn(clock, 1_000, controller.signal)).rejects.toBe("stop");
    controller.abort("stop");
    await sleeping;
    expect(clock.pending).toBe(0);
    await expect(sleepOn(clock, 1, controller.signal)).rejects.toBe("stop");
  });
});

describe("systemClock", () => {
  it("uses the timer globals at call time (so fake timers apply) and can unref", async () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const timer = systemClock.setTimeout(fn, 50, { unref: true }) as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    const kept = systemClock.setTimeout(fn, 50) as NodeJS.Timeout;
    expect(kept.hasRef()).toBe(true);
    systemClock.clearTimeout(kept);
    await vi.advanceTimersByTimeAsync(50);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

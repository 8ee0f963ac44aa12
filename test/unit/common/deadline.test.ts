import { describe, expect, it, vi } from "vitest";

import { type DeadlineClock, settledInOrder, withDeadline } from "../../../src/common/deadline.js";
import { ManualClock } from "../../../src/resilience/clock.js";

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function race(clock: ManualClock, ms = 1000) {
  let controls: DeadlineClock | undefined;
  const onExpire = vi.fn();
  let settle!: (value: string) => void;
  const work = new Promise<string>((resolve) => (settle = resolve));
  const outcome = withDeadline(
    work,
    ms,
    () => new Error("too late"),
    onExpire,
    (given) => (controls = given),
    clock,
  ).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );
  return { outcome, onExpire, settle, controls: () => controls };
}

describe("withDeadline", () => {
  it("rejects with onTimeout() at the deadline, after onExpire, and not a millisecond before", async () => {
    const clock = new ManualClock();
    const { outcome, onExpire } = race(clock);
    clock.advance(999);
    await flush();
    expect(onExpire).not.toHaveBeenCalled();
    clock.advance(1);
    await expect(outcome).resolves.toEqual({ error: "too late" });
    expect(onExpire).toHaveBeenCalledTimes(1);
    expect(clock.pending).toBe(0);
  });

  it("resolves with the promise in time, leaves no timer, and withdraws the controls", async () => {
    const clock = new ManualClock();
    const { outcome, settle, controls } = race(clock);
    expect(controls()).toBeDefined();
    settle("done");
    await expect(outcome).resolves.toEqual({ value: "done" });
    expect(clock.pending).toBe(0);
    expect(controls()).toBeUndefined();
  });

  it("time paused (nested pauses included) does not count; the rest of the deadline still does", async () => {
    const clock = new ManualClock();
    const { outcome, onExpire, controls } = race(clock);
    clock.advance(400);
    controls()!.pause();
    controls()!.pause();
    clock.advance(60_000);
    controls()!.resume();
    clock.advance(60_000);
    await flush();
    expect(onExpire).not.toHaveBeenCalled();
    controls()!.resume();
    clock.advance(599);
    await flush();
    expect(onExpire).not.toHaveBeenCalled();
    clock.advance(1);
    await expect(outcome).resolves.toEqual({ error: "too late" });
  });
});

describe("settledInOrder", () => {
  it("waits for every promise, then rejects with the first failure in list order", async () => {
    let release!: () => void;
    const late = new Promise<void>((resolve) => (release = resolve));
    let settled = false;
    const all = settledInOrder([
      late,
      Promise.reject(new Error("second")),
      Promise.reject(new Error("third")),
    ] as const).finally(() => {
      settled = true;
    });
    const rejected = expect(all).rejects.toThrow("second");
    await flush();
    expect(settled).toBe(false);
    release();
    await rejected;
    await expect(settledInOrder([Promise.resolve(1), Promise.resolve("two")] as const)).resolves.toEqual([
      1,
      "two",
    ]);
  });
});

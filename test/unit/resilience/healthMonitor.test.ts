import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { MCPConfigurationError } from "../../../src/errors/errors.js";
import type { Clock } from "../../../src/resilience/clock.js";
import { systemClock } from "../../../src/resilience/clock.js";
import type { HealthMonitorOptions, HealthState } from "../../../src/resilience/healthMonitor.js";
import { HealthMonitor } from "../../../src/resilience/healthMonitor.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function setup(overrides: Partial<HealthMonitorOptions> = {}) {
  const results: Array<boolean | undefined> = [];
  const ping = vi.fn(async () => (results.length > 0 ? results.shift() : true));
  let busy = false;
  const states: Array<[HealthState, number]> = [];
  const onUnhealthy = vi.fn();
  const monitor = new HealthMonitor({
    intervalMs: 1_000,
    timeoutMs: 200,
    maxMisses: 2,
    ping,
    isBusy: () => busy,
    onChange: (state, misses) => states.push([state, misses]),
    onUnhealthy,
    ...overrides,
  });
  return {
    monitor,
    ping,
    results,
    states,
    onUnhealthy,
    setBusy: (value: boolean) => {
      busy = value;
    },
  };
}

describe("HealthMonitor", () => {
  it("pings once per interval, not before, and reports healthy", async () => {
    const { monitor, ping, states } = setup();
    monitor.start();
    await vi.advanceTimersByTimeAsync(999);
    expect(ping).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(ping).toHaveBeenCalledTimes(1);
    expect(ping).toHaveBeenCalledWith(200);
    expect(monitor.state).toBe("healthy");
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ping).toHaveBeenCalledTimes(2);
    expect(states).toEqual([["healthy", 0]]);
    monitor.stop();
  });

  it("skips the ping while calls are in flight", async () => {
    const { monitor, ping, setBusy } = setup();
    setBusy(true);
    monitor.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(ping).not.toHaveBeenCalled();
    expect(monitor.stats).toEqual({ checks: 0, skips: 3 });
    expect(monitor.state).toBe("unknown");
    setBusy(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ping).toHaveBeenCalledTimes(1);
    monitor.stop();
  });

  it("maxMisses − 1 misses keep it; the maxMisses-th makes it unhealthy and calls onUnhealthy once", async () => {
    const { monitor, results, onUnhealthy, states } = setup({ maxMisses: 3 });
    results.push(true, false, false);
    monitor.start();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(monitor.misses).toBe(2);
    expect(monitor.state).toBe("healthy");
    expect(onUnhealthy).not.toHaveBeenCalled();
    results.push(false, false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(monitor.state).toBe("unhealthy");
    expect(onUnhealthy).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(monitor.misses).toBe(4);
    expect(onUnhealthy).toHaveBeenCalledTimes(1);
    expect(states).toEqual([
      ["healthy", 0],
      ["unhealthy", 3],
    ]);
    // One answer makes it healthy again.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(monitor.state).toBe("healthy");
    expect(monitor.misses).toBe(0);
    monitor.stop();
  });

  it("a ping that was not made (undefined) changes nothing; a throwing ping is a miss", async () => {
    const { monitor, results } = setup({ maxMisses: 1 });
    results.push(undefined);
    monitor.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(monitor.state).toBe("unknown");
    monitor.stop();
    const throwing = setup({
      maxMisses: 1,
      ping: () => Promise.reject(new Error("bug")),
    });
    throwing.monitor.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(throwing.monitor.state).toBe("unhealthy");
    throwing.monitor.stop();
  });

  it("pings never overlap: the next one is scheduled after the previous settles", async () => {
    let release!: () => void;
    const ping = vi.fn(() => new Promise<boolean>((resolve) => (release = () => resolve(true))));
    const { monitor } = setup({ ping });
    monitor.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(ping).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ping).toHaveBeenCalledTimes(2);
    monitor.stop();
  });

  it("stop() leaves no timer, ignores a ping in flight, and start() is idempotent", async () => {
    let release!: (ok: boolean) => void;
    const ping = vi.fn(() => new Promise<boolean>((resolve) => (release = resolve)));
    const { monitor, onUnhealthy } = setup({ ping, maxMisses: 1 });
    monitor.start();
    monitor.start();
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    monitor.stop();
    release(false);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(onUnhealthy).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
    expect(monitor.active).toBe(false);
  });

  it("uses unref'd timers", () => {
    const requested: Array<boolean | undefined> = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimeout: (fn, ms, options) => {
        requested.push(options?.unref);
        return systemClock.setTimeout(fn, ms, options);
      },
      clearTimeout: (timer) => systemClock.clearTimeout(timer),
    };
    const { monitor } = setup({ clock });
    monitor.start();
    expect(requested).toEqual([true]);
    monitor.stop();
  });

  it("record() and reset() feed outside evidence", () => {
    const { monitor, onUnhealthy } = setup({ maxMisses: 2 });
    monitor.record(false);
    expect(monitor.state).toBe("unknown");
    monitor.record(false);
    expect(monitor.state).toBe("unhealthy");
    expect(onUnhealthy).toHaveBeenCalledTimes(1);
    monitor.reset();
    expect(monitor.state).toBe("unknown");
    expect(monitor.misses).toBe(0);
  });

  it("refuses nonsensical settings", () => {
    const base = { ping: async () => true, isBusy: () => false };
    expect(() => new HealthMonitor({ ...base, intervalMs: 0, timeoutMs: 1, maxMisses: 1 })).toThrow(
      MCPConfigurationError,
    );
    expect(() => new HealthMonitor({ ...base, intervalMs: 1, timeoutMs: 1, maxMisses: 0 })).toThrow(
      MCPConfigurationError,
    );
  });
});

import { afterEach, describe, expect, it, vi } from "vitest";

import { MCPConfigurationError } from "../../../src/errors/errors.js";
import { Backoff, backoffFromSeconds } from "../../../src/resilience/backoff.js";
import { sleepOn, systemClock } from "../../../src/resilience/clock.js";

// backoff.ts had its own sleep on the system clock; every wait now goes through sleepOn.
const sleep = (ms: number, signal?: AbortSignal) => sleepOn(systemClock, ms, signal);

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("Backoff", () => {
  it("gives an exact, capped sequence with a fixed random value (K1)", () => {
    vi.spyOn(Math, "random").mockReturnValue(0.5);
    const backoff = new Backoff({ initialDelayMs: 1000, maxDelayMs: 30_000 });
    const delays = Array.from({ length: 8 }, () => backoff.next());
    // Half jitter: floor((d + 0.5 d) / 2) = 0.75 d, with d = min(30 000, 1000 × 2^n).
    expect(delays).toEqual([750, 1500, 3000, 6000, 12_000, 22_500, 22_500, 22_500]);
  });

  it("never produces NaN or a delay above the cap over 10 000 attempts", () => {
    const backoff = new Backoff({ initialDelayMs: 128, maxDelayMs: 30_000 });
    for (let i = 0; i < 10_000; i++) {
      const delay = backoff.next();
      expect(Number.isFinite(delay)).toBe(true);
      expect(delay).toBeLessThanOrEqual(30_000);
      expect(delay).toBeGreaterThanOrEqual(0);
    }
  });

  it("keeps each delay within [d/2, d] with real randomness (K2)", () => {
    for (let run = 0; run < 200; run++) {
      const backoff = new Backoff({ initialDelayMs: 100, maxDelayMs: 5_000 });
      for (let n = 0; n < 10; n++) {
        const nominal = Math.min(5_000, 100 * 2 ** n);
        const delay = backoff.next();
        expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
        expect(delay).toBeLessThanOrEqual(nominal);
      }
    }
  });

  it("starts over after reset", () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    const backoff = new Backoff({ initialDelayMs: 1000, maxDelayMs: 8000 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });

  it("refuses nonsensical options", () => {
    expect(() => new Backoff({ initialDelayMs: 0, maxDelayMs: 10 })).toThrow(MCPConfigurationError);
    expect(() => new Backoff({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow(MCPConfigurationError);
  });
});

describe("backoffFromSeconds", () => {
  it("turns 0 and sub-millisecond delays into 1 ms and never caps below the first delay", () => {
    expect(backoffFromSeconds(0, 30).next()).toBeLessThanOrEqual(1);
    expect(backoffFromSeconds(0.0001, 30).next()).toBeLessThanOrEqual(1);
    const capped = backoffFromSeconds(60, 30);
    expect(capped.next()).toBeLessThanOrEqual(60_000);
    expect(capped.next()).toBeLessThanOrEqual(60_000);
  });
});

describe("sleep", () => {
  it("resolves after the delay and not before", async () => {
    vi.useFakeTimers();
    let done = false;
    const pending = sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await pending;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects at once when aborted and leaves no timer", async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const pending = expect(sleep(10_000, controller.signal)).rejects.toBe("stop");
    controller.abort("stop");
    await pending;
    expect(vi.getTimerCount()).toBe(0);
    await expect(sleep(1, controller.signal)).rejects.toBe("stop");
  });
});

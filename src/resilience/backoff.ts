import type { IBackoff } from "cockatiel";
import { ExponentialBackoff, halfJitterGenerator } from "cockatiel";

import { OptionIssues } from "../config/optionIssues.js";

export interface BackoffOptions {
  /** Nominal first delay in milliseconds; delay n is `initialDelayMs × 2^n`. */
  initialDelayMs: number;
  /** Cap on any single delay, in milliseconds. */
  maxDelayMs: number;
}

/**
 * Exponential backoff with half jitter: delay n lies in [d/2, d) where d = min(max, initial × 2^n).
 * Half jitter (rather than full) keeps a real pause between reconnect attempts while still spreading
 * a fleet of clients that lost the same server. Backed by cockatiel's generator.
 */
export class Backoff {
  private readonly factory: ExponentialBackoff<number>;
  private current: IBackoff<unknown> | undefined;

  constructor(options: BackoffOptions) {
    const check = new OptionIssues("the reconnect backoff");
    const initial = check.number("initialDelayMs", options.initialDelayMs, {
      min: 0,
      exclusiveMin: true,
      unit: "ms",
    });
    // Against the first delay only when that one is valid: one problem is reported once.
    if (check.issues.length === 0)
      check.number("maxDelayMs", options.maxDelayMs, {
        min: initial,
        max: Number.POSITIVE_INFINITY,
        unit: "ms",
      });
    check.throwIfAny();
    this.factory = new ExponentialBackoff({
      initialDelay: options.initialDelayMs,
      maxDelay: options.maxDelayMs,
      generator: halfJitterGenerator,
    });
  }

  /** The next delay in milliseconds. */
  next(): number {
    this.current = this.current ? this.current.next(undefined) : this.factory.next();
    return this.current.duration;
  }

  /** Starts the schedule over (after a success). */
  reset(): void {
    this.current = undefined;
  }
}

/**
 * A backoff from seconds, as configs and options give them: `initialSeconds` 0 (or below a
 * millisecond) becomes 1 ms, "again almost at once", never a RangeError; the cap is never below it.
 */
export function backoffFromSeconds(initialSeconds: number, maxSeconds: number): Backoff {
  const initialDelayMs = Math.max(1, initialSeconds * 1000);
  return new Backoff({ initialDelayMs, maxDelayMs: Math.max(initialDelayMs, maxSeconds * 1000) });
}

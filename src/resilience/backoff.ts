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
 * a fleet of clients that lost the same server. The formula is cockatiel's `halfJitterGenerator`,
 * written out here: a dependency for one line was not worth its import cost.
 */
export class Backoff {
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private attempt = 0;

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
    this.initialDelayMs = options.initialDelayMs;
    this.maxDelayMs = options.maxDelayMs;
  }

  /** The next delay in milliseconds. */
  next(): number {
    const nominal = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt++);
    return Math.floor((nominal + Math.random() * nominal) / 2);
  }

  /** Starts the schedule over (after a success). */
  reset(): void {
    this.attempt = 0;
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

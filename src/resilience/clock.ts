/**
 * Time as a dependency. The resilience code (breaker, health monitor, concurrency limit, reconnect
 * schedule) never reads `Date.now()` or calls `setTimeout` itself: it asks a `Clock`, so tests drive
 * time by hand (`ManualClock`) or with fake timers, in the spirit of Polly's `TimeProvider`.
 */

import { onAbort } from "../common/abort.js";
import { clearSafeTimeout, setSafeTimeout } from "../common/timers.js";

/** An opaque timer returned by `Clock.setTimeout`. */
export type ClockTimer = object;

export interface ClockTimerOptions {
  /** Do not keep the Node process alive for this timer (health checks, idle eviction). @default false */
  unref?: boolean | undefined;
}

export interface Clock {
  /** Monotonic milliseconds (only differences are meaningful). */
  now(): number;
  /**
   * Runs `callback` after `ms`. Every number must be safe to pass: NaN and negative delays are due
   * at once, Infinity is never due, and a delay beyond Node's `MAX_TIMER_MS` is kept, not shortened.
   */
  setTimeout(callback: () => void, ms: number, options?: ClockTimerOptions): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
}

/**
 * Longest delay Node's `setTimeout` honours: 2^31−1 ms, about 24.8 days. A longer one (Infinity
 * included) fires after 1 ms instead, with a `TimeoutOverflowWarning`, which turned "no limit" into
 * "1 ms" before every timer went through `systemClock` (its timers are `common/timers.ts`'s).
 */
export { MAX_TIMER_MS } from "../common/timers.js";

/**
 * The real clock. Its timers are `setSafeTimeout`'s, which look the globals up on every call rather
 * than capturing them, so vitest's fake timers (installed after this module loads) take effect.
 * Every delay is safe to pass: NaN and negative ones fire at once, Infinity never fires, and one
 * beyond `MAX_TIMER_MS` fires on time through a chain of timers.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms, options) => setSafeTimeout(callback, ms, options),
  clearTimeout: (timer) => clearSafeTimeout(timer),
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason as soon as `signal` aborts.
 * No timer or listener outlives it; however many sleeps share one signal, it gets one listener.
 */
export function sleepOn(
  clock: Clock,
  ms: number,
  signal?: AbortSignal,
  options?: ClockTimerOptions,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const stopWaiting = signal
      ? onAbort(signal, () => {
          clock.clearTimeout(timer);
          reject(signal.reason);
        })
      : undefined;
    const timer = clock.setTimeout(
      () => {
        stopWaiting?.();
        resolve();
      },
      ms,
      options,
    );
  });
}

interface ManualTimer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to. `advance(ms)` runs every timer that falls due, in due order
 * (ties in creation order), with `now()` set to each timer's due time while it runs.
 */
export class ManualClock implements Clock {
  private time: number;
  private sequence = 0;
  private readonly timers = new Map<number, ManualTimer>();

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): ClockTimer {
    // Like systemClock: NaN and negative delays are due now, Infinity never.
    const timer: ManualTimer = { id: ++this.sequence, due: this.time + (ms > 0 ? ms : 0), callback };
    this.timers.set(timer.id, timer);
    return timer;
  }

  clearTimeout(timer: ClockTimer | undefined): void {
    if (timer && "id" in timer) this.timers.delete((timer as ManualTimer).id);
  }

  /** Timers not yet run. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running the timers that fall due on the way. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers.values()) {
        if (
          timer.due <= target &&
          (!next || timer.due < next.due || (timer.due === next.due && timer.id < next.id))
        )
          next = timer;
      }
      if (!next) break;
      this.timers.delete(next.id);
      this.time = Math.max(this.time, next.due);
      next.callback();
    }
    this.time = target;
  }
}

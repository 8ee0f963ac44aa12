/**
 * Time as a dependency. The resilience code (breaker, health monitor, concurrency limit, reconnect
 * schedule) never reads `Date.now()` or calls `setTimeout` itself: it asks a `Clock`, so tests drive
 * time by hand (`ManualClock`) or with fake timers, in the spirit of Polly's `TimeProvider`.
 */

/** An opaque timer returned by `Clock.setTimeout`. */
export type ClockTimer = object;

export interface ClockTimerOptions {
  /** Do not keep the Node process alive for this timer (health checks, idle eviction). @default false */
  unref?: boolean | undefined;
}

export interface Clock {
  /** Monotonic milliseconds (only differences are meaningful). */
  now(): number;
  setTimeout(callback: () => void, ms: number, options?: ClockTimerOptions): ClockTimer;
  clearTimeout(timer: ClockTimer | undefined): void;
}

/**
 * The real clock. It looks the globals up on every call rather than capturing them, so vitest's
 * fake timers (installed after this module loads) take effect.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, ms, options) {
    const timer = setTimeout(callback, Math.max(0, ms));
    if (options?.unref) timer.unref();
    return timer;
  },
  clearTimeout(timer) {
    if (timer !== undefined) clearTimeout(timer as ReturnType<typeof setTimeout>);
  },
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason as soon as `signal` aborts.
 * No timer or listener outlives it.
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
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      ms,
      options,
    );
    signal?.addEventListener("abort", onAbort, { once: true });
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
    const timer: ManualTimer = { id: ++this.sequence, due: this.time + Math.max(0, ms), callback };
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

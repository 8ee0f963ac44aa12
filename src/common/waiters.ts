/**
 * A FIFO queue of callers waiting for something to be handed to them (a free slot, a pooled
 * client), each with an optional deadline and abort signal. A waiter that times out or is aborted
 * leaves the queue at once, its timer and its abort listener removed, so its place is free for the
 * next caller and nothing of it outlives the wait.
 */

import { onAbort } from "./abort.js";

/** The timer functions the queue needs (the resilience `Clock` fits). */
export interface WaiterTimers {
  setTimeout(callback: () => void, ms: number): object;
  clearTimeout(timer: object | undefined): void;
}

export interface WaitOptions {
  /** Milliseconds until the wait fails with `timeoutError()`; undefined or not finite: no deadline. */
  timeoutMs?: number | undefined;
  /** The error of a wait whose deadline passed (given `timeoutMs`). */
  timeoutError?: ((timeoutMs: number) => unknown) | undefined;
  /** Aborting it fails the wait with `abortError(signal)`; check `signal.aborted` before waiting. */
  signal?: AbortSignal | undefined;
  abortError?: ((signal: AbortSignal) => unknown) | undefined;
}

interface Waiter<T> {
  settle: (outcome: { value: T } | { error: unknown }) => void;
}

export class WaiterQueue<T> {
  private readonly waiters: Array<Waiter<T>> = [];

  constructor(private readonly timers: WaiterTimers) {}

  /** Callers waiting now. */
  get length(): number {
    return this.waiters.length;
  }

  /** Waits, behind every earlier waiter, until `wakeNext` hands this one a value. */
  wait(options: WaitOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: object | undefined;
      let stopWaiting: (() => void) | undefined;
      const waiter: Waiter<T> = {
        settle: (outcome) => {
          this.timers.clearTimeout(timer);
          stopWaiting?.();
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          if ("value" in outcome) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      const { signal, abortError, timeoutMs, timeoutError } = options;
      // One listener per signal however many callers wait on it (a shared signal is not a leak).
      if (signal && abortError)
        stopWaiting = onAbort(signal, () => waiter.settle({ error: abortError(signal) }));
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && timeoutError) {
        timer = this.timers.setTimeout(() => waiter.settle({ error: timeoutError(timeoutMs) }), timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  /** Hands `value` to the oldest waiter; false when nobody waits. */
  wakeNext(value: T): boolean {
    const next = this.waiters[0];
    if (!next) return false;
    next.settle({ value });
    return true;
  }

  /** Fails every waiter, oldest first. */
  failAll(error: () => unknown): void {
    for (const waiter of [...this.waiters]) waiter.settle({ error: error() });
  }
}

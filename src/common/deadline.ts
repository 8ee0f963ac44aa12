import { clearSafeTimeout, type SafeTimer, setSafeTimeout } from "./timers.js";

/**
 * The timers a deadline runs on. `resilience/clock.ts`'s `Clock` (and its `ManualClock`) fits this
 * shape; common/ imports nothing of ours, so the shape is stated here.
 */
export interface DeadlineTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): SafeTimer;
  clearTimeout(timer: SafeTimer | undefined): void;
}

/** Safe timers (any delay, fake timers take effect) and wall-clock time for the paused-time sums. */
const SAFE_TIMERS: DeadlineTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setSafeTimeout(callback, ms),
  clearTimeout: (timer) => clearSafeTimeout(timer),
};

/** Waits for all of `promises`; then rejects with the first failure in list order, or resolves with every value. */
export async function settledInOrder<T extends readonly unknown[]>(promises: {
  readonly [K in keyof T]: Promise<T[K]>;
}): Promise<T> {
  const outcomes = await Promise.allSettled(promises);
  for (const outcome of outcomes) if (outcome.status === "rejected") throw outcome.reason;
  return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** Stops and restarts a deadline's clock (nested pauses allowed). */
export interface DeadlineClock {
  pause(): void;
  resume(): void;
}

/**
 * Resolves with `promise`, or rejects with `onTimeout()` after `ms` (running `onExpire` first, which
 * tears down whatever the promise was waiting for). The timer never outlives the race. `clock`
 * receives the controls that stop the clock while waiting for a person (an interactive login), and
 * `undefined` once the race is over. `timers` is what the deadline runs on (tests pass a ManualClock).
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  onExpire: () => void,
  clock?: (controls: DeadlineClock | undefined) => void,
  timers: DeadlineTimers = SAFE_TIMERS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let remaining = ms;
    let armedAt = 0;
    let pauses = 0;
    let timer: SafeTimer | undefined;
    const arm = () => {
      armedAt = timers.now();
      timer = timers.setTimeout(() => {
        done = true;
        clock?.(undefined);
        onExpire();
        reject(onTimeout());
      }, remaining);
    };
    const settle = () => {
      done = true;
      timers.clearTimeout(timer);
      clock?.(undefined);
    };
    arm();
    clock?.({
      pause() {
        if (done || pauses++ > 0) return;
        timers.clearTimeout(timer);
        remaining -= timers.now() - armedAt;
      },
      resume() {
        if (done || --pauses > 0) return;
        arm();
      },
    });
    promise.then(
      (value) => {
        if (done) return;
        settle();
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        settle();
        reject(error);
      },
    );
  });
}

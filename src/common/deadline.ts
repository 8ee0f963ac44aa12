import { clearSafeTimeout, type SafeTimer as ClockTimer, setSafeTimeout } from "./timers.js";

const systemClock = { setTimeout: setSafeTimeout, clearTimeout: clearSafeTimeout };

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
 * receives the controls that stop the clock while waiting for a person (an interactive login).
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  onExpire: () => void,
  clock?: (controls: DeadlineClock | undefined) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let remaining = ms;
    let armedAt = 0;
    let pauses = 0;
    let timer: ClockTimer | undefined;
    const arm = () => {
      armedAt = Date.now();
      timer = systemClock.setTimeout(() => {
        done = true;
        clock?.(undefined);
        onExpire();
        reject(onTimeout());
      }, remaining);
    };
    const settle = () => {
      done = true;
      systemClock.clearTimeout(timer);
      clock?.(undefined);
    };
    arm();
    clock?.({
      pause() {
        if (done || pauses++ > 0) return;
        systemClock.clearTimeout(timer);
        remaining -= Date.now() - armedAt;
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

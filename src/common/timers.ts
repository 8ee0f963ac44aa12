/**
 * A `setTimeout` that takes any delay.
 *
 * Node's `setTimeout` honours at most 2^31−1 ms (about 24.8 days); a longer delay, Infinity included,
 * fires after 1 ms instead, with a `TimeoutOverflowWarning`. A delay a caller or a config chose
 * ("no limit", a long wait) must never turn into "now", so every such timer goes through here: the
 * resilience clock (`systemClock`) and layers below it that cannot use the clock (the OAuth loopback
 * listener) alike.
 */

/** Longest delay one Node timer honours: 2^31−1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** An opaque timer returned by `setSafeTimeout`. */
export type SafeTimer = object;

export interface SafeTimerOptions {
  /** Do not keep the Node process alive for this timer. @default false */
  unref?: boolean | undefined;
}

/** A delay too long for one Node timer: a chain of maximal timers, re-armed until the delay is used up. */
class LongTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private cancelled = false;

  constructor(
    private readonly callback: () => void,
    private remaining: number,
    private readonly unref: boolean,
  ) {
    this.arm();
  }

  private arm(): void {
    const step = Math.min(this.remaining, MAX_TIMER_MS);
    this.remaining -= step;
    this.timer = setTimeout(() => {
      if (this.cancelled) return;
      if (this.remaining > 0) this.arm();
      else this.callback();
    }, step);
    if (this.unref) this.timer.unref();
  }

  cancel(): void {
    this.cancelled = true;
    clearTimeout(this.timer);
  }
}

/** The timer of an infinite delay: nothing is armed, so nothing fires and nothing keeps Node alive. */
const NEVER: SafeTimer = Object.freeze({ never: true });

/**
 * Runs `callback` after `ms`: NaN and negative delays fire at once, Infinity never fires (nothing is
 * armed), and a delay beyond `MAX_TIMER_MS` fires on time through a chain of timers. The global
 * `setTimeout` is looked up on every call, so fake timers installed later (vitest) take effect.
 */
export function setSafeTimeout(callback: () => void, ms: number, options?: SafeTimerOptions): SafeTimer {
  const delay = ms > 0 ? ms : 0;
  if (delay === Infinity) return NEVER;
  if (delay > MAX_TIMER_MS) return new LongTimer(callback, delay, options?.unref === true);
  const timer = setTimeout(callback, delay);
  if (options?.unref) timer.unref();
  return timer;
}

/** Stops a timer of `setSafeTimeout`; undefined and stopped timers are fine. */
export function clearSafeTimeout(timer: SafeTimer | undefined): void {
  if (timer === undefined || timer === NEVER) return;
  if (timer instanceof LongTimer) timer.cancel();
  else clearTimeout(timer as ReturnType<typeof setTimeout>);
}

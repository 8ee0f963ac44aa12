import type { Backoff } from "./backoff.js";
import type { Clock } from "./clock.js";
import { sleepOn } from "./clock.js";

/** How one reconnect cycle runs. */
export interface ReconnectPlan {
  /** Start counting attempts (and the backoff) from zero, whatever earlier cycles used. */
  fresh: boolean;
  /** Attempts, counted over cycles unless `fresh` or the connection stayed up long enough. */
  maxAttempts: number;
  /** The first attempt of this cycle runs at once instead of after a backoff delay. */
  firstImmediately: boolean;
  backoff: Backoff;
}

/** What one attempt came to. "not-counted": it never ran (someone else holds the breaker's probe). */
export type AttemptResult = "connected" | "failed" | "not-counted";

/** How a cycle ended: connected, out of attempts (or isolated by the breaker), or stopped by the signal. */
export type ReconnectOutcome = "connected" | "gave-up" | "aborted";

/** The `reconnecting` event's fields besides the server's name. */
export interface ReconnectAttemptEvent {
  attempt: number;
  delaySeconds: number;
  message: string;
}

export interface ReconnectLoopOptions {
  /** The server's name, for the event's message. */
  server: string;
  plan: ReconnectPlan;
  clock: Clock;
  signal: AbortSignal;
  /** Where the attempt count lives; it carries over between cycles (read by status and events). */
  counter: { attempts: number };
  /**
   * Counting starts over when the last connection (up since `connectedAt` on `clock`) stayed up for
   * `afterMs`: a server that crashes right after `initialize` keeps backing off instead of restarting
   * at full speed forever.
   */
  healthyReset?: { connectedAt: number | undefined; afterMs: number } | undefined;
  /** Seconds the breaker still refuses an attempt (0 when closed); Infinity (isolated by hand) gives up. */
  retryAfter?: (() => number) | undefined;
  /** Announces an attempt before its wait. */
  onAttempt(event: ReconnectAttemptEvent): void;
  /** Tears down and connects once. */
  attempt(): Promise<AttemptResult>;
  /**
   * A connect that finished after the signal aborted: undo it, so no server is left running. Without
   * it, such a connect counts as "connected".
   */
  abandon?: (() => Promise<void>) | undefined;
}

/**
 * One reconnect cycle, shared by `MCPClient.reconnect()` and the multi-client's automatic reconnect:
 * finite attempts, exponential backoff with half jitter and a cap (the plan's), an optional breaker
 * gate (an attempt waits for the breaker's recovery time and is itself the probe), every wait on the
 * injected clock and stopped by `signal`. It only counts and waits; the caller connects, emits and
 * decides what the outcome means.
 */
export async function runReconnectLoop(options: ReconnectLoopOptions): Promise<ReconnectOutcome> {
  const { plan, counter, signal, clock } = options;
  const reset = options.healthyReset;
  const stable =
    reset !== undefined &&
    reset.connectedAt !== undefined &&
    clock.now() - reset.connectedAt >= reset.afterMs;
  if (plan.fresh || stable) {
    counter.attempts = 0;
    plan.backoff.reset();
  }
  let first = true;
  while (!signal.aborted) {
    if (counter.attempts >= plan.maxAttempts) return "gave-up";
    const breakerWait = options.retryAfter?.() ?? 0;
    if (!Number.isFinite(breakerWait)) return "gave-up";
    const delayMs = first && plan.firstImmediately ? 0 : plan.backoff.next();
    first = false;
    const waitMs = Math.max(delayMs, breakerWait * 1000);
    counter.attempts++;
    options.onAttempt({
      attempt: counter.attempts,
      delaySeconds: waitMs / 1000,
      message:
        waitMs > 0
          ? `Reconnecting to "${options.server}" in ${(waitMs / 1000).toFixed(1)} s (attempt ${counter.attempts} of ${plan.maxAttempts})`
          : `Reconnecting to "${options.server}" (attempt ${counter.attempts} of ${plan.maxAttempts})`,
    });
    try {
      // Kept ref'd: someone may be awaiting this cycle (reconnect(), connect()), and an unref'd wait
      // would let Node exit with that promise never settled. The signal ends it.
      if (waitMs > 0) await sleepOn(clock, waitMs, signal);
    } catch {
      return "aborted";
    }
    if (signal.aborted) return "aborted";
    const result = await options.attempt();
    if (result === "connected") {
      // A caller with nothing to undo (MCPClient.reconnect(): its own signal aborted during the
      // health check) keeps the connection it made, and says so.
      if (!signal.aborted || !options.abandon) return "connected";
      await options.abandon();
      return "aborted";
    }
    if (signal.aborted) return "aborted";
    if (result === "not-counted") counter.attempts--;
  }
  return "aborted";
}

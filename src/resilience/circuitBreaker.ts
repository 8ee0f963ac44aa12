/**
 * The per-server circuit breaker: rows B1–B12 of docs/fault-matrix.md (§7.3), each pinned by its
 * test in test/unit/resilience/circuitBreaker.test.ts.
 *
 * Why not cockatiel's `CircuitBreakerPolicy` (already a dependency, used for backoff and bulkhead
 * ideas): its semantics differ from those rows exactly where it matters for MCP servers.
 * - During half-open it makes every other caller wait for the probe's verdict; we must reject them
 *   at once with `MCPCircuitOpenError` (retryAfter 0), as Polly and opossum do.
 * - An error its filter does not handle counts as a success in half-open and closes the circuit;
 *   we need a third outcome, "neutral" (caller abort, policy refusal, queue full), which decides
 *   nothing — a probe cancelled by its caller releases the probe slot and the next call probes.
 * - It has no generation check: a late result of a call admitted before the circuit opened must be
 *   ignored, not re-open or close it (Polly's rule; opossum #381).
 * - Its open error carries no retry-after, and no cause; ours says when the server is tried again
 *   and carries the failure that opened it.
 * - Its clock is global time; ours is injected, so every transition is tested without sleeping.
 *
 * States are string literals. Open → half-open is lazy: nothing happens until a call arrives after
 * the recovery time, and that call is the single probe (the health monitor and reconnect loop act as
 * callers, so an idle server still recovers). The break duration doubles per re-open up to ×8 of
 * `recovery_timeout` (MassGen's schedule) and resets when the circuit closes.
 */
import {
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_RECOVERY_TIMEOUT_SECONDS,
  MAX_RECOVERY_MULTIPLIER,
} from "../config/defaults.js";
import { OptionIssues } from "../config/optionIssues.js";
import type { CircuitBreakerConfig } from "../config/types.js";
import { MCPCircuitOpenError } from "../errors/errors.js";
import type { BreakerPolicy } from "./breakerPolicies.js";
import { ConsecutiveFailurePolicy } from "./breakerPolicies.js";
import type { Clock } from "./clock.js";
import { systemClock } from "./clock.js";
import type { Outcome } from "./outcome.js";
import { classifyOutcome } from "./outcome.js";

/**
 * - `closed`: calls go through; failures are counted.
 * - `open`: calls fail fast; nothing is sent.
 * - `half-open`: the recovery time is over; one probe call is (or may be) running, others fail fast.
 * - `isolated`: held open by hand (`isolate()`) until every isolation handle is disposed.
 */
export type CircuitState = "closed" | "open" | "half-open" | "isolated";

export interface CircuitStateChange {
  server: string;
  from: CircuitState;
  to: CircuitState;
  /** Why, in words ("3 consecutive failures", "probe succeeded", …). */
  reason: string;
  message: string;
  /** Seconds until the next probe is allowed (0 unless the circuit is open). */
  retryAfter: number;
  /** The failure that opened the circuit, for transitions to open. */
  cause?: unknown;
}

export interface CircuitBreakerSnapshot {
  state: CircuitState;
  /** Consecutive failures counted while closed. */
  consecutiveFailures: number;
  /** Seconds until a probe is allowed; 0 when closed, half-open or probe-eligible; Infinity while isolated. */
  retryAfter: number;
  /** Times the circuit re-opened after a failed probe since it last closed. */
  reopenCount: number;
  /** Seconds the current (or last) opening lasts. */
  breakDuration: number;
  /** The failure that opened the circuit (kept until it closes). */
  lastFailure: unknown;
  /** True while the single probe call is running. */
  probing: boolean;
}

export interface CircuitBreakerOptions {
  /** The server the breaker guards, for messages and events. */
  name: string;
  /** Consecutive failures that open the circuit (used when no `policy` is given). @default 5 */
  failureThreshold?: number | undefined;
  /** Seconds open before one probe is let through. @default 30 */
  recoveryTimeout?: number | undefined;
  /** The break grows ×2 per re-open up to this multiple of `recoveryTimeout`. @default 8 */
  maxRecoveryMultiplier?: number | undefined;
  /** Error class names (or codes) that count as failures; see `classifyOutcome`. */
  expectedException?: readonly string[] | undefined;
  /** Replaces the consecutive-failure policy. */
  policy?: BreakerPolicy | undefined;
  /** Replaces the outcome classification. */
  classify?: ((error: unknown) => Outcome) | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
}

/** What `execute` remembers about an admitted call. */
interface Admission {
  generation: number;
  probe: boolean;
}

export type StateChangeListener = (change: CircuitStateChange) => void;

/** A manual isolation; disposing it (once) releases it. */
export interface IsolationHandle {
  dispose(): void;
  [Symbol.dispose](): void;
}

export class CircuitBreaker {
  readonly name: string;
  private readonly policy: BreakerPolicy;
  private readonly classify: (error: unknown) => Outcome;
  private readonly clock: Clock;
  private readonly recoveryMs: number;
  private readonly maxMultiplier: number;
  private readonly listeners = new Set<StateChangeListener>();

  private mode: "closed" | "open" = "closed";
  private probing = false;
  private openedAt = 0;
  private breakMs = 0;
  private reopens = 0;
  private lastFailure: unknown;
  /** Bumped on every transition: results of calls admitted in an older generation are ignored. */
  private generation = 0;
  private isolations = 0;
  /** Bumped by reset(), which voids every outstanding isolation handle. */
  private isolationEpoch = 0;
  /** State as last reported through events (the lazy open → half-open is reported on admission). */
  private reported: CircuitState = "closed";

  constructor(options: CircuitBreakerOptions) {
    const check = new OptionIssues(`the circuit breaker of server "${options.name}"`, {
      serverName: options.name,
    });
    const recovery = check.number(
      "recoveryTimeout",
      options.recoveryTimeout ?? DEFAULT_RECOVERY_TIMEOUT_SECONDS,
      {
        min: 0,
        exclusiveMin: true,
        unit: "seconds",
      },
    );
    const multiplier = check.number(
      "maxRecoveryMultiplier",
      options.maxRecoveryMultiplier ?? MAX_RECOVERY_MULTIPLIER,
      {
        min: 1,
      },
    );
    const threshold = check.wholeNumber(
      "failureThreshold",
      options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
      {
        min: 1,
      },
    );
    check.throwIfAny();
    this.name = options.name;
    this.policy = options.policy ?? new ConsecutiveFailurePolicy(threshold);
    const expected = options.expectedException;
    this.classify = options.classify ?? ((error) => classifyOutcome(error, expected));
    this.clock = options.clock ?? systemClock;
    this.recoveryMs = recovery * 1000;
    this.maxMultiplier = multiplier;
  }

  /** A breaker configured from a server's `circuit_breaker` section. */
  static fromConfig(name: string, config: CircuitBreakerConfig, clock?: Clock): CircuitBreaker {
    return new CircuitBreaker({
      name,
      failureThreshold: config.failureThreshold,
      recoveryTimeout: config.recoveryTimeout,
      expectedException: config.expectedException,
      clock,
    });
  }

  /** The state now. `half-open` once the recovery time is over, even before a probe arrives. */
  get state(): CircuitState {
    if (this.isolations > 0) return "isolated";
    if (this.mode === "closed") return "closed";
    return this.probing || this.remainingMs() === 0 ? "half-open" : "open";
  }

  /** Seconds until a call would be admitted (0 when it would be now; Infinity while isolated). */
  get retryAfter(): number {
    if (this.isolations > 0) return Number.POSITIVE_INFINITY;
    if (this.mode === "closed" || this.probing) return 0;
    return this.remainingMs() / 1000;
  }

  /** True when a call made now would be admitted (closed, or open with the probe slot free and due). */
  wouldAdmit(): boolean {
    if (this.isolations > 0) return false;
    if (this.mode === "closed") return true;
    return !this.probing && this.remainingMs() === 0;
  }

  snapshot(): CircuitBreakerSnapshot {
    return {
      state: this.state,
      consecutiveFailures: this.policy.failures,
      retryAfter: this.retryAfter,
      reopenCount: this.reopens,
      breakDuration: (this.mode === "open" ? this.breakMs : this.recoveryMs) / 1000,
      lastFailure: this.lastFailure,
      probing: this.probing,
    };
  }

  /** Subscribes to state changes; returns the function that unsubscribes. */
  onStateChange(listener: StateChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Runs `fn` if the circuit admits a call now, and records its outcome.
   * @throws MCPCircuitOpenError (nothing was run) when the circuit is open, isolated, or a probe is running.
   */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const admission = this.admit();
    let result: T;
    try {
      result = await fn();
    } catch (error) {
      this.settle(admission, this.classify(error), error);
      throw error;
    }
    this.settle(admission, "success", undefined);
    return result;
  }

  /** Throws the error `execute` would throw right now, without admitting anything. */
  assertCanExecute(): void {
    if (!this.wouldAdmit()) throw this.openError();
  }

  /**
   * Holds the circuit open until the returned handle is disposed. Isolations nest: the circuit
   * closes when the last handle is disposed. Disposing a handle twice does nothing.
   */
  isolate(): IsolationHandle {
    const before = this.state;
    this.isolations++;
    this.generation++;
    this.probing = false;
    if (before !== "isolated") this.transition("isolated", "isolated by hand", undefined);
    let disposed = false;
    const epoch = this.isolationEpoch;
    const dispose = () => {
      if (disposed) return;
      disposed = true;
      if (epoch !== this.isolationEpoch) return; // reset() already released it.
      this.isolations--;
      if (this.isolations === 0) this.close("isolation released");
    };
    return { dispose, [Symbol.dispose]: dispose };
  }

  /** Closes the circuit now, releasing isolations and forgetting failures and the break schedule. */
  reset(): void {
    const wasClosed = this.state === "closed";
    this.isolations = 0;
    this.isolationEpoch++;
    if (wasClosed) {
      this.policy.reset();
      return;
    }
    this.close("reset by hand");
  }

  private remainingMs(): number {
    return Math.max(0, this.openedAt + this.breakMs - this.clock.now());
  }

  private admit(): Admission {
    if (this.isolations > 0) throw this.openError();
    if (this.mode === "closed") return { generation: this.generation, probe: false };
    if (this.probing || this.remainingMs() > 0) throw this.openError();
    this.probing = true;
    this.generation++;
    this.transition("half-open", "recovery time elapsed; one probe call is let through", undefined);
    return { generation: this.generation, probe: true };
  }

  private settle(admission: Admission, outcome: Outcome, error: unknown): void {
    // A call admitted before the last transition: its verdict is stale (opossum #381, Polly).
    if (admission.generation !== this.generation) return;
    if (admission.probe) {
      this.probing = false;
      if (outcome === "success") this.close("probe call succeeded");
      else if (outcome === "failure") this.open(error, true);
      // Neutral (e.g. the probe's caller aborted): no decision; the next call probes.
      return;
    }
    if (outcome === "success") this.policy.success();
    else if (outcome === "failure" && this.policy.failure()) this.open(error, false);
  }

  private open(error: unknown, reopen: boolean): void {
    const failures = this.policy.failures;
    this.reopens = reopen ? this.reopens + 1 : 0;
    this.breakMs = this.recoveryMs * Math.min(2 ** this.reopens, this.maxMultiplier);
    this.openedAt = this.clock.now();
    this.lastFailure = error;
    this.mode = "open";
    this.probing = false;
    this.generation++;
    const reason = reopen
      ? "the probe call failed"
      : `${failures} consecutive failure${failures === 1 ? "" : "s"}`;
    this.transition("open", reason, error);
  }

  private close(reason: string): void {
    this.mode = "closed";
    this.probing = false;
    this.reopens = 0;
    this.breakMs = 0;
    this.lastFailure = undefined;
    this.policy.reset();
    this.generation++;
    this.transition("closed", reason, undefined);
  }

  private transition(to: CircuitState, reason: string, cause: unknown): void {
    const from = this.reported;
    if (from === to) return;
    this.reported = to;
    const retryAfter = to === "open" ? this.breakMs / 1000 : 0;
    const change: CircuitStateChange = {
      server: this.name,
      from,
      to,
      reason,
      retryAfter,
      message:
        to === "open"
          ? `Circuit breaker of server "${this.name}" opened (${reason}); it will be tried again in ${formatSeconds(retryAfter)}`
          : `Circuit breaker of server "${this.name}": ${from} → ${to} (${reason})`,
      ...(cause === undefined ? {} : { cause }),
    };
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's bug must not break the breaker.
      }
    }
  }

  private openError(): MCPCircuitOpenError {
    const cause = this.lastFailure;
    const last = cause instanceof Error ? ` Last failure: ${cause.message}` : "";
    const base = { serverName: this.name, cause };
    if (this.isolations > 0) {
      return new MCPCircuitOpenError(
        `Server "${this.name}" is isolated: its circuit breaker is held open by hand, so nothing was sent. Calls resume when the isolation is released (or reset() is called).`,
        { ...base, retryAfter: Number.POSITIVE_INFINITY, context: { state: "isolated" } },
      );
    }
    if (this.probing) {
      return new MCPCircuitOpenError(
        `Server "${this.name}" is being probed after repeated failures: one test call is running and other calls are refused until it succeeds, so nothing was sent. Try again in a moment.${last}`,
        { ...base, retryAfter: 0, context: { state: "half-open", reopenCount: this.reopens } },
      );
    }
    const retryAfter = this.remainingMs() / 1000;
    return new MCPCircuitOpenError(
      `Server "${this.name}" is unavailable: its circuit breaker is open after repeated failures, so nothing was sent. It will be tried again in ${formatSeconds(retryAfter)}.${last}`,
      {
        ...base,
        retryAfter,
        context: { state: "open", retryAfter, reopenCount: this.reopens, breakDuration: this.breakMs / 1000 },
      },
    );
  }
}

function formatSeconds(seconds: number): string {
  return seconds >= 10 ? `${Math.round(seconds)} s` : `${seconds.toFixed(1)} s`;
}

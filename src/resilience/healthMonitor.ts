/**
 * Periodic health checks of one server. A ping runs every `intervalMs` (the next one is scheduled
 * after the previous finished, so pings never overlap), on unref'd timers so a monitor never keeps
 * the process alive. A tick is skipped while calls are in flight: they are the evidence, and a ping
 * queued behind a slow tool on a single-threaded server would be a false miss. `maxMisses` failed
 * pings in a row make the server unhealthy, reported once per transition through `onUnhealthy`.
 */
import { OptionIssues } from "../config/optionIssues.js";
import type { Clock, ClockTimer } from "./clock.js";
import { systemClock } from "./clock.js";

export type HealthState = "unknown" | "healthy" | "unhealthy";

export interface HealthMonitorOptions {
  intervalMs: number;
  /** Passed to `ping`; the ping must settle within it. */
  timeoutMs: number;
  maxMisses: number;
  /**
   * Pings the server: true = answered, false = missed, undefined = not checked (e.g. not connected,
   * or the breaker refused), which changes nothing. Must not throw.
   */
  ping: (timeoutMs: number) => Promise<boolean | undefined>;
  /** True while calls to the server are in flight; the tick is then skipped. */
  isBusy: () => boolean;
  onChange?: ((state: HealthState, misses: number) => void) | undefined;
  /** Called when the server becomes unhealthy (once per transition). */
  onUnhealthy?: (() => void) | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
}

export class HealthMonitor {
  private readonly options: HealthMonitorOptions;
  private readonly clock: Clock;
  private timer: ClockTimer | undefined;
  private running = false;
  /** Bumped by stop(): a ping that settles after it is ignored. */
  private epoch = 0;
  private currentState: HealthState = "unknown";
  private missCount = 0;
  private checks = 0;
  private skips = 0;

  constructor(options: HealthMonitorOptions) {
    const check = new OptionIssues("the health monitor");
    check.number("intervalMs", options.intervalMs, { min: 0, exclusiveMin: true, unit: "ms" });
    check.number("timeoutMs", options.timeoutMs, { min: 0, exclusiveMin: true, unit: "ms" });
    check.wholeNumber("maxMisses", options.maxMisses, { min: 1 });
    check.throwIfAny();
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  get state(): HealthState {
    return this.currentState;
  }

  /** Missed pings in a row. */
  get misses(): number {
    return this.missCount;
  }

  /** Pings sent and ticks skipped so far (for diagnostics). */
  get stats(): { checks: number; skips: number } {
    return { checks: this.checks, skips: this.skips };
  }

  get active(): boolean {
    return this.running;
  }

  /** Starts ticking (the first ping after one interval). Idempotent. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  /** Stops ticking; a ping in progress is ignored when it settles. Idempotent. */
  stop(): void {
    this.running = false;
    this.epoch++;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Forgets misses and the state (after a reconnect). */
  reset(): void {
    this.missCount = 0;
    this.setState("unknown");
  }

  /** Records evidence from outside the monitor (a health check the user ran, a connect). */
  record(healthy: boolean): void {
    if (healthy) {
      this.missCount = 0;
      this.setState("healthy");
      return;
    }
    this.missCount++;
    if (this.missCount >= this.options.maxMisses) this.setState("unhealthy");
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), this.options.intervalMs, { unref: true });
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const epoch = this.epoch;
    if (this.options.isBusy()) {
      this.skips++;
      this.schedule();
      return;
    }
    let result: boolean | undefined;
    try {
      this.checks++;
      result = await this.options.ping(this.options.timeoutMs);
    } catch {
      result = false;
    }
    if (epoch !== this.epoch) return;
    if (result !== undefined) this.record(result);
    this.schedule();
  }

  private setState(next: HealthState): void {
    if (this.currentState === next) return;
    this.currentState = next;
    this.options.onChange?.(next, this.missCount);
    if (next === "unhealthy") this.options.onUnhealthy?.();
  }
}

import type {
  Prompt,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from "@modelcontextprotocol/client";

import type { ClientEvents, StatusEvent } from "../client/events.js";
import { MCPClient } from "../client/mcpClient.js";
import type { MCPClientOptions } from "../client/options.js";
import {
  DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
  DEFAULT_HEALTH_CHECK_MAX_MISSES,
  DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
} from "../config/defaults.js";
import type { ServerConfig } from "../config/types.js";
import type { MCPError } from "../errors/errors.js";
import { isMCPError, MCPTimeoutError } from "../errors/errors.js";
import { type Backoff, backoffFromSeconds } from "../resilience/backoff.js";
import type { CircuitStateChange } from "../resilience/circuitBreaker.js";
import { CircuitBreaker } from "../resilience/circuitBreaker.js";
import type { Clock } from "../resilience/clock.js";
import { ConcurrencyLimit } from "../resilience/concurrencyLimit.js";
import type { HealthState } from "../resilience/healthMonitor.js";
import { HealthMonitor } from "../resilience/healthMonitor.js";
import { classifyOutcome } from "../resilience/outcome.js";
import { configuredToolFilter } from "../routing/toolFilter.js";
import { asMCPError } from "./messages.js";
import type { MultiMCPClientOptions, ServerConnectOutcome, ServerState } from "./options.js";

/** What a connected server listed, as of its last connect or list change. */
export interface Snapshot {
  tools: Tool[];
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

/** What a slot tells its MultiMCPClient. */
export interface SlotHooks {
  /** Every event of the server's client. */
  onClientEvent(slot: ServerSlot, event: StatusEvent<ClientEvents>): void;
  onBreakerChange(change: CircuitStateChange): void;
  onHealthChange(slot: ServerSlot, health: HealthState, misses: number): void;
  /** The monitor counted `maxMisses` missed pings in a row; `error` says so. */
  onUnhealthy(slot: ServerSlot, error: MCPTimeoutError): void;
}

/**
 * One server inside a MultiMCPClient: its client, circuit breaker, concurrency limit, backoff and
 * health monitor, and the state the multi-client keeps about it. The client is the same object for
 * the slot's whole life; reconnects reuse it.
 */
export class ServerSlot {
  readonly name: string;
  readonly client: MCPClient;
  readonly breaker: CircuitBreaker;
  readonly limit: ConcurrencyLimit;
  /** The backoff of automatic reconnect cycles (`reconnect.initial_delay` … `max_delay`). */
  readonly backoff: Backoff;
  /** Periodic pings, when the server or the client options ask for them. */
  readonly monitor: HealthMonitor | undefined;

  lastError: MCPError | undefined = undefined;
  snapshot: Snapshot | undefined = undefined;
  /** Attempts of the current (or last) reconnect cycle. */
  attempts = 0;
  connectedAt: number | undefined = undefined;
  /** The reconnect cycle running, if any, and the controller that ends it. */
  loop: Promise<boolean> | undefined = undefined;
  loopAbort: AbortController | undefined = undefined;
  /** The connect() attempt in progress, if any. */
  connectTask: Promise<ServerConnectOutcome> | undefined = undefined;

  private current: ServerState = "disconnected";
  private why = "not connected yet";
  private generation = 0;
  /** Errors of work we abandoned by closing the server: neutral for the breaker, whatever their code. */
  private readonly abandoned = new WeakSet<object>();

  constructor(
    readonly config: ServerConfig,
    private readonly clock: Clock,
    options: MultiMCPClientOptions,
    hooks: SlotHooks,
  ) {
    const name = config.name;
    this.name = name;
    const filter = configuredToolFilter(name, config, options);
    const clientOptions: MCPClientOptions = {
      onStatus: (event) => hooks.onClientEvent(this, event),
      environment: options.environment,
      clientInfo: options.clientInfo,
      lookup: options.lookup,
      fetch: options.fetch,
      toolFilter: (tool) => filter(tool.name),
      handlers: options.handlers,
      auth: options.auth,
    };
    this.client = options.createClient
      ? options.createClient(config, clientOptions)
      : new MCPClient(config, clientOptions);
    const expected = config.circuitBreaker.expectedException;
    this.breaker = new CircuitBreaker({
      name,
      failureThreshold: config.circuitBreaker.failureThreshold,
      recoveryTimeout: config.circuitBreaker.recoveryTimeout,
      expectedException: expected,
      clock,
      classify: (error) =>
        typeof error === "object" && error !== null && this.abandoned.has(error)
          ? "neutral"
          : classifyOutcome(error, expected),
    });
    this.breaker.onStateChange((change) => hooks.onBreakerChange(change));
    this.limit = new ConcurrencyLimit({
      name,
      maxInFlight: config.concurrency.maxInFlight,
      maxQueue: config.concurrency.maxQueue,
      clock,
    });
    this.backoff = backoffFromSeconds(config.reconnect.initialDelay, config.reconnect.maxDelay);
    this.monitor = this.createMonitor(options.healthCheck, hooks);
  }

  /**
   * `disconnected` (not started, or after disconnect()), `connecting`, `connected`, `reconnecting`
   * (a reconnect loop is running), `failed` (connect failed, or the loop gave up).
   */
  get state(): ServerState {
    return this.current;
  }

  /** Why the slot is in its state (the last `transition`'s reason), for debugging. */
  get stateReason(): string {
    return this.why;
  }

  /**
   * The one way the state changes, with the reason. No event: the per-server client reports its
   * own connection states (`stateChange`), and the multi-level changes show as `reconnecting`,
   * `reconnected`, `reconnectFailed` and `toolsChanged`.
   */
  transition(to: ServerState, reason: string): void {
    this.current = to;
    this.why = reason;
  }

  /** Connected, and its client says so too. */
  get live(): boolean {
    return this.current === "connected" && this.client.isConnected();
  }

  /**
   * Bumped whenever we close this server on purpose (disconnect(), a strict rollback): work started
   * before the bump and failing after it was abandoned by us, which says nothing about the server.
   */
  get epoch(): number {
    return this.generation;
  }

  /** Closing on purpose: a new epoch, no more pings, and the reconnect cycle (if any) told to stop. */
  abandon(reason: string): void {
    this.generation++;
    this.monitor?.stop();
    this.loopAbort?.abort(new Error(reason));
  }

  /**
   * Runs `fn` through the server's breaker. When `fn` fails because we closed the server meanwhile
   * (disconnect(), a strict rollback, or `signal`), the failure is neutral: our own disconnect must
   * not count against the server, nor re-open a half-open breaker. The caller still gets the error.
   */
  guarded<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const epoch = this.generation;
    return this.breaker.execute(async () => {
      try {
        return await fn();
      } catch (raw) {
        if (this.generation === epoch && !signal?.aborted) throw raw;
        const error: unknown = typeof raw === "object" && raw !== null ? raw : asMCPError(raw, this.name);
        this.abandoned.add(error as object);
        throw error;
      }
    });
  }

  /** The handshake succeeded: record it, take the lists, and (re)start the health monitor. */
  markConnected(reason: string): void {
    this.transition("connected", reason);
    this.connectedAt = this.clock.now();
    this.lastError = undefined;
    this.snapshot = snapshotOf(this.client);
    if (this.monitor) {
      this.monitor.reset();
      this.monitor.start();
    }
  }

  /** Takes the client's lists again (after `list_changed`). */
  refreshSnapshot(): void {
    this.snapshot = snapshotOf(this.client);
  }

  /** One ping through the breaker: true = answered, false = missed, undefined = not checked. */
  async ping(timeoutMs: number): Promise<boolean | undefined> {
    if (this.current !== "connected" || this.loop || !this.client.isConnected()) return undefined;
    if (!this.breaker.wouldAdmit()) return undefined;
    const epoch = this.generation;
    try {
      await this.guarded(async () => {
        if (!(await this.client.healthCheck({ timeout: timeoutMs / 1000 }))) {
          throw new MCPTimeoutError(
            `Server "${this.name}" did not answer a health check (ping) within ${timeoutMs / 1000} s.`,
            { serverName: this.name, timeoutSeconds: timeoutMs / 1000, operation: "ping" },
          );
        }
      });
      return true;
    } catch (error) {
      return isMCPError(error, "CIRCUIT_OPEN") || this.generation !== epoch ? undefined : false;
    }
  }

  /** The server's own `health_check` if it sets an interval, else the client-level option. */
  private createMonitor(
    option: MultiMCPClientOptions["healthCheck"],
    hooks: SlotHooks,
  ): HealthMonitor | undefined {
    const own = this.config.healthCheck;
    let settings: { interval: number; timeout: number; maxMisses: number } | undefined;
    if (own.interval !== undefined) {
      settings = { interval: own.interval, timeout: own.timeout, maxMisses: own.maxMisses };
    } else if (option) {
      const given = option === true ? {} : option;
      settings = {
        interval: given.interval ?? DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
        timeout: given.timeout ?? DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
        maxMisses: given.maxMisses ?? DEFAULT_HEALTH_CHECK_MAX_MISSES,
      };
    }
    if (!settings) return undefined;
    return new HealthMonitor({
      intervalMs: settings.interval * 1000,
      timeoutMs: settings.timeout * 1000,
      maxMisses: settings.maxMisses,
      clock: this.clock,
      ping: (timeoutMs) => this.ping(timeoutMs),
      isBusy: () => this.limit.inFlight > 0 || this.client.inFlight > 0,
      onChange: (health, misses) => hooks.onHealthChange(this, health, misses),
      onUnhealthy: () =>
        hooks.onUnhealthy(
          this,
          new MCPTimeoutError(
            `Server "${this.name}" missed ${settings.maxMisses} health checks in a row; it is being restarted.`,
            { serverName: this.name, timeoutSeconds: settings.timeout, operation: "ping" },
          ),
        ),
    });
  }
}

function snapshotOf(client: MCPClient): Snapshot {
  return {
    tools: [...client.tools.values()],
    resources: [...client.resources.values()],
    templates: [...client.resourceTemplates],
    prompts: [...client.prompts.values()],
  };
}

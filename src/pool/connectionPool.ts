/**
 * A pool of connections to one server, for MassGen's "Connection Pooling" (high-throughput use where
 * one connection would serialise work, e.g. a single-threaded stdio server per worker). Unlike the
 * seed's sketch it is bounded (leased + idle + connecting ≤ size), checks an idle client before
 * handing it out, evicts idle clients on an unref'd timer, bounds the callers waiting for a client
 * (with a timeout and abort), and closes everything it created on `close()`.
 */
import { checkCallOptions, checkSeconds } from "../client/callOptions.js";
import { MCPClient } from "../client/mcpClient.js";
import type { MCPClientOptions } from "../client/options.js";
import type { Unsubscribe } from "../common/events.js";
import { EventHub } from "../common/events.js";
import { WaiterQueue } from "../common/waiters.js";
import {
  DEFAULT_POOL_HEALTH_CHECK_TIMEOUT_SECONDS,
  DEFAULT_POOL_IDLE_TIMEOUT_SECONDS,
  DEFAULT_POOL_MAX_WAITERS,
  DEFAULT_POOL_SIZE,
} from "../config/defaults.js";
import { OptionIssues } from "../config/optionIssues.js";
import { isValidatedConfig } from "../config/serverConfig.js";
import type { ServerConfig, ServerConfigInput } from "../config/types.js";
import { MCPConfigValidator } from "../config/validator.js";
import { MCPCancelledError, MCPConnectionError, MCPError, MCPTimeoutError } from "../errors/errors.js";
import type { Clock, ClockTimer } from "../resilience/clock.js";
import { systemClock } from "../resilience/clock.js";

export interface ConnectionPoolOptions {
  /** Most clients at once (leased + idle + connecting). @default 5 */
  size?: number | undefined;
  /** Seconds an idle client is kept before it is disconnected. @default 300 */
  idleTimeout?: number | undefined;
  /** Seconds `acquire()` waits for a client. @default the server's timeout */
  acquireTimeout?: number | undefined;
  /** Callers that may wait for a client; more are refused with QUEUE_FULL. @default 100 */
  maxWaiters?: number | undefined;
  /** Ping an idle client before handing it out; a dead one is replaced. @default true */
  healthCheckOnAcquire?: boolean | undefined;
  /** Seconds that ping may take. @default 5 */
  healthCheckTimeout?: number | undefined;
  /** Options of every client the pool creates. */
  clientOptions?: MCPClientOptions | undefined;
  /** Builds one client (tests, instrumentation). @default new MCPClient(config, clientOptions) */
  createClient?: ((config: ServerConfig, options: MCPClientOptions) => MCPClient) | undefined;
  /** @default systemClock */
  clock?: Clock | undefined;
  onStatus?: ((event: { type: keyof PoolEvents } & PoolEvents[keyof PoolEvents]) => void) | undefined;
}

export interface PoolEvents {
  /** A client was created and connected. */
  created: { server: string; message: string; size: number };
  /** A client was disconnected and left the pool. */
  destroyed: {
    server: string;
    message: string;
    reason: "idle" | "unhealthy" | "broken" | "closed";
    size: number;
  };
}

export interface AcquireOptions {
  /** Seconds to wait for a client. @default the pool's acquireTimeout */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface PoolStats {
  /** Clients that exist or are being connected. */
  size: number;
  idle: number;
  leased: number;
  connecting: number;
  waiting: number;
}

export class MCPConnectionPool {
  readonly config: ServerConfig;
  readonly size: number;
  private readonly options: ConnectionPoolOptions;
  private readonly clock: Clock;
  private readonly events: EventHub<PoolEvents>;
  private readonly idleTimeoutMs: number;
  private readonly healthCheckTimeout: number;
  private readonly acquireTimeout: number | undefined;
  private readonly maxWaiters: number;
  private readonly idle: Array<{ client: MCPClient; since: number }> = [];
  private readonly leased = new Set<MCPClient>();
  /** Callers waiting for a client: handed one, or undefined (capacity freed up, try again). */
  private readonly waiters: WaiterQueue<MCPClient | undefined>;
  private readonly closing = new Set<Promise<void>>();
  private readonly creating = new Set<Promise<unknown>>();
  private readonly connectingClients = new Set<MCPClient>();
  private evictionTimer: ClockTimer | undefined;
  private closed = false;

  /**
   * @throws MCPConfigurationError for an invalid server config (nothing is started), MCPValidationError
   *   for an acquireTimeout or healthCheckTimeout out of range (the rule of a per-call timeout), and
   *   MCPConfigurationError listing every other invalid pool option (`size`, `idleTimeout`, `maxWaiters`).
   */
  constructor(config: ServerConfigInput | ServerConfig, options: ConnectionPoolOptions = {}) {
    this.config = isValidatedConfig(config) ? config : MCPConfigValidator.validateServerConfig(config);
    this.options = options;
    const check = new OptionIssues(`the connection pool of server "${this.config.name}"`, {
      serverName: this.config.name,
    });
    this.size = check.wholeNumber("size", options.size ?? DEFAULT_POOL_SIZE, { min: 1 });
    const idleTimeout = check.number(
      "idleTimeout",
      options.idleTimeout ?? DEFAULT_POOL_IDLE_TIMEOUT_SECONDS,
      {
        min: 0,
        exclusiveMin: true,
        max: Number.POSITIVE_INFINITY,
        unit: "seconds",
      },
    );
    this.maxWaiters = check.wholeNumber("maxWaiters", options.maxWaiters ?? DEFAULT_POOL_MAX_WAITERS, {
      min: 0,
    });
    check.throwIfAny();
    this.idleTimeoutMs = idleTimeout * 1000;
    // Checked here, by the rule of a per-call timeout, not at the first acquire or ping (an
    // acquireTimeout of -1 was a timeout "within -1 s"). Read once, and the values read are used.
    const scope = { operation: "pool options", serverName: this.config.name };
    this.healthCheckTimeout =
      checkSeconds(options.healthCheckTimeout, "healthCheckTimeout", scope) ??
      DEFAULT_POOL_HEALTH_CHECK_TIMEOUT_SECONDS;
    this.acquireTimeout = checkSeconds(options.acquireTimeout, "acquireTimeout", scope);
    this.clock = options.clock ?? systemClock;
    this.waiters = new WaiterQueue<MCPClient | undefined>(this.clock);
    this.events = new EventHub<PoolEvents>(options.onStatus);
  }

  on<K extends keyof PoolEvents>(event: K, listener: (payload: PoolEvents[K]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }

  get stats(): PoolStats {
    return {
      size: this.total(),
      idle: this.idle.length,
      leased: this.leased.size,
      connecting: this.creating.size,
      waiting: this.waiters.length,
    };
  }

  /**
   * A connected client for exclusive use until `release(client)`. Reuses an idle client (checked with
   * a ping first), creates one while the pool has room, else waits for a release.
   * @throws MCPError QUEUE_FULL (too many waiters), MCPTimeoutError (no client in time),
   *   MCPCancelledError (aborted), MCPConnectionError (pool closed, or the server failed to connect),
   *   MCPValidationError (a `timeout` or `signal` out of range, as for MCPClient's calls).
   */
  async acquire(given: AcquireOptions = {}): Promise<MCPClient> {
    const options = checkCallOptions(given, { operation: "pool acquire", serverName: this.config.name });
    const timeoutSeconds = options.timeout ?? this.acquireTimeout ?? this.config.timeout;
    const deadline = this.clock.now() + timeoutSeconds * 1000;
    for (;;) {
      this.assertOpen();
      if (options.signal?.aborted) throw this.cancelled(options.signal);
      const reused = await this.takeIdle();
      if (reused) return reused;
      // close() may have run during the health check: it must not be outlived by a new client.
      this.assertOpen();
      if (this.total() < this.size) return this.create();
      const handed = await this.wait(deadline, timeoutSeconds, options.signal);
      if (handed) return handed;
    }
  }

  /**
   * Gives a client back. A client that is no longer connected (or any client after `close()`) is
   * disconnected instead of kept. Releasing a client twice, or one the pool did not lend, does nothing.
   */
  release(client: MCPClient): void {
    if (!this.leased.delete(client)) return;
    if (this.closed || !client.isConnected()) {
      this.destroy(client, this.closed ? "closed" : "broken");
      this.wakeOne(undefined);
      return;
    }
    if (this.waiters.length > 0) {
      this.leased.add(client);
      this.waiters.wakeNext(client);
      return;
    }
    this.idle.push({ client, since: this.clock.now() });
    this.scheduleEviction();
  }

  /** Runs `fn` with a client and always releases it. */
  async use<T>(fn: (client: MCPClient) => Promise<T>, options?: AcquireOptions): Promise<T> {
    const client = await this.acquire(options);
    try {
      return await fn(client);
    } finally {
      this.release(client);
    }
  }

  /**
   * Closes the pool: waiting callers are rejected, and every client it created — idle, leased or still
   * connecting — is disconnected. Idempotent; resolves when all of them are closed.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.clock.clearTimeout(this.evictionTimer);
      this.evictionTimer = undefined;
      this.waiters.failAll(() => this.closedError());
      for (const { client } of this.idle.splice(0)) this.destroy(client, "closed");
      for (const client of [...this.leased]) {
        this.leased.delete(client);
        this.destroy(client, "closed");
      }
      // Interrupts their handshake; their acquire() rejects.
      for (const client of this.connectingClients) this.destroy(client, "closed");
    }
    // A client still connecting is closed by create() when it finishes.
    while (this.closing.size > 0 || this.creating.size > 0) {
      await Promise.all([...this.closing, ...[...this.creating].map((p) => p.catch(() => undefined))]);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private total(): number {
    return this.idle.length + this.leased.size + this.creating.size;
  }

  private async takeIdle(): Promise<MCPClient | undefined> {
    while (!this.closed) {
      const entry = this.idle.pop(); // Most recently used first: its connection is the warmest.
      if (!entry) return undefined;
      const { client } = entry;
      if (!client.isConnected()) {
        this.destroy(client, "broken");
        continue;
      }
      this.leased.add(client);
      if (this.options.healthCheckOnAcquire !== false) {
        const healthy = await client.healthCheck({ timeout: this.healthCheckTimeout });
        if (!this.leased.has(client)) continue; // close() took it meanwhile.
        if (!healthy) {
          this.leased.delete(client);
          this.destroy(client, "unhealthy");
          continue;
        }
      }
      return client;
    }
    return undefined;
  }

  /** Creates and connects a client; it counts towards the size from the first moment. */
  private create(): Promise<MCPClient> {
    this.assertOpen();
    const client = this.options.createClient
      ? this.options.createClient(this.config, this.options.clientOptions ?? {})
      : new MCPClient(this.config, this.options.clientOptions);
    const task = this.connectNew(client);
    this.creating.add(task);
    void task.then(
      () => this.creating.delete(task),
      () => {
        // The failed attempt freed its place: let a waiter try to create one.
        this.creating.delete(task);
        this.wakeOne(undefined);
      },
    );
    return task;
  }

  private async connectNew(client: MCPClient): Promise<MCPClient> {
    this.connectingClients.add(client);
    try {
      await client.connect();
    } catch (error) {
      await client.disconnect().catch(() => undefined);
      throw this.closed ? this.closedError() : error;
    } finally {
      this.connectingClients.delete(client);
    }
    if (this.closed) {
      this.destroy(client, "closed");
      throw this.closedError();
    }
    this.leased.add(client);
    this.events.emit("created", {
      server: this.config.name,
      size: this.total(),
      message: `Pool of "${this.config.name}" created a client (${this.total()} of ${this.size})`,
    });
    return client;
  }

  private wait(
    deadline: number,
    timeoutSeconds: number,
    signal: AbortSignal | undefined,
  ): Promise<MCPClient | undefined> {
    if (this.waiters.length >= this.maxWaiters) {
      return Promise.reject(
        new MCPError(
          `No client of server "${this.config.name}" is free: all ${this.size} are in use and ${this.waiters.length} callers are already waiting (maxWaiters). Retry later, or raise the pool's size or maxWaiters.`,
          {
            code: "QUEUE_FULL",
            serverName: this.config.name,
            context: { size: this.size, waiting: this.waiters.length },
          },
        ),
      );
    }
    return this.waiters.wait({
      // A deadline already passed is due now (both clocks take a negative delay as 0).
      timeoutMs: deadline - this.clock.now(),
      timeoutError: () =>
        new MCPTimeoutError(
          `No client of server "${this.config.name}" became free within ${timeoutSeconds} s (all ${this.size} in use). Release clients sooner, or raise the pool's size or acquireTimeout.`,
          { serverName: this.config.name, timeoutSeconds, operation: "pool acquire" },
        ),
      signal,
      abortError: (aborted) => this.cancelled(aborted),
    });
  }

  private wakeOne(client: MCPClient | undefined): void {
    this.waiters.wakeNext(client);
  }

  private destroy(client: MCPClient, reason: PoolEvents["destroyed"]["reason"]): void {
    const done = client
      .disconnect()
      .catch(() => undefined)
      .finally(() => {
        this.closing.delete(done);
        this.events.emit("destroyed", {
          server: this.config.name,
          reason,
          size: this.total(),
          message: `Pool of "${this.config.name}" closed a client (${reason})`,
        });
      });
    this.closing.add(done);
  }

  /** One unref'd timer at the earliest idle expiry; it never keeps the process alive. */
  private scheduleEviction(): void {
    if (this.closed || this.evictionTimer !== undefined || this.idle.length === 0) return;
    const oldest = Math.min(...this.idle.map((entry) => entry.since));
    const dueIn = oldest + this.idleTimeoutMs - this.clock.now();
    this.evictionTimer = this.clock.setTimeout(
      () => {
        this.evictionTimer = undefined;
        const now = this.clock.now();
        for (let i = this.idle.length - 1; i >= 0; i--) {
          const entry = this.idle[i]!;
          if (now - entry.since >= this.idleTimeoutMs) {
            this.idle.splice(i, 1);
            this.destroy(entry.client, "idle");
          }
        }
        this.scheduleEviction();
      },
      dueIn,
      { unref: true },
    );
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): MCPConnectionError {
    return new MCPConnectionError(`The connection pool of server "${this.config.name}" is closed.`, {
      code: "NOT_CONNECTED",
      serverName: this.config.name,
      transportType: this.config.type,
    });
  }

  private cancelled(signal: AbortSignal): MCPCancelledError {
    return new MCPCancelledError(`Waiting for a client of server "${this.config.name}" was cancelled.`, {
      serverName: this.config.name,
      operation: "pool acquire",
      cause: signal.reason,
    });
  }
}

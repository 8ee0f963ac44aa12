import type {
  CallToolResult,
  GetPromptResult,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Tool,
} from "@modelcontextprotocol/client";

import { type CallOptionsSnapshot, checkCallOptions, withTimeout } from "../client/callOptions.js";
import type { ClientEvents, StatusEvent, Unsubscribe } from "../client/events.js";
import { EventHub } from "../client/events.js";
import type { CallToolOptions, MCPClientOptions, RequestCallOptions } from "../client/mcpClient.js";
import { MCPClient } from "../client/mcpClient.js";
import { suggestNames } from "../client/names.js";
import { onAbort } from "../common/abort.js";
import {
  DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
  DEFAULT_HEALTH_CHECK_MAX_MISSES,
  DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
} from "../config/defaults.js";
import { sanitizeIssues } from "../config/issues.js";
import type { ServerConfig } from "../config/types.js";
import { configurationError } from "../config/validator.js";
import type { ConfigIssue, MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPCancelledError,
  MCPConnectionError,
  MCPError as MCPErrorClass,
  MCPTimeoutError,
} from "../errors/errors.js";
import { Backoff } from "../resilience/backoff.js";
import { CircuitBreaker } from "../resilience/circuitBreaker.js";
import type { Clock, ClockTimer } from "../resilience/clock.js";
import { sleepOn, systemClock } from "../resilience/clock.js";
import { ConcurrencyLimit } from "../resilience/concurrencyLimit.js";
import { HealthMonitor } from "../resilience/healthMonitor.js";
import { classifyOutcome } from "../resilience/outcome.js";
import type { ResourceEntry } from "../routing/resourceIndex.js";
import { buildResourceIndex, matchesTemplate } from "../routing/resourceIndex.js";
import { RoutedNameTable } from "../routing/routedNameTable.js";
import { configuredToolFilter } from "../routing/toolFilter.js";
import { asMCPError, notFound } from "./messages.js";
import type {
  ConnectSummary,
  MultiClientEventName,
  MultiClientEvents,
  MultiConnectOptions,
  MultiMCPClientOptions,
  MultiPromptEntry,
  MultiToolEntry,
  MultiToolHandle,
  ReconnectServerOptions,
  ServerConnectOutcome,
  ServerState,
  ServerStatus,
} from "./options.js";
import { checkOptions } from "./options.js";
import type { ServerConfigsInput } from "./serverConfigs.js";
import { parseServerConfigs } from "./serverConfigs.js";

// The public types live in options.ts; modules and tests that import them from here keep working.
export type {
  ConnectSummary,
  HealthCheckOptions,
  MultiClientEventName,
  MultiClientEvents,
  MultiConnectOptions,
  MultiMCPClientOptions,
  MultiPromptEntry,
  MultiToolEntry,
  MultiToolHandle,
  NameCollisionEvent,
  ReconnectServerOptions,
  ServerConnectOutcome,
  ServerState,
  ServerStatus,
} from "./options.js";

interface Snapshot {
  tools: Tool[];
  resources: Resource[];
  templates: ResourceTemplate[];
  prompts: Prompt[];
}

interface Slot {
  readonly name: string;
  readonly config: ServerConfig;
  readonly client: MCPClient;
  readonly breaker: CircuitBreaker;
  readonly limit: ConcurrencyLimit;
  readonly backoff: Backoff;
  monitor: HealthMonitor | undefined;
  state: ServerState;
  lastError: MCPError | undefined;
  snapshot: Snapshot | undefined;
  attempts: number;
  connectedAt: number | undefined;
  loop: Promise<boolean> | undefined;
  loopAbort: AbortController | undefined;
  /** The connect() attempt in progress, if any. */
  connectTask: Promise<ServerConnectOutcome> | undefined;
  /**
   * Bumped whenever we close this server on purpose (disconnect(), a strict rollback): work started
   * before the bump and failing after it was abandoned by us, which says nothing about the server.
   */
  epoch: number;
}

/** One connect() pass; a strict pass includes its rollback. */
interface ConnectRun {
  readonly strict: boolean;
  readonly done: Promise<ConnectSummary>;
  /** The disconnect() this pass waits for before it starts, if any. */
  readonly after: Promise<void> | undefined;
}

interface ReconnectPlan {
  fresh: boolean;
  maxAttempts: number;
  firstImmediately: boolean;
  backoff: Backoff;
}

/**
 * Many MCP servers behind one client. Tools are routed by `mcp__{server}__{tool}`; each server has its
 * own circuit breaker, concurrency limit, optional health monitor and automatic reconnect, and one
 * server's failure never affects calls to another.
 *
 * Calls made while a server reconnects wait for the reconnect within their own timeout (fault-matrix
 * §8 item 2); a call to a server that has given up fails fast with NOT_CONNECTED and starts a fresh
 * reconnect cycle in the background. `tools/call` is never replayed.
 */
export class MultiMCPClient {
  /** The validated configs, in order. */
  readonly configs: readonly ServerConfig[];
  /** Config warnings (unknown keys with typo suggestions, ignored keys). */
  readonly warnings: readonly ConfigIssue[];

  private readonly options: MultiMCPClientOptions;
  private readonly clock: Clock;
  private readonly events: EventHub<MultiClientEvents>;
  private readonly slots: Slot[];
  private readonly byName: Map<string, Slot>;
  private readonly toolTable = new RoutedNameTable<Tool>("tool");
  private readonly promptTable = new RoutedNameTable<Prompt>("prompt");
  private toolEntries = new Map<string, MultiToolEntry>();
  private promptEntries = new Map<string, MultiPromptEntry>();
  private resourceEntries = new Map<string, ResourceEntry>();
  private readonly reported = new Set<string>();
  private active = false;
  private connecting: ConnectRun | undefined;
  private disconnecting: Promise<void> | undefined;
  /** Errors of work we abandoned by disconnecting: neutral for the breaker, whatever their code. */
  private readonly abandoned = new WeakSet<object>();

  /**
   * @param servers A list of server configs, a `{ name: config }` map, or `{ mcpServers: … }`.
   * @throws MCPConfigurationError listing every problem (paths like `servers[2].command`), duplicate
   *   names included. Nothing is started.
   */
  constructor(servers: ServerConfigsInput, options: MultiMCPClientOptions = {}) {
    const optionIssues = checkOptions(options);
    let parsed: ReturnType<typeof parseServerConfigs> | undefined;
    try {
      parsed = parseServerConfigs(servers);
    } catch (error) {
      if (optionIssues.length === 0 || !isMCPError(error, "CONFIG_INVALID")) throw error;
      const { issues, warnings } = error as unknown as { issues: ConfigIssue[]; warnings: ConfigIssue[] };
      throw configurationError("MultiMCPClient", [...issues, ...optionIssues], warnings);
    }
    if (optionIssues.length > 0) throw configurationError("MultiMCPClient options", optionIssues);
    this.configs = Object.freeze([...parsed.configs]);
    this.warnings = Object.freeze(sanitizeIssues(parsed.warnings));
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.events = new EventHub<MultiClientEvents>(options.onStatus);
    this.slots = this.configs.map((config) => this.createSlot(config));
    this.byName = new Map(this.slots.map((slot) => [slot.name, slot]));
  }

  /** Creates the client and connects every server: `await using multi = await MultiMCPClient.createAndConnect(…)`. */
  static async createAndConnect(
    servers: ServerConfigsInput,
    options?: MultiMCPClientOptions,
  ): Promise<MultiMCPClient> {
    const multi = new MultiMCPClient(servers, options);
    try {
      await multi.connect();
    } catch (error) {
      await multi.disconnect();
      throw error;
    }
    return multi;
  }

  /** Subscribes to one status event; returns the function that unsubscribes. */
  on<K extends MultiClientEventName>(
    event: K,
    listener: (payload: MultiClientEvents[K]) => void,
  ): Unsubscribe {
    return this.events.on(event, listener);
  }

  // ─── Lifecycle ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Connects every server in parallel, each bounded by its own `connect_timeout`; a failing or hanging
   * server never delays the others. Partial success is normal: the outcome of each server is returned,
   * recorded (`getServerStatus`) and reported (`setupComplete`, `connectionSummary` events). Servers
   * already connected are left as they are, so calling it again connects only the missing ones. A
   * server whose reconnect is running is waited for up to its `connect_timeout` too; if it is still
   * reconnecting then, it is reported as failed (state `reconnecting`, NOT_CONNECTED) and the reconnect
   * goes on. Concurrent calls share one pass; a call made during `disconnect()` runs after it.
   *
   * With `{ strict: true }` partial success is a failure: when any server fails, the servers this call
   * connected are closed again and it rejects with one error listing every server's outcome. A strict
   * call never joins a pass already running (it could not tell what it connected itself): it waits for
   * that pass, then runs its own.
   * @throws MCPConnectionError (or the only server's own error) when no server could be connected;
   *   with `strict`, MCPConnectionError NOT_CONNECTED (cause: an AggregateError of the failures) when
   *   any server could not be connected.
   */
  async connect(options: MultiConnectOptions = {}): Promise<ConnectSummary> {
    const strict = options.strict === true;
    // A strict pass must know which servers it connected itself, and its rollback may close servers
    // a joined pass would report as connected: strict passes neither join nor are joined.
    while (this.connecting && (strict || this.connecting.strict)) {
      await this.connecting.done.catch(() => undefined);
    }
    const run = this.connecting ?? this.startConnect(strict);
    const summary = await run.done;
    if (!strict && summary.connected.length === 0) {
      throw this.nothingConnected(Object.values(summary.servers));
    }
    return summary;
  }

  private startConnect(strict: boolean): ConnectRun {
    const after = this.disconnecting;
    const done = (async () => {
      if (after) await after;
      // Taken once a disconnect() in progress is over, so what it closes counts as started here.
      const before = new Set(
        this.slots.filter((s) => s.state === "connected" && s.client.isConnected()).map((s) => s.name),
      );
      const summary = await this.connectAll();
      return strict ? this.strictOutcome(summary, before) : summary;
    })().finally(() => {
      if (this.connecting === run) this.connecting = undefined;
    });
    const run: ConnectRun = { strict, done, after };
    this.connecting = run;
    return run;
  }

  /** `connect({ strict: true })`: all or nothing (of what this call started). */
  private async strictOutcome(summary: ConnectSummary, before: ReadonlySet<string>): Promise<ConnectSummary> {
    if (summary.failed.length === 0) return summary;
    const started = this.slots.filter(
      (slot) => summary.connected.includes(slot.name) && !before.has(slot.name),
    );
    for (const slot of started) {
      slot.epoch++;
      slot.monitor?.stop();
      slot.loopAbort?.abort(new Error("connect({ strict: true }) failed"));
    }
    await Promise.all(started.map((slot) => slot.client.disconnect().catch(() => undefined)));
    await Promise.all(started.map((slot) => slot.loop));
    for (const slot of started) {
      slot.state = "disconnected";
      slot.snapshot = undefined;
    }
    if (!this.slots.some((slot) => slot.state === "connected")) this.active = false;
    this.rebuild(true);
    const outcomes = Object.values(summary.servers);
    const failed = outcomes.filter((o) => !o.ok);
    const lines = failed.map((o) => `  - ${o.server}: ${o.error?.message ?? "not connected"}`).join("\n");
    const closed = started.map((slot) => slot.name);
    const undone =
      closed.length > 0
        ? ` The server${closed.length === 1 ? "" : "s"} it had connected (${closed.join(", ")}) ${closed.length === 1 ? "was" : "were"} closed again.`
        : "";
    throw new MCPConnectionError(
      `connect({ strict: true }) failed: ${failed.length} of ${outcomes.length} MCP servers could not be connected:\n${lines}\n${undone} Fix the servers above, or call connect() without strict to accept partial success.`,
      {
        code: "NOT_CONNECTED",
        cause: new AggregateError(
          failed.map((o) => o.error),
          `${failed.length} of ${outcomes.length} servers failed to connect`,
        ),
        context: {
          servers: Object.fromEntries(outcomes.map((o) => [o.server, o.ok ? "connected" : o.error?.code])),
          closed,
        },
      },
    );
  }

  private async connectAll(): Promise<ConnectSummary> {
    this.active = true;
    const started = this.clock.now();
    const count = this.slots.length;
    this.events.emit("setupStart", {
      message: `Setting up MCP sessions with ${count} server${count === 1 ? "" : "s"}`,
      serverCount: count,
    });
    const outcomes = await Promise.all(
      this.slots.map((slot) => {
        const task = this.connectSlot(slot).finally(() => {
          if (slot.connectTask === task) slot.connectTask = undefined;
        });
        slot.connectTask = task;
        return task;
      }),
    );
    this.rebuild(false);
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.toolsCount = this.getToolsByServer(outcome.server).length;
    }
    const connected = outcomes.filter((o) => o.ok).map((o) => o.server);
    const failed = outcomes.filter((o) => !o.ok).map((o) => o.server);
    const summary: ConnectSummary = {
      servers: Object.fromEntries(outcomes.map((o) => [o.server, o])),
      connected,
      failed,
      durationMs: this.clock.now() - started,
      toolsCount: this.toolEntries.size,
    };
    this.events.emit("setupComplete", {
      message: `Connected to ${connected.length}/${count} MCP servers: ${this.toolEntries.size} tools, ${this.resourceEntries.size} resources, ${this.promptEntries.size} prompts`,
      connectedServers: connected,
      failedServers: failed,
      totalTools: this.toolEntries.size,
      totalResources: this.resourceEntries.size,
      totalPrompts: this.promptEntries.size,
      durationMs: summary.durationMs,
    });
    this.events.emit("connectionSummary", {
      message: `Connected to ${connected.length}/${count} server(s) (${failed.length} failed)`,
      successfulCount: connected.length,
      failedCount: failed.length,
      totalCount: count,
      toolsCount: this.toolEntries.size,
    });
    return summary;
  }

  private nothingConnected(outcomes: ServerConnectOutcome[]): MCPError {
    if (outcomes.length === 1 && outcomes[0]?.error) return outcomes[0].error;
    const lines = outcomes.map((o) => `  - ${o.server}: ${o.error?.message ?? "not connected"}`).join("\n");
    return new MCPConnectionError(
      `None of the ${outcomes.length} MCP servers could be connected:\n${lines}\nFix the servers above (getServerStatus(name).lastError has each error), then call connect() or reconnectFailedServers() again.`,
      {
        code: "NOT_CONNECTED",
        cause: new AggregateError(
          outcomes.map((o) => o.error),
          "every server failed to connect",
        ),
        context: { servers: Object.fromEntries(outcomes.map((o) => [o.server, o.error?.code])) },
      },
    );
  }

  private async connectSlot(slot: Slot): Promise<ServerConnectOutcome> {
    const started = this.clock.now();
    const outcome = (ok: boolean, error?: MCPError): ServerConnectOutcome => ({
      server: slot.name,
      ok,
      state: slot.state,
      durationMs: this.clock.now() - started,
      toolsCount: ok ? (slot.snapshot?.tools.length ?? 0) : 0,
      ...(error === undefined ? {} : { error }),
    });
    if (slot.state === "connected" && slot.client.isConnected()) return outcome(true);
    if (slot.loop) {
      // Bounded like any other server by its connect_timeout, not by the whole reconnect cycle.
      const ok = await this.waitForLoop(slot, slot.config.connectTimeout * 1000);
      if (ok === undefined) return outcome(false, this.stillReconnecting(slot));
      return outcome(ok, ok ? undefined : slot.lastError);
    }
    const epoch = slot.epoch;
    slot.state = "connecting";
    try {
      await this.guarded(slot, () => slot.client.connect());
      if (slot.epoch !== epoch) {
        // disconnect() came while the handshake finished: nothing it waits for may stay running.
        await slot.client.disconnect().catch(() => undefined);
        slot.state = "disconnected";
        return outcome(false, this.abandonedConnect(slot));
      }
      this.markConnected(slot);
      return outcome(true);
    } catch (raw) {
      const error = asMCPError(raw, slot.name);
      if (slot.epoch !== epoch) {
        // Interrupted by our own disconnect(): not the server's failure, so not its lastError either.
        slot.state = "disconnected";
        return outcome(false, error);
      }
      slot.state = "failed";
      if (error.code !== "CIRCUIT_OPEN" || slot.lastError === undefined) slot.lastError = error;
      return outcome(false, error);
    }
  }

  /** The loop's result, or undefined when it is still running after `ms`. */
  private waitForLoop(slot: Slot, ms: number): Promise<boolean | undefined> {
    const loop = slot.loop;
    if (!loop) return Promise.resolve(undefined);
    return new Promise<boolean | undefined>((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(undefined), ms);
      void loop.then((ok) => {
        this.clock.clearTimeout(timer);
        resolve(ok);
      });
    });
  }

  private stillReconnecting(slot: Slot): MCPConnectionError {
    const last = slot.lastError ? ` Last error: ${slot.lastError.message}` : "";
    return new MCPConnectionError(
      `Server "${slot.name}" is still reconnecting (attempt ${slot.attempts}) after its connect_timeout of ${slot.config.connectTimeout} s; connect() did not wait for the rest of the cycle. Its tools come back when it reconnects (the "reconnected" event), or await reconnectServer("${slot.name}").${last}`,
      {
        code: "NOT_CONNECTED",
        serverName: slot.name,
        transportType: slot.config.type,
        cause: slot.lastError,
        context: { state: slot.state, reconnectAttempts: slot.attempts },
      },
    );
  }

  private abandonedConnect(slot: Slot): MCPCancelledError {
    return new MCPCancelledError(
      `Connecting to server "${slot.name}" was abandoned because disconnect() was called; it was closed again.`,
      { serverName: slot.name, operation: "connect" },
    );
  }

  /**
   * Runs `fn` through the server's breaker. When `fn` fails because we closed the server meanwhile
   * (disconnect(), a strict rollback, or `signal`), the failure is neutral: our own disconnect must
   * not count against the server, nor re-open a half-open breaker. The caller still gets the error.
   */
  private guarded<T>(slot: Slot, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const epoch = slot.epoch;
    return slot.breaker.execute(async () => {
      try {
        return await fn();
      } catch (raw) {
        if (slot.epoch === epoch && !signal?.aborted) throw raw;
        const error: unknown = typeof raw === "object" && raw !== null ? raw : asMCPError(raw, slot.name);
        this.abandoned.add(error as object);
        throw error;
      }
    });
  }

  private markConnected(slot: Slot): void {
    slot.state = "connected";
    slot.connectedAt = this.clock.now();
    slot.lastError = undefined;
    slot.snapshot = snapshotOf(slot.client);
    if (slot.monitor) {
      slot.monitor.reset();
      slot.monitor.start();
    }
  }

  /**
   * Disconnects every server in parallel (each bounded by its shutdown grace), stops health monitors
   * and reconnect loops, and waits for a `connect()` already running (whose servers it closes); no
   * server is left running when it resolves. Idempotent; `connect()` may be called again afterwards.
   * Work it cuts off (connects, reconnect attempts, calls in flight) is not counted by the breakers.
   */
  disconnect(): Promise<void> {
    if (this.disconnecting) {
      // A connect() queued behind the running disconnect would undo it: this one comes after it.
      const running = this.disconnecting;
      if (this.connecting?.after === running) return running.then(() => this.disconnect());
      return running;
    }
    // Only a connect() that started before this disconnect is waited for: one started afterwards
    // waits for this disconnect, and waiting for it here would deadlock both.
    const pendingConnect = this.connecting?.done;
    this.disconnecting = (async () => {
      this.active = false;
      const loops: Array<Promise<boolean>> = [];
      for (const slot of this.slots) {
        slot.epoch++;
        slot.monitor?.stop();
        slot.loopAbort?.abort(new Error("disconnect() was called"));
        if (slot.loop) loops.push(slot.loop);
      }
      await Promise.all(this.slots.map((slot) => slot.client.disconnect().catch(() => undefined)));
      await Promise.all(loops);
      if (pendingConnect) await pendingConnect.catch(() => undefined);
      for (const slot of this.slots) {
        slot.state = "disconnected";
        slot.snapshot = undefined;
      }
      this.rebuild(false);
    })().finally(() => {
      this.disconnecting = undefined;
    });
    return this.disconnecting;
  }

  /** `await using multi = …` disconnects at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  // ─── Registry ──────────────────────────────────────────────────────────────────────────────────

  /** Tools of connected (and reconnecting) servers by routed name. */
  get tools(): ReadonlyMap<string, MultiToolEntry> {
    return this.toolEntries;
  }

  /** Prompts by routed name `mcp__{server}__{prompt}`. */
  get prompts(): ReadonlyMap<string, MultiPromptEntry> {
    return this.promptEntries;
  }

  /** Static resources by URI, each with the server that serves it. */
  get resources(): ReadonlyMap<string, ResourceEntry> {
    return this.resourceEntries;
  }

  /** Every configured server name, in config order. */
  get serverNames(): string[] {
    return this.slots.map((slot) => slot.name);
  }

  getAvailableTools(): string[] {
    return [...this.toolEntries.keys()];
  }

  getAvailableResources(): string[] {
    return [...this.resourceEntries.keys()];
  }

  getAvailablePrompts(): string[] {
    return [...this.promptEntries.keys()];
  }

  /** Routed names of one server's tools. */
  getToolsByServer(server: string): string[] {
    this.slotOf(server);
    return [...this.toolEntries.values()].filter((e) => e.server === server).map((e) => e.name);
  }

  /** Names of the servers connected now (as the seed's `get_server_names`); see `serverNames` for all. */
  getServerNames(): string[] {
    return this.slots.filter((slot) => slot.state === "connected").map((slot) => slot.name);
  }

  /** The `MCPClient` of one server (the same object across reconnects). */
  getClient(server: string): MCPClient {
    return this.slotOf(server).client;
  }

  /** The circuit breaker of one server (`isolate()`, `reset()`, `snapshot()`). */
  getCircuitBreaker(server: string): CircuitBreaker {
    return this.slotOf(server).breaker;
  }

  /** True when at least one server is connected. */
  isConnected(): boolean {
    return this.slots.some((slot) => slot.state === "connected" && slot.client.isConnected());
  }

  /**
   * A handle on one tool. It holds the server and raw name, not the connection, so it keeps working
   * after the server reconnects (LangChain's tools stay bound to the dead client).
   * @throws MCPError NOT_FOUND for an unknown name.
   */
  tool(name: string): MultiToolHandle {
    const target = this.resolveTool(name);
    const lookup = (): MultiToolEntry | undefined => {
      const entry = this.toolEntries.get(name);
      if (entry && entry.server === target.server && entry.rawName === target.rawName) return entry;
      return [...this.toolEntries.values()].find(
        (e) => e.server === target.server && e.rawName === target.rawName,
      );
    };
    return {
      name,
      server: target.server,
      rawName: target.rawName,
      get definition() {
        return lookup();
      },
      call: (args = {}, options = {}) => this.callOn(target.server, target.rawName, args, options),
    };
  }

  // ─── Calls ─────────────────────────────────────────────────────────────────────────────────────

  /**
   * Calls a tool by its routed name. Pipeline: concurrency limit → breaker (fails fast while open:
   * nothing is sent) → wait for a running reconnect (within the call's timeout) → the server's
   * `callTool` (argument checks, timeout, cancellation). An `isError` result is returned, not thrown.
   * @throws MCPError NOT_FOUND (unknown name, with the closest names), MCPCircuitOpenError,
   *   MCPError QUEUE_FULL, and whatever `MCPClient.callTool` throws.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<CallToolResult> {
    // Options first, as MCPClient does: a bad option is refused the same way whatever the name.
    const known = this.toolEntries.get(name);
    const checked = checkCallOptions(options, {
      operation: `tools/call "${known?.rawName ?? name}"`,
      serverName: known?.server,
    });
    const target = known ?? this.resolveTool(name);
    return this.callOn(target.server, target.rawName, args, checked);
  }

  private callOn(
    server: string,
    rawName: string,
    args: Record<string, unknown>,
    options: CallToolOptions,
  ): Promise<CallToolResult> {
    const slot = this.slotOf(server);
    return this.invoke(slot, `tools/call "${rawName}"`, options, (client, timeout, checked) =>
      client.callTool(rawName, args, withTimeout(checked, timeout)),
    );
  }

  /**
   * Reads a resource. The server is the one listing the URI, else the first (in config order) whose
   * resource template matches it; `{ server }` picks one explicitly.
   */
  async getResource(
    uri: string,
    options: RequestCallOptions & { server?: string | undefined } = {},
  ): Promise<ReadResourceResult> {
    const server = options?.server;
    const checked = checkCallOptions(options, { operation: `resources/read "${uri}"`, serverName: server });
    const slot = this.resolveResource(uri, server);
    return this.invoke(slot, `resources/read "${uri}"`, checked, (client, timeout, own) =>
      client.getResource(uri, withTimeout(own, timeout)),
    );
  }

  /** Renders a prompt by its routed name `mcp__{server}__{prompt}`. */
  async getPrompt(
    name: string,
    args: Record<string, string> = {},
    options: RequestCallOptions = {},
  ): Promise<GetPromptResult> {
    const entry = this.promptEntries.get(name);
    const checked = checkCallOptions(options, {
      operation: `prompts/get "${entry?.rawName ?? name}"`,
      serverName: entry?.server,
    });
    if (!entry) {
      throw notFound("Prompt", name, this.getAvailablePrompts(), [...this.promptEntries.values()]);
    }
    const slot = this.slotOf(entry.server);
    return this.invoke(slot, `prompts/get "${entry.rawName}"`, checked, (client, timeout, own) =>
      client.getPrompt(entry.rawName, args, withTimeout(own, timeout)),
    );
  }

  private resolveTool(name: string): { server: string; rawName: string } {
    const entry = this.toolEntries.get(name);
    if (entry) return entry;
    const held = this.toolTable.lookup(name);
    const slot = held ? this.byName.get(held.server) : undefined;
    if (held && slot && slot.state !== "connected") {
      this.kick(slot);
      throw this.notConnected(slot, `call tool "${name}"`);
    }
    throw notFound("Tool", name, this.getAvailableTools(), [...this.toolEntries.values()]);
  }

  private resolveResource(uri: string, server: string | undefined): Slot {
    if (server !== undefined) return this.slotOf(server);
    const entry = this.resourceEntries.get(uri);
    if (entry) return this.slotOf(entry.server);
    for (const slot of this.slots) {
      if (slot.state !== "connected" && slot.state !== "reconnecting") continue;
      if (slot.snapshot?.templates.some((template) => matchesTemplate(template, uri))) return slot;
    }
    const available = this.getAvailableResources();
    throw new MCPErrorClass(
      `Resource "${uri}" is not listed by any connected server and matches no resource template.${suggestNames(uri, available)} Pass { server } to read it from a specific server.`,
      { code: "NOT_FOUND", context: { uri, availableResources: available.slice(0, 50) } },
    );
  }

  /** The per-server pipeline shared by tool calls, resource reads and prompts. */
  private async invoke<T>(
    slot: Slot,
    operation: string,
    given: { timeout?: number | undefined; signal?: AbortSignal | undefined },
    exec: (client: MCPClient, timeoutSeconds: number, options: CallOptionsSnapshot) => Promise<T>,
  ): Promise<T> {
    // The same check, and so the same error, as MCPClient's: nothing is queued or waited for first.
    // A snapshot checked by the caller is not checked again (and MCPClient does not check it again).
    const options = checkCallOptions(given, { operation, serverName: slot.name });
    if (!this.active) {
      throw new MCPConnectionError(
        `Cannot ${operation}: the MultiMCPClient is not connected. Call connect() first.`,
        { code: "NOT_CONNECTED", serverName: slot.name, transportType: slot.config.type },
      );
    }
    const timeoutSeconds = options.timeout ?? slot.config.timeout;
    const started = this.clock.now();
    const deadline = started + timeoutSeconds * 1000;
    return slot.limit.run(
      async () => {
        slot.breaker.assertCanExecute();
        if (slot.loop) await this.waitForReconnect(slot, deadline, options.signal, operation);
        if (!slot.client.isConnected()) {
          if (slot.state === "connected") slot.state = "failed";
          this.kick(slot);
          throw this.notConnected(slot, operation);
        }
        const elapsed = this.clock.now() - started;
        // Time spent queued or waiting for a reconnect comes out of the call's own timeout.
        const remaining = elapsed < 1 ? timeoutSeconds : (deadline - this.clock.now()) / 1000;
        if (remaining <= 0) {
          throw new MCPTimeoutError(
            `${operation} on server "${slot.name}" ran out of its ${timeoutSeconds} s before it could be sent. Pass a larger { timeout }.`,
            { serverName: slot.name, timeoutSeconds, operation },
          );
        }
        return this.guarded(slot, () => exec(slot.client, remaining, options));
      },
      { signal: options.signal, queueTimeoutMs: timeoutSeconds * 1000, operation },
    );
  }

  private waitForReconnect(
    slot: Slot,
    deadline: number,
    signal: AbortSignal | undefined,
    operation: string,
  ): Promise<void> {
    const loop = slot.loop;
    if (!loop) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let stopWaiting: (() => void) | undefined;
      const finish = (error?: unknown) => {
        this.clock.clearTimeout(timer);
        stopWaiting?.();
        if (error === undefined) resolve();
        else reject(error);
      };
      const cancelled = () =>
        finish(
          new MCPCancelledError(
            `${operation} on server "${slot.name}" was cancelled while waiting for the server to reconnect; it was never sent.`,
            { serverName: slot.name, operation, cause: signal?.reason },
          ),
        );
      // A deadline of Infinity (timeout: Infinity) never fires: the clock takes any delay.
      const timer: ClockTimer = this.clock.setTimeout(
        () => finish(this.notConnected(slot, operation, "it is still reconnecting")),
        deadline - this.clock.now(),
      );
      if (signal?.aborted) {
        cancelled();
        return;
      }
      // One listener per signal however many calls wait on it (a shared signal is not a leak).
      if (signal) stopWaiting = onAbort(signal, cancelled);
      void loop.then(() => finish());
    });
  }

  private notConnected(slot: Slot, operation: string, why?: string): MCPConnectionError {
    const state = why ?? (slot.state === "reconnecting" ? "it is reconnecting" : `it is ${slot.state}`);
    const last = slot.lastError ? ` Last error: ${slot.lastError.message}` : "";
    const next = !this.active
      ? " Call connect() first."
      : slot.loop || slot.state === "reconnecting"
        ? " A reconnect is in progress; try again shortly."
        : this.autoReconnectFor(slot) && this.active
          ? " A reconnect has been started; try again shortly, or call reconnectFailedServers()."
          : " Call reconnectFailedServers() to try again.";
    return new MCPConnectionError(
      `Cannot ${operation}: server "${slot.name}" is not connected (${state}); nothing was sent.${next}${last}`,
      {
        code: "NOT_CONNECTED",
        serverName: slot.name,
        transportType: slot.config.type,
        cause: slot.lastError,
        context: { state: slot.state, reconnectAttempts: slot.attempts },
      },
    );
  }

  // ─── Health ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Pings every server in parallel, each bounded by `timeout` (default: the server's
   * `health_check.timeout`, 5 s). Servers that are not connected, or whose breaker refuses calls,
   * report false without being contacted. The pings act as breaker probes. Never throws for the
   * servers' sake; a `timeout` out of range is refused with MCPValidationError before any ping (it
   * would otherwise count as a missed ping of every server).
   */
  async healthCheckAll(given: { timeout?: number | undefined } = {}): Promise<Record<string, boolean>> {
    const options = checkCallOptions(given, { operation: "ping" });
    const results = await Promise.all(
      this.slots.map(async (slot) => {
        const ok = await this.ping(slot, (options.timeout ?? slot.config.healthCheck.timeout) * 1000);
        if (ok !== undefined) slot.monitor?.record(ok);
        return [slot.name, ok === true] as const;
      }),
    );
    return Object.fromEntries(results);
  }

  /** true = answered, false = missed, undefined = not checked. */
  private async ping(slot: Slot, timeoutMs: number): Promise<boolean | undefined> {
    if (slot.state !== "connected" || slot.loop || !slot.client.isConnected()) return undefined;
    if (!slot.breaker.wouldAdmit()) return undefined;
    const epoch = slot.epoch;
    try {
      await this.guarded(slot, async () => {
        if (!(await slot.client.healthCheck({ timeout: timeoutMs / 1000 }))) {
          throw new MCPTimeoutError(
            `Server "${slot.name}" did not answer a health check (ping) within ${timeoutMs / 1000} s.`,
            { serverName: slot.name, timeoutSeconds: timeoutMs / 1000, operation: "ping" },
          );
        }
      });
      return true;
    } catch (error) {
      return isMCPError(error, "CIRCUIT_OPEN") || slot.epoch !== epoch ? undefined : false;
    }
  }

  // ─── Reconnect ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Reconnects every server that is not connected — including servers that failed at start — and
   * resolves with each one's result. Servers already reconnecting are awaited, not restarted; a server
   * whose breaker is open is skipped (false) until its recovery time is over. Rejects only with
   * MCPValidationError for options out of range (then nothing is started).
   */
  async reconnectFailedServers(given: ReconnectServerOptions = {}): Promise<Record<string, boolean>> {
    const options = checkCallOptions(given, { operation: "reconnect" });
    const targets = this.slots.filter((slot) => !(slot.state === "connected" && slot.client.isConnected()));
    const results = await Promise.all(
      targets.map(async (slot) => [slot.name, await this.reconnectServer(slot.name, options)] as const),
    );
    return Object.fromEntries(results);
  }

  /**
   * Reconnects one server now (a fresh cycle of `maxRetries` attempts, the first at once, then
   * backing off), unless it is connected (true) or a reconnect is already running (its result).
   * Gated by the breaker: false at once while it is open. Rejects only for an unknown server or with
   * MCPValidationError for options out of range (then nothing is started).
   */
  async reconnectServer(server: string, given: ReconnectServerOptions = {}): Promise<boolean> {
    const slot = this.slotOf(server);
    const options = checkCallOptions(given, { operation: "reconnect", serverName: slot.name });
    if (this.disconnecting) await this.disconnecting;
    this.active = true;
    if (slot.connectTask) await slot.connectTask;
    if (slot.state === "connected" && slot.client.isConnected()) return true;
    if (slot.loop) return slot.loop;
    if (!slot.breaker.wouldAdmit()) return false;
    // Both in range (checked above): a whole number ≤ MAX_MAX_RETRIES, seconds ≤ MAX_SCHEDULE_SECONDS.
    const maxAttempts = options.maxRetries ?? slot.config.maxRetries;
    if (maxAttempts === 0) return false;
    const delay = options.retryDelay ?? slot.config.retryDelay;
    return this.startReconnect(slot, {
      fresh: true,
      maxAttempts,
      firstImmediately: true,
      backoff: backoffOf(delay, Math.max(delay, slot.config.reconnect.maxDelay)),
    });
  }

  private autoReconnectFor(slot: Slot): boolean {
    return this.options.autoReconnect !== false && slot.config.reconnect.enabled;
  }

  /** A call hit a server that gave up: start a fresh automatic cycle in the background. */
  private kick(slot: Slot): void {
    if (!this.active || slot.loop || !this.autoReconnectFor(slot) || slot.state !== "failed") return;
    void this.startReconnect(slot, this.autoPlan(slot, true));
  }

  private autoPlan(slot: Slot, fresh: boolean): ReconnectPlan {
    return {
      fresh,
      maxAttempts: slot.config.reconnect.maxAttempts,
      firstImmediately: false,
      backoff: slot.backoff,
    };
  }

  private handleLoss(slot: Slot, error: MCPError): void {
    if (!this.active || slot.state !== "connected") return;
    slot.lastError = error;
    slot.monitor?.stop();
    if (this.autoReconnectFor(slot)) {
      void this.startReconnect(slot, this.autoPlan(slot, false));
      return;
    }
    slot.state = "failed";
    this.rebuild(true);
  }

  private startReconnect(slot: Slot, plan: ReconnectPlan): Promise<boolean> {
    if (slot.loop) return slot.loop;
    const controller = new AbortController();
    slot.loopAbort = controller;
    slot.state = "reconnecting";
    slot.monitor?.stop();
    const loop: Promise<boolean> = this.reconnectLoop(slot, plan, controller.signal)
      .catch(() => false)
      .finally(() => {
        if (slot.loop === loop) this.endLoop(slot);
      });
    slot.loop = loop;
    return loop;
  }

  /**
   * Marks the cycle over before its outcome is announced, so a listener of `reconnected` /
   * `reconnectFailed` that calls `reconnectServer()` starts a new cycle instead of joining the old one.
   */
  private endLoop(slot: Slot): void {
    slot.loop = undefined;
    slot.loopAbort = undefined;
  }

  /**
   * One reconnect cycle: single flight per server, exponential backoff with half jitter and a cap,
   * finite attempts, gated by the breaker (an attempt waits for the breaker's recovery time and is
   * itself the probe). The attempt counter carries over between losses unless the connection stayed
   * up for `reconnect.healthy_reset`, so a server that crashes right after `initialize` backs off
   * instead of restarting at full speed forever.
   */
  private async reconnectLoop(slot: Slot, plan: ReconnectPlan, signal: AbortSignal): Promise<boolean> {
    const healthyResetMs = slot.config.reconnect.healthyReset * 1000;
    const stable = slot.connectedAt !== undefined && this.clock.now() - slot.connectedAt >= healthyResetMs;
    if (plan.fresh || stable) {
      slot.attempts = 0;
      plan.backoff.reset();
    }
    let first = true;
    while (!signal.aborted) {
      if (slot.attempts >= plan.maxAttempts) return this.giveUp(slot);
      const breakerWait = slot.breaker.retryAfter;
      if (!Number.isFinite(breakerWait)) return this.giveUp(slot); // Isolated by hand.
      const delayMs = first && plan.firstImmediately ? 0 : plan.backoff.next();
      first = false;
      const waitMs = Math.max(delayMs, breakerWait * 1000);
      slot.attempts++;
      this.events.emit("reconnecting", {
        server: slot.name,
        attempt: slot.attempts,
        delaySeconds: waitMs / 1000,
        message:
          waitMs > 0
            ? `Reconnecting to "${slot.name}" in ${(waitMs / 1000).toFixed(1)} s (attempt ${slot.attempts} of ${plan.maxAttempts})`
            : `Reconnecting to "${slot.name}" (attempt ${slot.attempts} of ${plan.maxAttempts})`,
      });
      try {
        // Kept ref'd: someone may be awaiting this cycle (reconnectServer(), connect()), and an
        // unref'd wait would let Node exit with that promise never settled. disconnect() ends it.
        if (waitMs > 0) await sleepOn(this.clock, waitMs, signal);
      } catch {
        return false;
      }
      if (signal.aborted) return false;
      try {
        await this.guarded(
          slot,
          async () => {
            await slot.client.disconnect();
            // disconnect() may have come during that close: starting the server now would leak it.
            if (signal.aborted) throw this.abandonedConnect(slot);
            await slot.client.connect();
          },
          signal,
        );
      } catch (raw) {
        if (signal.aborted) return false;
        const error = asMCPError(raw, slot.name);
        // Someone else holds the probe slot: this was not an attempt.
        if (error.code === "CIRCUIT_OPEN") slot.attempts--;
        else slot.lastError = error;
        continue;
      }
      if (signal.aborted) {
        // The handshake finished after disconnect() (or a strict rollback) began: close it again, so
        // the disconnect() awaiting this loop leaves no server running.
        await slot.client.disconnect().catch(() => undefined);
        return false;
      }
      this.markConnected(slot);
      this.rebuild(true);
      this.endLoop(slot);
      this.events.emit("reconnected", {
        server: slot.name,
        attempt: slot.attempts,
        toolsCount: this.getToolsByServer(slot.name).length,
        message: `Reconnected to "${slot.name}" (attempt ${slot.attempts})`,
      });
      return true;
    }
    return false;
  }

  private giveUp(slot: Slot): boolean {
    slot.state = "failed";
    slot.monitor?.stop();
    this.rebuild(true);
    this.endLoop(slot);
    this.events.emit("reconnectFailed", {
      server: slot.name,
      attempts: slot.attempts,
      error: slot.lastError,
      message: `Gave up reconnecting to "${slot.name}" after ${slot.attempts} attempt${slot.attempts === 1 ? "" : "s"}${slot.lastError ? `: ${slot.lastError.message}` : ""}. Its tools are unavailable until reconnectFailedServers() (or the next call) succeeds.`,
    });
    return false;
  }

  // ─── Status ────────────────────────────────────────────────────────────────────────────────────

  /** Everything known about one server: state, breaker, failures, retry-after, last error, health, load. */
  getServerStatus(server: string): ServerStatus {
    const slot = this.slotOf(server);
    const breaker = slot.breaker.snapshot();
    return {
      name: slot.name,
      state: slot.state,
      connected: slot.state === "connected" && slot.client.isConnected(),
      transport: slot.config.type,
      breaker: breaker.state,
      consecutiveFailures: breaker.consecutiveFailures,
      retryAfter: breaker.retryAfter,
      lastError: slot.lastError,
      health: slot.monitor?.state ?? "unknown",
      healthMisses: slot.monitor?.misses ?? 0,
      inFlight: slot.limit.inFlight,
      queued: slot.limit.queued,
      reconnectAttempts: slot.attempts,
      toolsCount: this.getToolsByServer(slot.name).length,
      pid: slot.client.getDiagnostics().pid,
    };
  }

  /** `getServerStatus` for every server, by name. */
  getAllServerStatus(): Record<string, ServerStatus> {
    return Object.fromEntries(this.slots.map((slot) => [slot.name, this.getServerStatus(slot.name)]));
  }

  // ─── Internals ─────────────────────────────────────────────────────────────────────────────────

  private slotOf(server: string): Slot {
    const slot = this.byName.get(server);
    if (slot) return slot;
    const names = this.serverNames;
    throw new MCPErrorClass(`Server "${server}" is not configured.${suggestNames(server, names)}`, {
      code: "NOT_FOUND",
      context: { server, servers: names },
    });
  }

  private createSlot(config: ServerConfig): Slot {
    const name = config.name;
    const filter = configuredToolFilter(name, config, this.options);
    const clientOptions: MCPClientOptions = {
      onStatus: (event) => this.onClientEvent(name, event),
      environment: this.options.environment,
      clientInfo: this.options.clientInfo,
      lookup: this.options.lookup,
      fetch: this.options.fetch,
      toolFilter: (tool) => filter(tool.name),
      handlers: this.options.handlers,
      auth: this.options.auth,
    };
    const client = this.options.createClient
      ? this.options.createClient(config, clientOptions)
      : new MCPClient(config, clientOptions);
    const expected = config.circuitBreaker.expectedException;
    const breaker = new CircuitBreaker({
      name,
      failureThreshold: config.circuitBreaker.failureThreshold,
      recoveryTimeout: config.circuitBreaker.recoveryTimeout,
      expectedException: expected,
      clock: this.clock,
      classify: (error) =>
        typeof error === "object" && error !== null && this.abandoned.has(error)
          ? "neutral"
          : classifyOutcome(error, expected),
    });
    breaker.onStateChange((change) => this.events.emit("breakerStateChange", change));
    const reconnect = config.reconnect;
    const slot: Slot = {
      name,
      config,
      client,
      breaker,
      limit: new ConcurrencyLimit({
        name,
        maxInFlight: config.concurrency.maxInFlight,
        maxQueue: config.concurrency.maxQueue,
        clock: this.clock,
      }),
      backoff: backoffOf(reconnect.initialDelay, reconnect.maxDelay),
      monitor: undefined,
      state: "disconnected",
      lastError: undefined,
      snapshot: undefined,
      attempts: 0,
      connectedAt: undefined,
      loop: undefined,
      loopAbort: undefined,
      connectTask: undefined,
      epoch: 0,
    };
    slot.monitor = this.createMonitor(slot);
    return slot;
  }

  private createMonitor(slot: Slot): HealthMonitor | undefined {
    const own = slot.config.healthCheck;
    const option = this.options.healthCheck;
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
      ping: (timeoutMs) => this.ping(slot, timeoutMs),
      isBusy: () => slot.limit.inFlight > 0 || slot.client.inFlight > 0,
      onChange: (health, misses) =>
        this.events.emit("healthChange", {
          server: slot.name,
          health,
          misses,
          message: `Server "${slot.name}" is ${health}${misses > 0 ? ` (${misses} missed health check${misses === 1 ? "" : "s"} in a row)` : ""}`,
        }),
      onUnhealthy: () => {
        if (!this.active || slot.state !== "connected") return;
        slot.lastError = new MCPTimeoutError(
          `Server "${slot.name}" missed ${settings.maxMisses} health checks in a row; it is being restarted.`,
          { serverName: slot.name, timeoutSeconds: settings.timeout, operation: "ping" },
        );
        if (this.autoReconnectFor(slot)) void this.startReconnect(slot, this.autoPlan(slot, false));
      },
    });
  }

  /** Forwards one server's event and reacts to connection loss and list changes. */
  private onClientEvent(server: string, event: StatusEvent<ClientEvents>): void {
    // Every call of every server passes here (toolCallStart, toolCallSuccess): copy only when heard.
    if (this.events.has(event.type)) {
      const { type, ...payload } = event;
      (this.events.emit as (name: string, payload: object) => void)(type, payload);
    }
    const slot = this.byName.get(server);
    if (!slot) return;
    if (event.type === "error" && event.lost) this.handleLoss(slot, event.error);
    else if (event.type === "listChanged" && slot.state === "connected") {
      slot.snapshot = snapshotOf(slot.client);
      this.rebuild(true);
    }
  }

  /**
   * Rebuilds the routed tables from the servers that are connected or reconnecting, keeping names
   * already handed out, and reports new collisions, skipped names and (with `announce`) changes.
   */
  private rebuild(announce: boolean): void {
    const live = this.slots.filter(
      (slot): slot is Slot & { snapshot: Snapshot } =>
        slot.snapshot !== undefined && (slot.state === "connected" || slot.state === "reconnecting"),
    );
    const tools = this.toolTable.build(
      live.map((slot) => ({
        server: slot.name,
        items: slot.snapshot.tools.map((tool) => ({ rawName: tool?.name as unknown, value: tool })),
      })),
    );
    const prompts = this.promptTable.build(
      live.map((slot) => ({
        server: slot.name,
        items: slot.snapshot.prompts.map((prompt) => ({ rawName: prompt?.name as unknown, value: prompt })),
      })),
    );
    const resources = buildResourceIndex(
      live.map((slot) => ({ server: slot.name, resources: slot.snapshot.resources })),
    );
    const previous = this.toolEntries;
    this.toolEntries = new Map(
      [...tools.entries.values()].map((e) => [
        e.name,
        Object.freeze({
          name: e.name,
          server: e.server,
          rawName: e.rawName,
          description: e.value.description,
          inputSchema: e.value.inputSchema,
          outputSchema: e.value.outputSchema,
          annotations: e.value.annotations,
          tool: e.value,
        }),
      ]),
    );
    this.promptEntries = new Map(
      [...prompts.entries.values()].map((e) => [
        e.name,
        Object.freeze({
          name: e.name,
          server: e.server,
          rawName: e.rawName,
          description: e.value.description,
          arguments: e.value.arguments,
          prompt: e.value,
        }),
      ]),
    );
    this.resourceEntries = resources.entries;

    for (const skip of [...tools.skipped, ...prompts.skipped]) {
      const key = `skip:${skip.kind}:${skip.server}:${String(skip.rawName)}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.events.emit("warning", {
        server: skip.server,
        kind: `${skip.kind}-name-unusable`,
        message: skip.message,
      });
    }
    for (const collision of [...tools.collisions, ...prompts.collisions]) {
      const key = `collision:${collision.kind}:${collision.server}:${collision.rawName}:${collision.name}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.events.emit("nameCollision", {
        server: collision.server,
        kind: collision.kind,
        rawName: collision.rawName,
        name: collision.name,
        conflictsWith: collision.conflictsWith,
        message: collision.message,
      });
    }
    for (const collision of resources.collisions) {
      const key = `collision:resource:${collision.server}:${collision.uri}:${collision.keptServer}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.events.emit("nameCollision", {
        server: collision.server,
        kind: "resource",
        rawName: collision.uri,
        name: collision.uri,
        conflictsWith: { server: collision.keptServer, rawName: collision.uri, name: collision.uri },
        message: collision.message,
      });
    }

    if (!announce) return;
    for (const slot of this.slots) {
      const before = [...previous.values()].filter((e) => e.server === slot.name).map((e) => e.name);
      const after = [...this.toolEntries.values()].filter((e) => e.server === slot.name).map((e) => e.name);
      const added = after.filter((name) => !before.includes(name));
      const removed = before.filter((name) => !after.includes(name));
      if (added.length === 0 && removed.length === 0) continue;
      this.events.emit("toolsChanged", {
        server: slot.name,
        added,
        removed,
        message: `Tools of server "${slot.name}" changed: ${added.length} added, ${removed.length} removed`,
      });
    }
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

/** A backoff from seconds; 0 and tiny delays become 1 ms ("again almost at once"), never a RangeError. */
function backoffOf(initialSeconds: number, maxSeconds: number): Backoff {
  const initialDelayMs = Math.max(1, initialSeconds * 1000);
  return new Backoff({ initialDelayMs, maxDelayMs: Math.max(initialDelayMs, maxSeconds * 1000) });
}

import type { CallToolResult, GetPromptResult, ReadResourceResult } from "@modelcontextprotocol/client";

import { checkCallOptions, withTimeout } from "../client/callOptions.js";
import type { ClientEvents, StatusEvent } from "../client/events.js";
import type { MCPClient } from "../client/mcpClient.js";
import type { CallToolOptions, RequestCallOptions } from "../client/options.js";
import type { Unsubscribe } from "../common/events.js";
import { EventHub } from "../common/events.js";
import { sanitizeIssues } from "../config/issues.js";
import type { ServerConfig } from "../config/types.js";
import { configurationError } from "../config/validator.js";
import type { ConfigIssue } from "../errors/errors.js";
import { isMCPError } from "../errors/errors.js";
import { backoffFromSeconds } from "../resilience/backoff.js";
import type { CircuitBreaker } from "../resilience/circuitBreaker.js";
import { systemClock } from "../resilience/clock.js";
import type { ResourceEntry } from "../routing/resourceIndex.js";
import { invoke, resolveResource, resolveTool, slotOf } from "./callPipeline.js";
import { connect } from "./connectPass.js";
import { notFound } from "./messages.js";
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
  ServerStatus,
} from "./options.js";
import { checkOptions } from "./options.js";
import { autoPlan, autoReconnectFor, handleLoss, startReconnect } from "./reconnect.js";
import { Registry } from "./registry.js";
import type { MultiRuntime } from "./runtime.js";
import { rebuild } from "./runtime.js";
import type { ServerConfigsInput } from "./serverConfigs.js";
import { parseServerConfigs } from "./serverConfigs.js";
import { ServerSlot } from "./serverSlot.js";

// The public types live in options.ts (and are exported from the root index from there); these two
// are imported from here by test helpers.
export type { MultiClientEvents, MultiMCPClientOptions } from "./options.js";

/**
 * Many MCP servers behind one client. Tools are routed by `mcp__{server}__{tool}`; each server has its
 * own circuit breaker, concurrency limit, optional health monitor and automatic reconnect, and one
 * server's failure never affects calls to another.
 *
 * Calls made while a server reconnects wait for the reconnect within their own timeout (docs/fault-matrix.md
 * §8 item 2); a call to a server that has given up fails fast with NOT_CONNECTED and starts a fresh
 * reconnect cycle in the background. `tools/call` is never replayed.
 */
export class MultiMCPClient {
  /** The validated configs, in order. */
  readonly configs: readonly ServerConfig[];
  /** Config warnings (unknown keys with typo suggestions, ignored keys). */
  readonly warnings: readonly ConfigIssue[];

  /** What the connect pass, the call pipeline and the reconnect loop share. */
  private readonly rt: MultiRuntime;

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
    const clock = options.clock ?? systemClock;
    const events = new EventHub<MultiClientEvents>(options.onStatus);
    const slots = this.configs.map(
      (config) =>
        new ServerSlot(config, clock, options, {
          onClientEvent: (slot, event) => this.onClientEvent(slot, event),
          onBreakerChange: (change) => events.emit("breakerStateChange", change),
          onHealthChange: (slot, health, misses) =>
            events.emit("healthChange", {
              server: slot.name,
              health,
              misses,
              message: `Server "${slot.name}" is ${health}${misses > 0 ? ` (${misses} missed health check${misses === 1 ? "" : "s"} in a row)` : ""}`,
            }),
          onUnhealthy: (slot, error) => {
            if (!this.rt.active || slot.state !== "connected") return;
            slot.lastError = error;
            if (autoReconnectFor(this.rt, slot)) void startReconnect(this.rt, slot, autoPlan(slot, false));
          },
        }),
    );
    this.rt = {
      options,
      clock,
      events,
      slots,
      byName: new Map(slots.map((slot) => [slot.name, slot])),
      registry: new Registry(events),
      active: false,
      connecting: undefined,
      disconnecting: undefined,
    };
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
    return this.rt.events.on(event, listener);
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
  connect(options: MultiConnectOptions = {}): Promise<ConnectSummary> {
    return connect(this.rt, options);
  }

  /**
   * Disconnects every server in parallel (each bounded by its shutdown grace), stops health monitors
   * and reconnect loops, and waits for a `connect()` already running (whose servers it closes); no
   * server is left running when it resolves. Idempotent; `connect()` may be called again afterwards.
   * Work it cuts off (connects, reconnect attempts, calls in flight) is not counted by the breakers.
   */
  disconnect(): Promise<void> {
    const rt = this.rt;
    if (rt.disconnecting) {
      // A connect() queued behind the running disconnect would undo it: this one comes after it.
      const running = rt.disconnecting;
      if (rt.connecting?.after === running) return running.then(() => this.disconnect());
      return running;
    }
    // Only a connect() that started before this disconnect is waited for: one started afterwards
    // waits for this disconnect, and waiting for it here would deadlock both.
    const pendingConnect = rt.connecting?.done;
    rt.disconnecting = (async () => {
      rt.active = false;
      const loops: Array<Promise<boolean>> = [];
      for (const slot of rt.slots) {
        slot.abandon("disconnect() was called");
        if (slot.loop) loops.push(slot.loop);
      }
      await Promise.all(rt.slots.map((slot) => slot.client.disconnect().catch(() => undefined)));
      await Promise.all(loops);
      if (pendingConnect) await pendingConnect.catch(() => undefined);
      for (const slot of rt.slots) {
        slot.transition("disconnected", "disconnect()");
        slot.snapshot = undefined;
      }
      rebuild(rt, false);
    })().finally(() => {
      rt.disconnecting = undefined;
    });
    return rt.disconnecting;
  }

  /** `await using multi = …` disconnects at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  // ─── Registry ──────────────────────────────────────────────────────────────────────────────────

  /** Tools of connected (and reconnecting) servers by routed name. */
  get tools(): ReadonlyMap<string, MultiToolEntry> {
    return this.rt.registry.tools;
  }

  /** Prompts by routed name `mcp__{server}__{prompt}`. */
  get prompts(): ReadonlyMap<string, MultiPromptEntry> {
    return this.rt.registry.prompts;
  }

  /** Static resources by URI, each with the server that serves it. */
  get resources(): ReadonlyMap<string, ResourceEntry> {
    return this.rt.registry.resources;
  }

  /** Every configured server name, in config order. */
  get serverNames(): string[] {
    return this.rt.slots.map((slot) => slot.name);
  }

  getAvailableTools(): string[] {
    return [...this.rt.registry.tools.keys()];
  }

  getAvailableResources(): string[] {
    return [...this.rt.registry.resources.keys()];
  }

  getAvailablePrompts(): string[] {
    return [...this.rt.registry.prompts.keys()];
  }

  /** Routed names of one server's tools. */
  getToolsByServer(server: string): string[] {
    slotOf(this.rt, server);
    return this.rt.registry.toolsOf(server);
  }

  /** Names of the servers connected now (as MassGen's `get_server_names`); see `serverNames` for all. */
  getServerNames(): string[] {
    return this.rt.slots.filter((slot) => slot.state === "connected").map((slot) => slot.name);
  }

  /** The `MCPClient` of one server (the same object across reconnects). */
  getClient(server: string): MCPClient {
    return slotOf(this.rt, server).client;
  }

  /** The circuit breaker of one server (`isolate()`, `reset()`, `snapshot()`). */
  getCircuitBreaker(server: string): CircuitBreaker {
    return slotOf(this.rt, server).breaker;
  }

  /** True when at least one server is connected. */
  isConnected(): boolean {
    return this.rt.slots.some((slot) => slot.live);
  }

  /**
   * A handle on one tool. It holds the server and raw name, not the connection, so it keeps working
   * after the server reconnects (LangChain's tools stay bound to the dead client).
   * @throws MCPError NOT_FOUND for an unknown name.
   */
  tool(name: string): MultiToolHandle {
    const target = resolveTool(this.rt, name);
    const tools = this.rt.registry;
    const lookup = (): MultiToolEntry | undefined => {
      const entry = tools.tools.get(name);
      if (entry && entry.server === target.server && entry.rawName === target.rawName) return entry;
      return [...tools.tools.values()].find(
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
    // Options first, as MCPClient does: a bad option is refused the same way whatever the name.
    const known = this.rt.registry.tools.get(name);
    const checked = checkCallOptions(options, {
      operation: `tools/call "${known?.rawName ?? name}"`,
      serverName: known?.server,
    });
    const target = known ?? resolveTool(this.rt, name);
    return this.callOn(target.server, target.rawName, args, checked);
  }

  private callOn(
    server: string,
    rawName: string,
    args: Record<string, unknown>,
    options: CallToolOptions,
  ): Promise<CallToolResult> {
    const slot = slotOf(this.rt, server);
    return invoke(this.rt, slot, `tools/call "${rawName}"`, options, (client, timeout, checked) =>
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
    const slot = resolveResource(this.rt, uri, server);
    return invoke(this.rt, slot, `resources/read "${uri}"`, checked, (client, timeout, own) =>
      client.getResource(uri, withTimeout(own, timeout)),
    );
  }

  /** Renders a prompt by its routed name `mcp__{server}__{prompt}`. */
  async getPrompt(
    name: string,
    args: Record<string, string> = {},
    options: RequestCallOptions = {},
  ): Promise<GetPromptResult> {
    const prompts = this.rt.registry.prompts;
    const entry = prompts.get(name);
    const checked = checkCallOptions(options, {
      operation: `prompts/get "${entry?.rawName ?? name}"`,
      serverName: entry?.server,
    });
    if (!entry) {
      throw notFound("Prompt", name, [...prompts.keys()], [...prompts.values()]);
    }
    const slot = slotOf(this.rt, entry.server);
    return invoke(this.rt, slot, `prompts/get "${entry.rawName}"`, checked, (client, timeout, own) =>
      client.getPrompt(entry.rawName, args, withTimeout(own, timeout)),
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
      this.rt.slots.map(async (slot) => {
        const ok = await slot.ping((options.timeout ?? slot.config.healthCheck.timeout) * 1000);
        if (ok !== undefined) slot.monitor?.record(ok);
        return [slot.name, ok === true] as const;
      }),
    );
    return Object.fromEntries(results);
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
    const targets = this.rt.slots.filter((slot) => !slot.live);
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
    const rt = this.rt;
    const slot = slotOf(rt, server);
    const options = checkCallOptions(given, { operation: "reconnect", serverName: slot.name });
    if (rt.disconnecting) await rt.disconnecting;
    rt.active = true;
    if (slot.connectTask) await slot.connectTask;
    if (slot.live) return true;
    if (slot.loop) return slot.loop;
    if (!slot.breaker.wouldAdmit()) return false;
    // Both in range (checked above): a whole number ≤ MAX_MAX_RETRIES, seconds ≤ MAX_SCHEDULE_SECONDS.
    const maxAttempts = options.maxRetries ?? slot.config.maxRetries;
    if (maxAttempts === 0) return false;
    const delay = options.retryDelay ?? slot.config.retryDelay;
    return startReconnect(rt, slot, {
      fresh: true,
      maxAttempts,
      firstImmediately: true,
      backoff: backoffFromSeconds(delay, Math.max(delay, slot.config.reconnect.maxDelay)),
    });
  }

  // ─── Status ────────────────────────────────────────────────────────────────────────────────────

  /** Everything known about one server: state, breaker, failures, retry-after, last error, health, load. */
  getServerStatus(server: string): ServerStatus {
    const slot = slotOf(this.rt, server);
    const breaker = slot.breaker.snapshot();
    return {
      name: slot.name,
      state: slot.state,
      connected: slot.live,
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
      toolsCount: this.rt.registry.toolsOf(slot.name).length,
      pid: slot.client.getDiagnostics().pid,
    };
  }

  /** `getServerStatus` for every server, by name. */
  getAllServerStatus(): Record<string, ServerStatus> {
    return Object.fromEntries(this.rt.slots.map((slot) => [slot.name, this.getServerStatus(slot.name)]));
  }

  // ─── Internals ─────────────────────────────────────────────────────────────────────────────────

  /** Forwards one server's event and reacts to connection loss and list changes. */
  private onClientEvent(slot: ServerSlot, event: StatusEvent<ClientEvents>): void {
    // Every call of every server passes here (toolCallStart, toolCallSuccess): copy only when heard.
    if (this.rt.events.has(event.type)) forward(this.rt.events, event);
    if (event.type === "error" && event.lost) handleLoss(this.rt, slot, event.error);
    else if (event.type === "listChanged" && slot.state === "connected") {
      slot.refreshSnapshot();
      rebuild(this.rt, true);
    }
  }
}

/**
 * Re-emits a server's event on the multi-client's hub. MultiClientEvents extends ClientEvents, so
 * the hub's `emit` takes every client event too, and the event's own type picks its payload type.
 */
function forward(events: Pick<EventHub<ClientEvents>, "emit">, event: StatusEvent<ClientEvents>): void {
  const { type, ...payload } = event;
  events.emit(type, payload);
}

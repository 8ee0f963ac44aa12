import type {
  CallToolResult,
  Client,
  GetPromptResult,
  Implementation,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  ServerCapabilities,
  Tool,
} from "@modelcontextprotocol/client";

import type { Unsubscribe } from "../common/events.js";
import { EventHub } from "../common/events.js";
import {
  DEFAULT_MAX_RETRY_DELAY_SECONDS,
  MAX_HEALTH_CHECK_SECONDS,
  MAX_NAMES_IN_ERROR_CONTEXT,
} from "../config/defaults.js";
import { isValidatedConfig } from "../config/serverConfig.js";
import type { ServerConfig, ServerConfigInput } from "../config/types.js";
import { MCPConfigValidator } from "../config/validator.js";
import type { MCPError } from "../errors/errors.js";
import {
  MCPConnectionError,
  MCPError as MCPErrorClass,
  MCPServerError,
  MCPTimeoutError,
} from "../errors/errors.js";
import { quoteServerText } from "../errors/serverText.js";
import { backoffFromSeconds } from "../resilience/backoff.js";
import { systemClock } from "../resilience/clock.js";
import { runReconnectLoop } from "../resilience/reconnectLoop.js";
import { checkToolArguments } from "../security/toolArguments.js";
import { NO_TRANSPORT_DIAGNOSTICS } from "../transport/transport.js";
import { ArgumentCheck } from "./argumentCheck.js";
import { type CallOptionsSnapshot, checkCallOptions } from "./callOptions.js";
import { Catalog } from "./catalog.js";
import { Connection, type TransportFactory } from "./connection.js";
import type { ClientEventName, ClientEvents, ConnectionState } from "./events.js";
import { screenToolLists } from "./inboundScreen.js";
import { suggestNames } from "./names.js";
import type {
  CallToolOptions,
  ClientDiagnostics,
  MCPClientOptions,
  ReconnectOptions,
  RequestCallOptions,
} from "./options.js";
import { RequestRunner } from "./requestRunner.js";
import { callToolWithDefinition, interceptProgress, requestList } from "./sdkInternals.js";

export { CLIENT_INFO } from "./connection.js";

/** Transport factories set by `useTransportFactory`, by client. */
const transportFactories = new WeakMap<MCPClient, TransportFactory>();

/**
 * Internal, not exported from `src/index.ts`: connects `client` through `factory` instead of a real
 * stdio or HTTP transport, so tests can run it against an SDK `Server` over an in-memory pair.
 */
export function useTransportFactory(client: MCPClient, factory: TransportFactory): void {
  transportFactories.set(client, factory);
}

/**
 * A connection to one MCP server (stdio, streamable HTTP or legacy SSE): lifecycle, discovery with
 * pagination and `list_changed` refresh, tool calls with security limits and schema checks,
 * resources, prompts, health checks, reconnect with backoff, and typed errors and events.
 *
 * The config is validated in the constructor (`MCPConfigurationError` lists every problem), so an
 * invalid config never spawns or connects anything.
 *
 * This class is the facade: the connection lifecycle is `connection.ts`, discovery `catalog.ts`,
 * request timeouts and progress `requestRunner.ts`, argument checks `argumentCheck.ts`.
 */
export class MCPClient {
  /** The validated, normalised config. */
  readonly config: ServerConfig;
  /** The configured server name. */
  readonly name: string;

  private readonly events: EventHub<ClientEvents>;
  private readonly connection: Connection;
  private readonly catalog: Catalog;
  private readonly runner: RequestRunner;
  private readonly argumentCheck: ArgumentCheck;
  /** The running `reconnect()`, shared by concurrent callers, and what stops it. */
  private reconnecting: Promise<boolean> | undefined;
  private reconnectAbort: AbortController | undefined;

  /**
   * @param config A server config in MassGen's format (snake_case or camelCase keys).
   * @throws MCPConfigurationError when the config is invalid (every problem listed, nothing started).
   */
  constructor(config: ServerConfigInput | ServerConfig, options: MCPClientOptions = {}) {
    this.config = isValidatedConfig(config) ? config : MCPConfigValidator.validateServerConfig(config);
    this.name = this.config.name;
    const events = new EventHub<ClientEvents>(options.onStatus);
    this.events = events;
    this.argumentCheck = new ArgumentCheck(this.name);
    this.runner = new RequestRunner(this.name, this.config.type, () => this.connection.transport);
    this.catalog = new Catalog({
      name: this.name,
      config: this.config,
      options,
      events,
      runner: this.runner,
      sdk: () => this.connection.sdk,
      generation: () => this.connection.generation,
      toolsReplaced: () => this.argumentCheck.clear(),
    });
    this.connection = new Connection(this.name, this.config, options, events, {
      attach: (sdk, transport) => {
        interceptProgress(transport, (token) => this.runner.progressHandler(token));
        screenToolLists(transport, this.name, events);
        this.catalog.registerNotificationHandlers(sdk);
      },
      discover: (sdk, generation) => this.catalog.discover(sdk, generation),
      counts: () => ({
        toolsCount: this.catalog.tools.size,
        resourcesCount: this.catalog.resources.size,
        promptsCount: this.catalog.prompts.size,
      }),
      clear: () => {
        this.catalog.clear();
        this.argumentCheck.clear();
      },
      transportFactory: () => transportFactories.get(this),
    });
  }

  /** Creates a client and connects it: `await using client = await MCPClient.createAndConnect(cfg)`. */
  static async createAndConnect(
    config: ServerConfigInput | ServerConfig,
    options?: MCPClientOptions,
  ): Promise<MCPClient> {
    const client = new MCPClient(config, options);
    await client.connect();
    return client;
  }

  /** Subscribes to one status event; returns the function that unsubscribes. */
  on<K extends ClientEventName>(event: K, listener: (payload: ClientEvents[K]) => void): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** True when connected and usable. */
  isConnected(): boolean {
    return this.connection.state === "connected" && this.connection.sdk !== undefined;
  }

  /** The SDK `Client` of the current connection (internal; may change between versions). */
  get session(): Client | undefined {
    return this.connection.sdk;
  }

  /** The error that ended the last connection or connect attempt, if any. */
  get lastFailure(): MCPError | undefined {
    return this.connection.lastError;
  }

  /** Requests in flight right now (health monitors skip pings while this is above zero). */
  get inFlight(): number {
    return this.runner.inFlight;
  }

  /** The server's `initialize` answer: name and version. */
  get serverInfo(): Implementation | undefined {
    return this.connection.sdk?.getServerVersion();
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.connection.sdk?.getServerCapabilities();
  }

  /** The server's usage instructions from `initialize`, if it sent any. */
  get instructions(): string | undefined {
    return this.connection.sdk?.getInstructions();
  }

  /** Discovered tools by raw name (after the allow/exclude filters). */
  get tools(): ReadonlyMap<string, Tool> {
    return this.catalog.tools;
  }

  /** Discovered static resources by URI. */
  get resources(): ReadonlyMap<string, Resource> {
    return this.catalog.resources;
  }

  /** Discovered resource templates. */
  get resourceTemplates(): readonly ResourceTemplate[] {
    return this.catalog.templates;
  }

  /** Discovered prompts by name. */
  get prompts(): ReadonlyMap<string, Prompt> {
    return this.catalog.prompts;
  }

  getAvailableTools(): string[] {
    return [...this.catalog.tools.keys()];
  }

  getAvailableResources(): string[] {
    return [...this.catalog.resources.keys()];
  }

  getAvailablePrompts(): string[] {
    return [...this.catalog.prompts.keys()];
  }

  getDiagnostics(): ClientDiagnostics {
    const transport = this.connection.transport?.diagnostics() ?? NO_TRANSPORT_DIAGNOSTICS;
    return {
      server: this.name,
      state: this.connection.state,
      transport: this.config.type,
      pid: transport.pid,
      sessionId: transport.sessionId,
      stdoutNoiseLines: transport.stdoutNoiseLines,
      stderrTail: transport.stderrTail,
      inFlight: this.runner.inFlight,
      lastError: this.connection.lastError,
      sessionRenewals: transport.sessionRenewals,
    };
  }

  /**
   * Starts (stdio) or reaches (HTTP) the server, performs the `initialize` handshake within
   * `connect_timeout`, and discovers tools, resources and prompts (following pagination).
   * Concurrent calls share one attempt. Safe to call again after a failure.
   * @throws MCPConfigurationError (unset `${VAR}`, a refused expanded value), MCPConnectionError
   *   (spawn failure with the OS reason, process exit with exit code and stderr, refused connection,
   *   HTTP status), MCPTimeoutError with code INITIALIZE_TIMEOUT.
   */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  /**
   * Closes the connection: ends an HTTP session (best-effort DELETE) or stops a stdio server's whole
   * process tree (stdin EOF, then SIGTERM, then SIGKILL), in bounded time. Idempotent; also stops a
   * connect in progress (which then rejects with CONNECTION_CLOSED) and a running `reconnect()`.
   */
  disconnect(): Promise<void> {
    this.reconnectAbort?.abort(new Error("disconnect() was called"));
    return this.connection.close();
  }

  /** `await using client = …` disconnects at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  /**
   * Tears the connection down and connects again, up to `maxRetries` attempts: the first at once,
   * then exponential backoff (attempt n ≥ 2 waits between half and all of `retryDelay × 2^(n−2)`
   * seconds, capped at 30 s). Succeeds when the server connects and answers a health check. Concurrent
   * calls share one loop; `disconnect()` stops it. Resolves false when every attempt failed; rejects
   * only with MCPValidationError for options out of range (nothing is closed or started then).
   */
  reconnect(options: ReconnectOptions = {}): Promise<boolean> {
    let checked: CallOptionsSnapshot;
    try {
      checked = checkCallOptions(options, { operation: "reconnect", serverName: this.name });
    } catch (error) {
      return Promise.reject(error);
    }
    // One loop at a time: a second caller joins the running one instead of tearing down its work.
    this.reconnecting ??= this.reconnectLoop(checked).finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  private async reconnectLoop(options: CallOptionsSnapshot): Promise<boolean> {
    // Both checked by reconnect(): a whole number in range, and seconds ≥ 0.
    const maxRetries = options.maxRetries ?? this.config.maxRetries;
    const retryDelay = options.retryDelay ?? this.config.retryDelay;
    const abort = new AbortController();
    this.reconnectAbort = abort;
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    try {
      const outcome = await runReconnectLoop({
        server: this.name,
        plan: {
          fresh: true,
          maxAttempts: maxRetries,
          firstImmediately: true,
          backoff: backoffFromSeconds(retryDelay, DEFAULT_MAX_RETRY_DELAY_SECONDS),
        },
        clock: systemClock,
        signal,
        counter: { attempts: 0 },
        onAttempt: (event) => this.events.emit("reconnecting", { server: this.name, ...event }),
        attempt: async () => {
          await this.connection.close();
          if (signal.aborted) return "failed";
          try {
            await this.connect();
            return (await this.healthCheck()) ? "connected" : "failed";
          } catch {
            // Recorded in lastFailure and reported through the "error" event; try again.
            return "failed";
          }
        },
      });
      return outcome === "connected";
    } finally {
      if (this.reconnectAbort === abort) this.reconnectAbort = undefined;
    }
  }

  /**
   * Pings the server (falling back to `tools/list` when it does not implement `ping`). Resolves
   * true when it answers in time; never throws for the server's sake.
   * @throws MCPValidationError for an invalid `timeout` or `signal` (a bad option is not a dead server).
   */
  async healthCheck(given: RequestCallOptions = {}): Promise<boolean> {
    const options = checkCallOptions(given, { operation: "ping", serverName: this.name });
    const sdk = this.connection.sdk;
    if (!sdk || this.connection.state !== "connected") return false;
    const timeoutSeconds = options.timeout ?? Math.min(this.config.timeout, MAX_HEALTH_CHECK_SECONDS);
    try {
      await this.runner.run(
        { label: "ping", timeoutSeconds },
        (requestOptions) => sdk.ping(requestOptions),
        options.signal,
      );
      return true;
    } catch (error) {
      // Any JSON-RPC answer means the server is alive; only "method not found" needs the fallback.
      if (error instanceof MCPServerError && error.rpcCode !== -32601) return true;
      if ((error as { rpcCode?: number }).rpcCode !== -32601) return false;
    }
    try {
      await this.runner.run(
        { label: "tools/list", timeoutSeconds },
        (requestOptions) => requestList(sdk, "tools/list", {}, requestOptions),
        options.signal,
      );
      return true;
    } catch (error) {
      // A server without tools that answers "method not found" is still alive.
      return (error as { rpcCode?: number }).rpcCode === -32601;
    }
  }

  /**
   * Calls a tool by its raw name. Checks, in order: connected; tool known; arguments within the
   * security limits and valid against the tool's `inputSchema`; then sends.
   *
   * A result with `isError: true` is returned, not thrown: the server ran the tool and reported a
   * failure. JSON-RPC errors become `MCPServerError`; a timeout `MCPTimeoutError`; the caller's abort
   * `MCPCancelledError`; a lost connection `MCPConnectionError`.
   */
  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    given: CallToolOptions = {},
  ): Promise<CallToolResult> {
    const options = checkCallOptions(given, { operation: `tools/call "${name}"`, serverName: this.name });
    const sdk = this.requireConnection(`call tool "${name}"`);
    const tool = this.catalog.tools.get(name);
    if (!tool) {
      const available = this.getAvailableTools();
      throw new MCPErrorClass(
        `Tool "${name}" is not available on server "${this.name}".${suggestNames(name, available)}`,
        {
          code: "NOT_FOUND",
          serverName: this.name,
          context: { tool: name, availableTools: available.slice(0, MAX_NAMES_IN_ERROR_CONTEXT) },
        },
      );
    }
    const checked = checkToolArguments(args, this.config.security.toolArguments, {
      serverName: this.name,
      toolName: name,
    });
    this.argumentCheck.check(tool, checked);
    const timeoutSeconds = options.timeout ?? this.config.timeout;
    const started = performance.now();
    if (this.events.has("toolCallStart")) {
      this.events.emit("toolCallStart", {
        server: this.name,
        tool: name,
        arguments: checked,
        message: `Calling tool ${quoteServerText(name)} on "${this.name}"`,
      });
    }
    try {
      const result = (await this.runner.run(
        { label: `tools/call "${name}"`, timeoutSeconds },
        (requestOptions, progressToken) =>
          callToolWithDefinition(
            sdk,
            {
              name,
              arguments: checked,
              ...(progressToken === undefined ? {} : { _meta: { progressToken } }),
            },
            requestOptions,
            tool,
          ),
        options.signal,
        options.onProgress
          ? {
              onProgress: options.onProgress,
              resetOnProgress: options.resetTimeoutOnProgress ?? false,
              maxTotalSeconds: options.maxTotalTimeout ?? timeoutSeconds * 10,
            }
          : undefined,
      )) as CallToolResult;
      if (this.events.has("toolCallSuccess")) {
        this.events.emit("toolCallSuccess", {
          server: this.name,
          tool: name,
          isError: result.isError === true,
          durationMs: performance.now() - started,
          message: `Tool ${quoteServerText(name)} ${result.isError ? "reported an error" : "completed"}`,
        });
      }
      return result;
    } catch (error) {
      const typed = error as MCPError;
      if (typed instanceof MCPTimeoutError) {
        this.events.emit("toolCallTimeout", {
          server: this.name,
          tool: name,
          timeout: timeoutSeconds,
          message: typed.message,
        });
      } else {
        this.events.emit("toolCallError", {
          server: this.name,
          tool: name,
          error: typed,
          message: typed.message,
        });
      }
      throw typed;
    }
  }

  /** Reads a resource by URI (static or from a template); the server decides whether it exists. */
  async getResource(uri: string, given: RequestCallOptions = {}): Promise<ReadResourceResult> {
    const options = checkCallOptions(given, { operation: `resources/read "${uri}"`, serverName: this.name });
    const sdk = this.requireConnection(`read resource "${uri}"`);
    return (await this.runner.run(
      { label: `resources/read "${uri}"`, timeoutSeconds: options.timeout ?? this.config.timeout, uri },
      (requestOptions) => sdk.readResource({ uri }, requestOptions),
      options.signal,
    )) as ReadResourceResult;
  }

  /** Renders a prompt with its arguments. */
  async getPrompt(
    name: string,
    args: Record<string, string> = {},
    given: RequestCallOptions = {},
  ): Promise<GetPromptResult> {
    const options = checkCallOptions(given, { operation: `prompts/get "${name}"`, serverName: this.name });
    const sdk = this.requireConnection(`get prompt "${name}"`);
    if (this.catalog.prompts.size > 0 && !this.catalog.prompts.has(name)) {
      const available = this.getAvailablePrompts();
      throw new MCPErrorClass(
        `Prompt "${name}" is not available on server "${this.name}".${suggestNames(name, available)}`,
        {
          code: "NOT_FOUND",
          serverName: this.name,
          context: { prompt: name, availablePrompts: available.slice(0, MAX_NAMES_IN_ERROR_CONTEXT) },
        },
      );
    }
    return (await this.runner.run(
      { label: `prompts/get "${name}"`, timeoutSeconds: options.timeout ?? this.config.timeout },
      (requestOptions) => sdk.getPrompt({ name, arguments: args }, requestOptions),
      options.signal,
    )) as GetPromptResult;
  }

  private requireConnection(what: string): Client {
    const { sdk, state, lastError } = this.connection;
    if (sdk && state === "connected") return sdk;
    const why = lastError ? ` Last error: ${lastError.message}` : "";
    throw new MCPConnectionError(
      `Cannot ${what}: server "${this.name}" is ${state}. Call connect() (or reconnect()) first.${why}`,
      {
        code: "NOT_CONNECTED",
        serverName: this.name,
        transportType: this.config.type,
        cause: lastError,
      },
    );
  }
}

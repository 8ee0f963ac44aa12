import type {
  CallToolResult,
  GetPromptResult,
  Implementation,
  JSONRPCMessage,
  JsonSchemaValidator,
  Progress,
  Prompt,
  ReadResourceResult,
  RequestOptions,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  ServerCapabilities,
  Tool,
  Transport,
} from "@modelcontextprotocol/client";
import { Client, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/client/validators/ajv";

import { AuthSession } from "../auth/session.js";
import type { AuthOptions } from "../auth/types.js";
import { linkedSignal, onAbort } from "../common/abort.js";
import { type DeadlineClock, settledInOrder, withDeadline } from "../common/deadline.js";
import { nestsDeeperThan } from "../common/jsonDepth.js";
import { PACKAGE_VERSION } from "../common/version.js";
import { MAX_TOOL_DEFINITION_DEPTH, SESSION_DELETE_TIMEOUT_SECONDS } from "../config/defaults.js";
import { isValidatedConfig } from "../config/serverConfig.js";
import type { ServerConfig, ServerConfigInput } from "../config/types.js";
import { MCPConfigValidator } from "../config/validator.js";
import type { MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPCancelledError,
  MCPConnectionError,
  MCPError as MCPErrorClass,
  MCPServerError,
  MCPTimeoutError,
  MCPValidationError,
} from "../errors/errors.js";
import { quoteServerText, sanitizeServerText } from "../errors/serverText.js";
import { Backoff, sleep } from "../resilience/backoff.js";
import type { ClockTimer } from "../resilience/clock.js";
import { MAX_TIMER_MS, systemClock } from "../resilience/clock.js";
import { checkToolArguments } from "../security/toolArguments.js";
import { HttpTransport } from "../transport/httpTransport.js";
import { localErrorData } from "../transport/localErrors.js";
import { shownStderrTail, StdioTransport } from "../transport/stdioTransport.js";
import { compileSchema } from "./argumentCheck.js";
import { type CallOptionsSnapshot, checkCallOptions } from "./callOptions.js";
import { mapError } from "./errorMapping.js";
import type { ClientEventName, ClientEvents, ConnectionState, Unsubscribe } from "./events.js";
import { EventHub } from "./events.js";
import { clientCapabilities, registerClientHandlers } from "./handlers.js";
import { suggestNames } from "./names.js";
import type {
  CallToolOptions,
  ClientDiagnostics,
  MCPClientOptions,
  ReconnectOptions,
  RequestCallOptions,
} from "./options.js";
import { prepareConnection } from "./prepare.js";
import { disarmSdkTimersBeyondMax, reuseResultValidators } from "./sdkInternals.js";

export type {
  CallToolOptions,
  ClientDiagnostics,
  MCPClientOptions,
  ReconnectOptions,
  RequestCallOptions,
} from "./options.js";

/** The package's own identity in `initialize`. */
export const CLIENT_INFO: Implementation = { name: "mcp-tools", version: PACKAGE_VERSION };

/**
 * A stderr line in a `stderr` event is cut to this many characters (the transport splits lines at
 * 4 KiB): enough for any log line, and a server writing one endless line cannot flood listeners.
 */
const MAX_STDERR_LINE_TEXT = 1_000;
/** A paginated list stops after this many pages even if the cursors keep changing. */
const MAX_LIST_PAGES = 10_000;
/** Cap of a single `reconnect()` delay. */
const MAX_RECONNECT_DELAY_MS = 30_000;
/** Retries of a read-only list request after a transient HTTP status, and the first delay. */
const READ_RETRIES = 2;
const READ_RETRY_DELAY_MS = 100;
/** Timeout of `healthCheck()` when the caller gives none: the configured timeout, capped. */
const MAX_HEALTH_CHECK_SECONDS = 10;

type Operation = { label: string; timeoutSeconds: number; uri?: string };

let progressSequence = 0;

/**
 * A connection to one MCP server (stdio, streamable HTTP or legacy SSE): lifecycle, discovery with
 * pagination and `list_changed` refresh, tool calls with security limits and schema checks,
 * resources, prompts, health checks, reconnect with backoff, and typed errors and events.
 *
 * The config is validated in the constructor (`MCPConfigurationError` lists every problem), so an
 * invalid config never spawns or connects anything.
 */
export class MCPClient {
  /** The validated, normalised config. */
  readonly config: ServerConfig;
  /** The configured server name. */
  readonly name: string;

  private readonly options: MCPClientOptions;
  private readonly events: EventHub<ClientEvents>;
  private currentState: ConnectionState = "disconnected";
  private sdk: Client | undefined;
  private transport: StdioTransport | HttpTransport | undefined;
  private connecting: Promise<void> | undefined;
  private disconnecting: Promise<void> | undefined;
  /**
   * The teardown of a lost stdio connection: the transport reports the loss at once (so that pending
   * calls fail fast) and ends the server's process tree afterwards. `disconnect()` and the next
   * `connect()` wait for it, so no old server is left running, or running beside its replacement.
   */
  private lostTeardown: Promise<void> | undefined;
  /** Bumped on every connect and disconnect, so late events of an old connection are ignored. */
  private generation = 0;
  private toolMap = new Map<string, Tool>();
  private resourceMap = new Map<string, Resource>();
  private templateList: ResourceTemplate[] = [];
  private promptMap = new Map<string, Prompt>();
  private readonly inputValidators = new Map<string, JsonSchemaValidator<unknown> | null>();
  private readonly progressHandlers = new Map<string, (progress: Progress) => void>();
  private readonly refreshing = new Map<"tools" | "resources" | "prompts", Promise<void>>();
  /** Lists whose `list_changed` arrived while they were being refreshed. */
  private readonly refreshAgain = new Set<"tools" | "resources" | "prompts">();
  /** The running `reconnect()`, shared by concurrent callers, and what stops it. */
  private reconnecting: Promise<boolean> | undefined;
  private reconnectAbort: AbortController | undefined;
  /** Compiles tool input schemas; one per client so schemas with the same `$id` never mix. */
  private schemaValidator: AjvJsonSchemaValidator | undefined;
  private lastError: MCPError | undefined;
  private inFlightCount = 0;
  /** The running connect deadline's clock, while `connect()` waits for the handshake. */
  private connectClock: DeadlineClock | undefined;
  /** OAuth state of an HTTP server with an `auth` section; kept across reconnects. */
  private authSession: AuthSession | undefined;

  /**
   * @param config A server config in the seed's format (snake_case or camelCase keys).
   * @throws MCPConfigurationError when the config is invalid (every problem listed, nothing started).
   */
  constructor(config: ServerConfigInput | ServerConfig, options: MCPClientOptions = {}) {
    this.config = isValidatedConfig(config) ? config : MCPConfigValidator.validateServerConfig(config);
    this.name = this.config.name;
    this.options = options;
    this.events = new EventHub<ClientEvents>(options.onStatus);
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
    return this.currentState;
  }

  /** True when connected and usable. */
  isConnected(): boolean {
    return this.currentState === "connected" && this.sdk !== undefined;
  }

  /** The SDK `Client` of the current connection (internal; may change between versions). */
  get session(): Client | undefined {
    return this.sdk;
  }

  /** The error that ended the last connection or connect attempt, if any. */
  get lastFailure(): MCPError | undefined {
    return this.lastError;
  }

  /** Requests in flight right now (health monitors skip pings while this is above zero). */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** The server's `initialize` answer: name and version. */
  get serverInfo(): Implementation | undefined {
    return this.sdk?.getServerVersion();
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.sdk?.getServerCapabilities();
  }

  /** The server's usage instructions from `initialize`, if it sent any. */
  get instructions(): string | undefined {
    return this.sdk?.getInstructions();
  }

  /** Discovered tools by raw name (after the allow/exclude filters). */
  get tools(): ReadonlyMap<string, Tool> {
    return this.toolMap;
  }

  /** Discovered static resources by URI. */
  get resources(): ReadonlyMap<string, Resource> {
    return this.resourceMap;
  }

  /** Discovered resource templates. */
  get resourceTemplates(): readonly ResourceTemplate[] {
    return this.templateList;
  }

  /** Discovered prompts by name. */
  get prompts(): ReadonlyMap<string, Prompt> {
    return this.promptMap;
  }

  getAvailableTools(): string[] {
    return [...this.toolMap.keys()];
  }

  getAvailableResources(): string[] {
    return [...this.resourceMap.keys()];
  }

  getAvailablePrompts(): string[] {
    return [...this.promptMap.keys()];
  }

  getDiagnostics(): ClientDiagnostics {
    const stdio = this.transport instanceof StdioTransport ? this.transport : undefined;
    const http = this.transport instanceof HttpTransport ? this.transport : undefined;
    return {
      server: this.name,
      state: this.currentState,
      transport: this.config.type,
      pid: stdio?.pid,
      sessionId: http?.sessionId,
      stdoutNoiseLines: stdio?.noiseLines ?? 0,
      stderrTail: stdio ? shownStderrTail(stdio.stderr()) : "",
      inFlight: this.inFlightCount,
      lastError: this.lastError,
      sessionRenewals: http?.sessionRenewals ?? 0,
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
    if (this.currentState === "connected") return Promise.resolve();
    this.connecting ??= (async () => {
      if (this.disconnecting) await this.disconnecting;
      if (this.lostTeardown) await this.lostTeardown;
      await this.establish();
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async establish(): Promise<void> {
    const generation = ++this.generation;
    this.setState("connecting");
    this.events.emit("connecting", { server: this.name, message: `Connecting to MCP server "${this.name}"` });
    const config = this.config;
    const timeoutMs = config.connectTimeout * 1000;
    let transport: StdioTransport | HttpTransport | undefined;
    let sdk: Client | undefined;
    try {
      const prepared = await prepareConnection(
        config,
        this.options.environment ?? process.env,
        this.options.lookup,
      );
      this.assertCurrent(generation);
      transport = this.createTransport(prepared, generation);
      sdk = new Client(this.options.clientInfo ?? CLIENT_INFO, {
        capabilities: clientCapabilities(this.options.handlers),
      });
      registerClientHandlers(sdk, this.options.handlers, this.name);
      reuseResultValidators(sdk);
      disarmSdkTimersBeyondMax(sdk);
      // A frame that is not JSON-RPC and answers no request fails nothing, but must not go unseen.
      // So must an event the transport refused for its size on a stream no call waits on (the
      // standalone GET stream, which is then not reopened).
      sdk.onerror = (error) => {
        const kind = isMCPError(error, "PROTOCOL_ERROR")
          ? "protocol-error"
          : isMCPError(error, "MESSAGE_TOO_LARGE")
            ? "message-too-large"
            : undefined;
        if (kind) this.events.emit("warning", { server: this.name, kind, message: error.message });
      };
      this.transport = transport;
      this.sdk = sdk;
      await withDeadline(
        sdk.connect(transport as Transport, { timeout: MAX_TIMER_MS }),
        timeoutMs,
        () =>
          new MCPTimeoutError(
            `Server "${this.name}" did not complete the initialize handshake within ${config.connectTimeout} s; it was stopped. Check that the command starts an MCP server, look at its stderr, or raise connect_timeout.`,
            {
              code: "INITIALIZE_TIMEOUT",
              serverName: this.name,
              timeoutSeconds: config.connectTimeout,
              operation: "initialize",
              context: { stderrTail: transport instanceof StdioTransport ? transport.stderr(10) : undefined },
            },
          ),
        () => void transport?.close(),
        (controls) => {
          this.connectClock = controls;
        },
      );
      this.assertCurrent(generation);
      this.interceptProgress(transport);
      this.screenToolLists(transport);
      this.registerNotificationHandlers(sdk);
      sdk.onclose = () => this.handleConnectionLost(generation);
      await this.discover(sdk, generation);
      this.assertCurrent(generation);
      this.lastError = undefined;
      this.setState("connected");
      this.events.emit("connected", {
        server: this.name,
        message: `Connected to MCP server "${this.name}"`,
        toolsCount: this.toolMap.size,
        resourcesCount: this.resourceMap.size,
        promptsCount: this.promptMap.size,
      });
    } catch (raw) {
      const error = this.describeConnectFailure(raw, transport);
      if (transport) await transport.close().catch(() => undefined);
      if (generation === this.generation) {
        this.sdk = undefined;
        this.transport = undefined;
        this.lastError = error;
        this.setState("failed");
        this.events.emit("error", { server: this.name, message: error.message, error, lost: false });
      }
      throw error;
    }
  }

  private describeConnectFailure(
    raw: unknown,
    transport: StdioTransport | HttpTransport | undefined,
  ): MCPError {
    if (raw instanceof MCPErrorClass) return raw;
    return mapError(raw, {
      serverName: this.name,
      operation: "connect",
      transportType: this.config.type,
      closeReason: transport?.closeReason,
    });
  }

  /** Throws when a disconnect (or a newer connect) superseded the connection being built. */
  private assertCurrent(generation: number): void {
    if (generation !== this.generation) {
      throw new MCPConnectionError(`Connecting to server "${this.name}" was interrupted by disconnect().`, {
        code: "CONNECTION_CLOSED",
        serverName: this.name,
        transportType: this.config.type,
      });
    }
  }

  private createTransport(
    prepared: Awaited<ReturnType<typeof prepareConnection>>,
    generation: number,
  ): StdioTransport | HttpTransport {
    const config = this.config;
    if (config.type === "stdio" && prepared.kind === "stdio") {
      return new StdioTransport({
        serverName: this.name,
        command: prepared.command,
        args: prepared.args,
        env: prepared.env,
        cwd: config.cwd,
        maxMessageBytes: config.maxMessageBytes,
        shutdownGraceMs: config.shutdownGrace * 1000,
        onStderrLine: (line) => {
          // A closing process's last lines ("ignoring SIGTERM", a crash trace) are still this server's.
          if (!this.events.has("stderr")) return;
          this.events.emit("stderr", {
            server: this.name,
            message: sanitizeServerText(line, MAX_STDERR_LINE_TEXT),
          });
        },
        onNoise: (line) => {
          if (generation !== this.generation) return;
          this.events.emit("warning", {
            server: this.name,
            kind: "stdout-noise",
            // Already sanitized and cut by the transport, with its "(N more characters)" note.
            message: `Server "${this.name}" wrote a non-JSON line to stdout (ignored): ${line}`,
          });
        },
      });
    }
    if (config.type !== "stdio" && prepared.kind === "http") {
      return new HttpTransport({
        serverName: this.name,
        type: config.type,
        url: config.url,
        headers: prepared.headers,
        httpReadTimeoutMs: config.httpReadTimeout * 1000,
        maxMessageBytes: config.maxMessageBytes,
        reinitializeTimeoutMs: config.connectTimeout * 1000,
        sessionDeleteTimeoutMs: SESSION_DELETE_TIMEOUT_SECONDS * 1000,
        sseRetry: { minDelayMs: 100, maxDelayMs: 30_000, maxRetries: 3 },
        fetch: this.options.fetch,
        authorization: prepared.auth
          ? (this.authSession ??= new AuthSession({
              config: prepared.auth,
              serverName: this.name,
              serverUrl: config.url,
              options: this.authOptions(),
              fetch: this.options.fetch,
            }))
          : undefined,
        policy: config.security,
        lookup: this.options.lookup,
      });
    }
    throw new Error(`unreachable: transport ${config.type} prepared as ${prepared.kind}`);
  }

  /**
   * The runtime auth options, with the login callback wrapped so that time spent waiting for a
   * person to sign in does not count towards `connect_timeout` (the handshake's own time still does).
   */
  private authOptions(): AuthOptions | undefined {
    const auth = this.options.auth;
    const login = auth?.onAuthorizationUrl;
    if (!auth || !login) return auth;
    return {
      ...auth,
      onAuthorizationUrl: async (url, info) => {
        const clock = this.connectClock;
        clock?.pause();
        try {
          return await login(url, info);
        } finally {
          clock?.resume();
        }
      },
    };
  }

  /**
   * Progress notifications are dispatched here, synchronously and in wire order, before the SDK sees
   * them. The SDK dispatches notifications a microtask late but responses at once, so the last
   * progress update of a call could arrive after the call resolved and be dropped.
   */
  private interceptProgress(transport: StdioTransport | HttpTransport): void {
    const deliver = transport.onmessage;
    if (!deliver) return;
    transport.onmessage = <T extends JSONRPCMessage>(message: T, extra?: unknown) => {
      if ("method" in message && message.method === "notifications/progress") {
        const params = message.params as (Progress & { progressToken?: unknown }) | undefined;
        const handler =
          typeof params?.progressToken === "string"
            ? this.progressHandlers.get(params.progressToken)
            : undefined;
        if (handler) {
          const { progressToken: _token, ...progress } = params!;
          handler(progress as Progress);
          return;
        }
      }
      (deliver as (message: T, extra?: unknown) => void)(message, extra);
    };
  }

  /**
   * Takes every tool whose definition nests deeper than `MAX_TOOL_DEFINITION_DEPTH` out of the
   * `tools/list` answers before the SDK parses them, and names each in a "tool-skipped" warning. The
   * SDK's result schema recurses once per level, so one tool nested ~1,000 levels deep overflowed the
   * stack and failed the whole list, and with it the connect, with PROTOCOL_ERROR. Answers are told
   * apart by the ids of the `tools/list` requests seen going out.
   */
  private screenToolLists(transport: StdioTransport | HttpTransport): void {
    const next = transport.onmessage;
    if (!next) return;
    const send = transport.send.bind(transport) as Transport["send"];
    // Numbers, as the SDK matches responses (Number(response.id)): a server echoing "3" for request
    // 3 answers it, and must not slip past the screen.
    const listIds = new Set<number>();
    // Tools already reported as skipped on this connection: a health check or list refresh that
    // lists them again does not repeat the warning.
    const reported = new Set<string>();
    (transport as Transport).send = (message, options) => {
      const method = "method" in message ? message.method : undefined;
      if (method === "tools/list" && "id" in message && message.id !== undefined) {
        listIds.add(Number(message.id));
      } else if (
        method === "notifications/cancelled" &&
        listIds.size > 0 &&
        !("id" in message && message.id !== undefined)
      ) {
        // A tools/list that timed out or was aborted gets no answer worth screening: forget its id.
        const params =
          "params" in message ? (message.params as { requestId?: unknown } | undefined) : undefined;
        listIds.delete(Number(params?.requestId));
      }
      return send(message, options);
    };
    const deliver = next as (message: JSONRPCMessage, extra?: unknown) => void;
    transport.onmessage = (message: JSONRPCMessage, extra?: unknown) => {
      const id = "method" in message || !("id" in message) ? undefined : message.id;
      try {
        // Most messages answer no tools/list: the set is empty and nothing is looked up.
        if (listIds.size > 0 && id !== undefined && id !== null && listIds.delete(Number(id))) {
          deliver(this.withoutDeepTools(message, reported), extra);
          return;
        }
        deliver(message, extra);
      } catch (error) {
        this.unprocessable(deliver, id, error);
      }
    };
  }

  /**
   * A message the SDK threw on while taking it in (the transport calls us from its data handler, so
   * a throw there is an uncaught exception that ends the host process). The known case: a response
   * for an id nobody is waiting for, nested thousands of levels deep, which the SDK `JSON.stringify`s
   * into its "unknown message ID" error and overflows the stack with. The message is dropped and
   * reported as a protocol error; when it carries an id, the request waiting for that id (if any)
   * fails with PROTOCOL_ERROR instead of waiting for its timeout.
   */
  private unprocessable(
    deliver: (message: JSONRPCMessage, extra?: unknown) => void,
    id: unknown,
    error: unknown,
  ): void {
    // Only the error's kind: its message may quote the server's data (the SDK's does).
    const why =
      error instanceof RangeError ? error.message : error instanceof Error ? error.name : "an error";
    const message = `Server "${this.name}" sent a message the client could not process (${why}); it was dropped`;
    if (typeof id === "string" || typeof id === "number") {
      try {
        deliver({
          jsonrpc: "2.0",
          id,
          error: { code: -32603, message, data: localErrorData({ code: "PROTOCOL_ERROR" }) },
        });
      } catch {
        // Nothing else to do with it: the warning below still reports the message.
      }
    }
    this.events.emit("warning", {
      server: this.name,
      kind: "protocol-error",
      message: `${message}. A request waiting for its id (${typeof id === "string" || typeof id === "number" ? quoteServerText(String(id), 40) : "none"}) failed with PROTOCOL_ERROR; the connection is kept.`,
    });
  }

  private withoutDeepTools(message: JSONRPCMessage, reported: Set<string>): JSONRPCMessage {
    const result = "result" in message ? (message.result as Record<string, unknown> | undefined) : undefined;
    const tools = result?.["tools"];
    if (!Array.isArray(tools)) return message;
    const kept = tools.filter((tool: unknown) => {
      if (!nestsDeeperThan(tool, MAX_TOOL_DEFINITION_DEPTH)) return true;
      const name = (tool as { name?: unknown }).name;
      // Nameless tools share one key: each is reported once too, not once per listing.
      const key = typeof name === "string" ? `tool:${name}` : "nameless";
      if (reported.has(key)) return false;
      reported.add(key);
      const named = typeof name === "string" ? `tool ${quoteServerText(name)}` : "a tool without a name";
      this.events.emit("warning", {
        server: this.name,
        kind: "tool-skipped",
        message: `Server "${this.name}" listed ${named} whose definition is nested more than ${MAX_TOOL_DEFINITION_DEPTH} levels deep; it was skipped, since its schema cannot be checked safely. The server's other tools are usable; report the tool to the server's maintainers.`,
      });
      return false;
    });
    if (kept.length === tools.length) return message;
    return { ...message, result: { ...result, tools: kept } } as JSONRPCMessage;
  }

  private registerNotificationHandlers(sdk: Client): void {
    const capabilities = sdk.getServerCapabilities() ?? {};
    if (capabilities.tools) {
      sdk.setNotificationHandler("notifications/tools/list_changed", () => this.refresh("tools"));
    }
    if (capabilities.resources) {
      sdk.setNotificationHandler("notifications/resources/list_changed", () => this.refresh("resources"));
    }
    if (capabilities.prompts) {
      sdk.setNotificationHandler("notifications/prompts/list_changed", () => this.refresh("prompts"));
    }
  }

  /** Re-reads one list after a `list_changed` notification; concurrent notifications share one refresh. */
  private refresh(kind: "tools" | "resources" | "prompts"): Promise<void> {
    const running = this.refreshing.get(kind);
    if (running) {
      // The running refresh may already have read the old list: read it once more afterwards.
      this.refreshAgain.add(kind);
      return running;
    }
    const sdk = this.sdk;
    const generation = this.generation;
    if (!sdk) return Promise.resolve();
    const work = (async () => {
      try {
        do {
          this.refreshAgain.delete(kind);
          if (kind === "tools") await this.discoverTools(sdk, generation);
          else if (kind === "resources") await this.discoverResources(sdk, generation);
          else await this.discoverPrompts(sdk, generation);
        } while (this.refreshAgain.has(kind) && generation === this.generation);
        if (generation !== this.generation) return;
        this.events.emit("listChanged", {
          server: this.name,
          kind,
          message: `Server "${this.name}" changed its ${kind}; the list was refreshed`,
        });
      } catch (error) {
        if (generation !== this.generation) return;
        this.events.emit("warning", {
          server: this.name,
          kind: "refresh-failed",
          // An MCPError's message is already clean; anything else may carry the server's raw text.
          message: `Refreshing ${kind} of server "${this.name}" failed: ${isMCPError(error) ? error.message : sanitizeServerText(String((error as Error | undefined)?.message ?? error))}`,
        });
      }
    })().finally(() => this.refreshing.delete(kind));
    this.refreshing.set(kind, work);
    return work;
  }

  /**
   * The lists are independent, so they are asked for at once: two or three round trips fewer per
   * connect (milliseconds on a local HTTP server, far more on a remote one). Failures are reported in
   * the fixed order tools, resources, prompts, as when they were asked for one after another.
   */
  private async discover(sdk: Client, generation: number): Promise<void> {
    await settledInOrder([
      this.discoverTools(sdk, generation),
      this.discoverResources(sdk, generation),
      this.discoverPrompts(sdk, generation),
    ]);
  }

  private async discoverTools(sdk: Client, generation: number): Promise<void> {
    if (!sdk.getServerCapabilities()?.tools) {
      this.toolMap = new Map();
      return;
    }
    const tools = await this.listAll<Tool>(sdk, "tools/list", "tools", generation);
    const allowed = this.config.allowedTools ?? this.options.allowedTools;
    const excluded = new Set([...this.config.excludeTools, ...(this.options.excludeTools ?? [])]);
    const map = new Map<string, Tool>();
    for (const tool of tools) {
      if (typeof tool?.name !== "string") continue;
      if (this.options.toolFilter) {
        if (!this.options.toolFilter(tool)) continue;
      } else {
        // Filters may name a tool raw or routed (`mcp__{server}__{tool}`, as MassGen configs do).
        const routed = `mcp__${this.name}__${tool.name}`;
        if (excluded.has(tool.name) || excluded.has(routed)) continue;
        if (allowed !== undefined && !allowed.includes(tool.name) && !allowed.includes(routed)) continue;
      }
      if (map.has(tool.name)) {
        this.events.emit("warning", {
          server: this.name,
          kind: "duplicate-tool",
          message: `Server "${this.name}" listed tool ${quoteServerText(tool.name)} twice; the first definition is kept`,
        });
        continue;
      }
      map.set(tool.name, tool);
    }
    if (generation !== this.generation) return;
    this.toolMap = map;
    this.inputValidators.clear();
    this.schemaValidator = undefined;
  }

  private async discoverResources(sdk: Client, generation: number): Promise<void> {
    if (!sdk.getServerCapabilities()?.resources) {
      this.resourceMap = new Map();
      this.templateList = [];
      return;
    }
    const [resources, templates] = await settledInOrder([
      this.listAll<Resource>(sdk, "resources/list", "resources", generation, true),
      this.listAll<ResourceTemplate>(sdk, "resources/templates/list", "resourceTemplates", generation, true),
    ] as const);
    if (generation !== this.generation) return;
    this.resourceMap = new Map(resources.filter((r) => typeof r?.uri === "string").map((r) => [r.uri, r]));
    this.templateList = templates.filter((t) => typeof t?.uriTemplate === "string");
  }

  private async discoverPrompts(sdk: Client, generation: number): Promise<void> {
    if (!sdk.getServerCapabilities()?.prompts) {
      this.promptMap = new Map();
      return;
    }
    const prompts = await this.listAll<Prompt>(sdk, "prompts/list", "prompts", generation, true);
    if (generation !== this.generation) return;
    this.promptMap = new Map(prompts.filter((p) => typeof p?.name === "string").map((p) => [p.name, p]));
  }

  /**
   * Follows `nextCursor` to the end. A cursor seen before ends the walk with a warning (a server
   * whose pagination loops would otherwise hang discovery). With `optional`, a server that does not
   * implement the method (-32601) yields an empty list instead of failing the connect.
   */
  private async listAll<T>(
    sdk: Client,
    method: "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list",
    key: string,
    generation: number,
    optional = false,
  ): Promise<T[]> {
    const items: T[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      let result: Record<string, unknown>;
      const params = cursor === undefined ? {} : { cursor };
      try {
        result = (await this.readOnlyWithRetry(method, () =>
          this.run({ label: method, timeoutSeconds: this.config.timeout }, (options) =>
            sdk.request({ method, params } as never, options as never),
          ),
        )) as Record<string, unknown>;
      } catch (error) {
        if (optional && (error as { rpcCode?: number }).rpcCode === -32601) return items;
        throw error;
      }
      if (generation !== this.generation) return items;
      const pageItems = result[key];
      // Not `push(...page)`: spreading passes every item as an argument, and a page of some 130,000
      // items (a few MB, well within max_message_bytes) overflowed the stack with a RangeError.
      if (Array.isArray(pageItems)) for (const item of pageItems as T[]) items.push(item);
      const next = result.nextCursor;
      if (typeof next !== "string" || next === "") return items;
      if (seen.has(next)) {
        this.events.emit("warning", {
          server: this.name,
          kind: "pagination-loop",
          message: `Server "${this.name}" repeated the cursor ${quoteServerText(next, 80)} in ${method}; stopped after ${page + 1} pages with ${items.length} items`,
        });
        return items;
      }
      seen.add(next);
      cursor = next;
    }
    this.events.emit("warning", {
      server: this.name,
      kind: "pagination-limit",
      message: `Server "${this.name}" returned more than ${MAX_LIST_PAGES} pages for ${method}; stopped there`,
    });
    return items;
  }

  /**
   * Read-only list requests over HTTP are retried up to twice on a transient HTTP status (5xx, 408,
   * 429), with a short jittered backoff (fault-matrix §2.2). Nothing else is ever retried here: a
   * `tools/call` may have side effects, and a dead stdio process is not transient.
   */
  private async readOnlyWithRetry<T>(method: string, request: () => Promise<T>): Promise<T> {
    const backoff = new Backoff({ initialDelayMs: READ_RETRY_DELAY_MS, maxDelayMs: READ_RETRY_DELAY_MS * 4 });
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        const status =
          error instanceof MCPConnectionError && error.code === "HTTP_STATUS" ? error.httpStatus : undefined;
        const transient = status !== undefined && (status >= 500 || status === 408 || status === 429);
        if (!transient || attempt >= READ_RETRIES || this.config.type === "stdio") throw error;
        this.events.emit("warning", {
          server: this.name,
          kind: "retry",
          message: `${method} on server "${this.name}" got HTTP ${status}; retrying (${attempt + 1} of ${READ_RETRIES})`,
        });
        await sleep(backoff.next());
      }
    }
  }

  private setState(next: ConnectionState): void {
    const previous = this.currentState;
    if (previous === next) return;
    this.currentState = next;
    this.events.emit("stateChange", {
      server: this.name,
      from: previous,
      to: next,
      message: `Server "${this.name}": ${previous} → ${next}`,
    });
  }

  /** The transport closed without `disconnect()`: the process died or the HTTP connection was lost. */
  private handleConnectionLost(generation: number): void {
    if (generation !== this.generation || this.currentState !== "connected") return;
    const transport = this.transport;
    const reason =
      transport?.closeReason ??
      new MCPConnectionError(
        `The connection to server "${this.name}" was lost. Call reconnect() to restore it.`,
        {
          code: "CONNECTION_CLOSED",
          serverName: this.name,
          transportType: this.config.type,
        },
      );
    this.generation++;
    this.sdk = undefined;
    this.transport = undefined;
    if (transport instanceof StdioTransport) {
      const teardown: Promise<void> = transport
        .close()
        .catch(() => undefined)
        .finally(() => {
          if (this.lostTeardown === teardown) this.lostTeardown = undefined;
        });
      this.lostTeardown = teardown;
    }
    this.lastError = reason;
    this.setState("failed");
    this.events.emit("error", { server: this.name, message: reason.message, error: reason, lost: true });
  }

  /**
   * Closes the connection: ends an HTTP session (best-effort DELETE) or stops a stdio server's whole
   * process tree (stdin EOF, then SIGTERM, then SIGKILL), in bounded time. Idempotent; also stops a
   * connect in progress (which then rejects with CONNECTION_CLOSED) and a running `reconnect()`.
   */
  disconnect(): Promise<void> {
    this.reconnectAbort?.abort(new Error("disconnect() was called"));
    return this.close();
  }

  /** The body of `disconnect()`, also used between reconnect attempts (without stopping the loop). */
  private close(): Promise<void> {
    if (this.disconnecting) return this.disconnecting;
    if (!this.transport && !this.sdk && !this.connecting) {
      if (this.currentState === "failed") this.setState("disconnected");
      this.clearLists();
      return this.lostTeardown ?? Promise.resolve();
    }
    // Only a connect that started before this disconnect is waited for: one started afterwards waits
    // for this disconnect itself, and waiting for it here would deadlock both.
    const pendingConnect = this.connecting;
    this.disconnecting = (async () => {
      this.generation++;
      const sdk = this.sdk;
      const transport = this.transport;
      this.sdk = undefined;
      this.transport = undefined;
      this.setState("disconnecting");
      try {
        if (sdk) await sdk.close();
        else if (transport) await transport.close();
        if (transport && sdk) await transport.close();
      } catch {
        // Closing is best effort; the transports bound their own shutdown.
      }
      if (pendingConnect) await pendingConnect.catch(() => undefined);
      this.clearLists();
      this.setState("disconnected");
      this.events.emit("disconnected", {
        server: this.name,
        message: `Disconnected from MCP server "${this.name}"`,
      });
    })().finally(() => {
      this.disconnecting = undefined;
    });
    return this.disconnecting;
  }

  private clearLists(): void {
    this.toolMap = new Map();
    this.resourceMap = new Map();
    this.templateList = [];
    this.promptMap = new Map();
    this.inputValidators.clear();
    this.schemaValidator = undefined;
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
    // 0 means "again at once"; the backoff needs a positive base, so 1 ms stands in.
    const retryDelayMs = retryDelay > 0 ? retryDelay * 1000 : 1;
    const backoff = new Backoff({
      initialDelayMs: retryDelayMs,
      maxDelayMs: Math.max(retryDelayMs, MAX_RECONNECT_DELAY_MS),
    });
    const abort = new AbortController();
    this.reconnectAbort = abort;
    const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
    try {
      for (let attempt = 1; attempt <= maxRetries; attempt++) {
        if (signal.aborted) return false;
        const delayMs = attempt === 1 ? 0 : backoff.next();
        this.events.emit("reconnecting", {
          server: this.name,
          attempt,
          delaySeconds: delayMs / 1000,
          message:
            attempt === 1
              ? `Reconnecting to "${this.name}" (attempt 1 of ${maxRetries})`
              : `Reconnecting to "${this.name}" in ${(delayMs / 1000).toFixed(1)} s (attempt ${attempt} of ${maxRetries})`,
        });
        if (delayMs > 0) {
          try {
            await sleep(delayMs, signal);
          } catch {
            return false;
          }
        }
        await this.close();
        if (signal.aborted) return false;
        try {
          await this.connect();
          if (await this.healthCheck()) return true;
        } catch {
          // Recorded in lastFailure and reported through the "error" event; try again.
        }
      }
      return false;
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
    const sdk = this.sdk;
    if (!sdk || this.currentState !== "connected") return false;
    const timeoutSeconds = options.timeout ?? Math.min(this.config.timeout, MAX_HEALTH_CHECK_SECONDS);
    try {
      await this.run(
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
      await this.run(
        { label: "tools/list", timeoutSeconds },
        (requestOptions) =>
          sdk.request({ method: "tools/list", params: {} } as never, requestOptions as never),
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
    const tool = this.toolMap.get(name);
    if (!tool) {
      const available = this.getAvailableTools();
      throw new MCPErrorClass(
        `Tool "${name}" is not available on server "${this.name}".${suggestNames(name, available)}`,
        {
          code: "NOT_FOUND",
          serverName: this.name,
          context: { tool: name, availableTools: available.slice(0, 50) },
        },
      );
    }
    const checked = checkToolArguments(args, this.config.security.toolArguments, {
      serverName: this.name,
      toolName: name,
    });
    this.validateArguments(tool, checked);
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
      const result = (await this.run(
        { label: `tools/call "${name}"`, timeoutSeconds },
        (requestOptions, progressToken) =>
          sdk.callTool(
            {
              name,
              arguments: checked,
              ...(progressToken === undefined ? {} : { _meta: { progressToken } }),
            },
            { ...requestOptions, toolDefinition: tool } as never,
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
    return (await this.run(
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
    if (this.promptMap.size > 0 && !this.promptMap.has(name)) {
      const available = this.getAvailablePrompts();
      throw new MCPErrorClass(
        `Prompt "${name}" is not available on server "${this.name}".${suggestNames(name, available)}`,
        {
          code: "NOT_FOUND",
          serverName: this.name,
          context: { prompt: name, availablePrompts: available.slice(0, 50) },
        },
      );
    }
    return (await this.run(
      { label: `prompts/get "${name}"`, timeoutSeconds: options.timeout ?? this.config.timeout },
      (requestOptions) => sdk.getPrompt({ name, arguments: args }, requestOptions),
      options.signal,
    )) as GetPromptResult;
  }

  private requireConnection(what: string): Client {
    const sdk = this.sdk;
    if (sdk && this.currentState === "connected") return sdk;
    const why = this.lastError ? ` Last error: ${this.lastError.message}` : "";
    throw new MCPConnectionError(
      `Cannot ${what}: server "${this.name}" is ${this.currentState}. Call connect() (or reconnect()) first.${why}`,
      {
        code: "NOT_CONNECTED",
        serverName: this.name,
        transportType: this.config.type,
        cause: this.lastError,
      },
    );
  }

  private validateArguments(tool: Tool, args: Record<string, unknown>): void {
    let validator = this.inputValidators.get(tool.name);
    if (validator === undefined) {
      // One Ajv per client, replaced with the tool list, so its cache never outgrows the tools.
      this.schemaValidator ??= new AjvJsonSchemaValidator();
      validator = compileSchema(this.schemaValidator, tool.inputSchema);
      this.inputValidators.set(tool.name, validator);
    }
    if (validator === null) return;
    const outcome = validator(args);
    if (!outcome.valid) {
      throw new MCPValidationError(
        `Invalid arguments for tool "${tool.name}" on server "${this.name}": ${outcome.errorMessage}. Check the tool's inputSchema.`,
        {
          code: "INVALID_ARGUMENTS",
          serverName: this.name,
          field: "arguments",
          rule: "schema",
          context: { tool: tool.name },
        },
      );
    }
  }

  /**
   * Runs one request with our own timeout and the caller's signal, so that a timeout
   * (`MCPTimeoutError`) and a caller's abort (`MCPCancelledError`) stay distinct (the SDK reports both
   * as REQUEST_TIMEOUT), and progress can restart the timer within a hard total bound.
   */
  private async run<T>(
    operation: Operation,
    exec: (options: RequestOptions, progressToken: string | undefined) => Promise<T>,
    signal?: AbortSignal,
    progress?: {
      onProgress: (progress: Progress) => void;
      resetOnProgress: boolean;
      maxTotalSeconds: number;
    },
  ): Promise<T> {
    // Captured now: when the connection dies, the transport is detached before the rejection runs.
    const transport = this.transport;
    const scopeError = () => ({
      serverName: this.name,
      operation: operation.label,
      transportType: this.config.type,
      closeReason: transport?.closeReason,
      uri: operation.uri,
    });
    if (signal?.aborted) {
      throw new MCPCancelledError(
        `${operation.label} on server "${this.name}" was cancelled before it was sent.`,
        {
          serverName: this.name,
          operation: operation.label,
          cause: signal.reason,
        },
      );
    }
    const timeoutMs = operation.timeoutSeconds * 1000;
    // Below MAX_TIMER_MS: that value and beyond mean "our timers govern" to the SDK (see below).
    if (!progress && timeoutMs < MAX_TIMER_MS) {
      // Plain requests use the SDK's own per-request timer as the timeout: no second timer per call
      // (BENCHMARKS.md). The SDK adds an abort listener per request to the signal it is given, so it
      // gets the caller's signal's one internal linked signal (no allocation per call). The SDK
      // rejects both a timeout and an abort with RequestTimeout; the caller's signal tells them apart.
      const requestSignal = signal ? linkedSignal(signal) : undefined;
      this.inFlightCount++;
      try {
        return await exec(
          requestSignal ? { signal: requestSignal, timeout: timeoutMs } : { timeout: timeoutMs },
          undefined,
        );
      } catch (error) {
        if (signal?.aborted) throw this.cancelledError(operation, signal);
        if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) {
          throw this.timeoutError(operation);
        }
        throw mapError(error, scopeError());
      } finally {
        this.inFlightCount--;
      }
    }
    // Progress, or a timeout beyond one Node timer (Infinity included): our own timers, on the system
    // clock (which never fires Infinity and chains longer delays), and the SDK's timer disarmed.
    const controller = new AbortController();
    let timedOut = false;
    let totalExpired = false;
    const onTimeout = () => {
      timedOut = true;
      controller.abort(new Error(`${operation.label} timed out after ${operation.timeoutSeconds} s`));
    };
    let timer = systemClock.setTimeout(onTimeout, timeoutMs);
    let totalTimer: ClockTimer | undefined;
    const stopWaiting = signal
      ? onAbort(signal, () => controller.abort(signal.reason ?? new Error("cancelled")))
      : undefined;
    let progressToken: string | undefined;
    if (progress) {
      progressToken = `mcp-tools-${++progressSequence}`;
      if (progress.resetOnProgress) {
        totalTimer = systemClock.setTimeout(() => {
          totalExpired = true;
          onTimeout();
        }, progress.maxTotalSeconds * 1000);
      }
      this.progressHandlers.set(progressToken, (update) => {
        if (progress.resetOnProgress && !controller.signal.aborted) {
          systemClock.clearTimeout(timer);
          timer = systemClock.setTimeout(onTimeout, timeoutMs);
        }
        try {
          progress.onProgress(update);
        } catch {
          // A throwing progress callback must not break the call.
        }
      });
    }
    this.inFlightCount++;
    try {
      return await exec({ signal: controller.signal, timeout: MAX_TIMER_MS }, progressToken);
    } catch (error) {
      if (totalExpired && progress) {
        throw new MCPTimeoutError(
          `${operation.label} on server "${this.name}" had not finished after its maxTotalTimeout of ${progress.maxTotalSeconds} s (progress kept restarting its ${operation.timeoutSeconds} s timeout); the request was cancelled. Pass a larger { maxTotalTimeout }.`,
          { serverName: this.name, timeoutSeconds: progress.maxTotalSeconds, operation: operation.label },
        );
      }
      if (timedOut) throw this.timeoutError(operation);
      if (signal?.aborted) throw this.cancelledError(operation, signal);
      throw mapError(error, scopeError());
    } finally {
      this.inFlightCount--;
      systemClock.clearTimeout(timer);
      systemClock.clearTimeout(totalTimer);
      stopWaiting?.();
      if (progressToken !== undefined) this.progressHandlers.delete(progressToken);
    }
  }

  private timeoutError(operation: Operation): MCPTimeoutError {
    return new MCPTimeoutError(
      `${operation.label} on server "${this.name}" got no answer within ${operation.timeoutSeconds} s; the request was cancelled. Pass a larger { timeout } or raise the server's timeout.`,
      { serverName: this.name, timeoutSeconds: operation.timeoutSeconds, operation: operation.label },
    );
  }

  private cancelledError(operation: Operation, signal: AbortSignal): MCPCancelledError {
    return new MCPCancelledError(`${operation.label} on server "${this.name}" was cancelled by the caller.`, {
      serverName: this.name,
      operation: operation.label,
      cause: signal.reason,
    });
  }
}

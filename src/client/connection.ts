import type { Implementation } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/client";

import type { AuthSession } from "../auth/session.js";
import type { AuthOptions } from "../auth/types.js";
import { type DeadlineClock, withDeadline } from "../common/deadline.js";
import type { EventHub } from "../common/events.js";
import { PACKAGE_VERSION } from "../common/version.js";
import {
  SESSION_DELETE_TIMEOUT_SECONDS,
  SSE_RETRY_MAX_DELAY_MS,
  SSE_RETRY_MAX_RETRIES,
  SSE_RETRY_MIN_DELAY_MS,
} from "../config/defaults.js";
import type { ServerConfig } from "../config/types.js";
import type { MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPConnectionError,
  MCPError as MCPErrorClass,
  MCPTimeoutError,
} from "../errors/errors.js";
import { sanitizeServerText } from "../errors/serverText.js";
import { MAX_TIMER_MS } from "../resilience/clock.js";
import type { ClientTransport } from "../transport/transport.js";
import { mapError } from "./errorMapping.js";
import type { ClientEvents, ConnectionState } from "./events.js";
import { clientCapabilities, registerClientHandlers } from "./handlers.js";
import type { MCPClientOptions } from "./options.js";
import { prepareConnection, type PreparedHttp, type PreparedStdio } from "./prepare.js";
import { disarmSdkTimersBeyondMax, reuseResultValidators } from "./sdkInternals.js";

/** The package's own identity in `initialize`. */
export const CLIENT_INFO: Implementation = { name: "mcp-tools", version: PACKAGE_VERSION };

/**
 * A stderr line in a `stderr` event is cut to this many characters (the transport splits lines at
 * 4 KiB): enough for any log line, and a server writing one endless line cannot flood listeners.
 */
const MAX_STDERR_LINE_TEXT = 1_000;

/**
 * Builds the transport of one connection attempt from the prepared (expanded, checked) config.
 * Internal: tests hand one in (`useTransportFactory`) to connect over the SDK's in-memory pair.
 */
export type TransportFactory = (
  prepared: PreparedStdio | PreparedHttp,
) => ClientTransport | Promise<ClientTransport>;

/** What the connection asks of the rest of the client at fixed points of a connect and disconnect. */
export interface ConnectionHooks {
  /** After the handshake, before `onclose` is set and discovery runs: interceptors and list handlers. */
  attach(sdk: Client, transport: ClientTransport): void;
  /** Discovery of tools, resources and prompts; part of `connect()`. */
  discover(sdk: Client, generation: number): Promise<void>;
  /** The catalog's sizes, for the `connected` event. */
  counts(): { toolsCount: number; resourcesCount: number; promptsCount: number };
  /** Forgets everything discovered (after a disconnect). */
  clear(): void;
  /** A test's transport factory, if one was set. */
  transportFactory(): TransportFactory | undefined;
}

/**
 * The lifecycle of one server's connection: state, the generation that tells a current connection
 * from a superseded one, connect (with its deadline, paused during an interactive login), the
 * transport factory, a loss the client did not ask for, and disconnect. The facade (`MCPClient`)
 * reads its fields; only this class writes them.
 */
export class Connection {
  state: ConnectionState = "disconnected";
  sdk: Client | undefined;
  transport: ClientTransport | undefined;
  /** The error that ended the last connection or connect attempt. */
  lastError: MCPError | undefined;
  /** Bumped on every connect and disconnect, so late events of an old connection are ignored. */
  generation = 0;
  private connecting: Promise<void> | undefined;
  private disconnecting: Promise<void> | undefined;
  /**
   * The teardown of a lost stdio connection: the transport reports the loss at once (so that pending
   * calls fail fast) and ends the server's process tree afterwards. `disconnect()` and the next
   * `connect()` wait for it, so no old server is left running, or running beside its replacement.
   */
  private lostTeardown: Promise<void> | undefined;
  /** The running connect deadline's clock, while `connect()` waits for the handshake. */
  private connectClock: DeadlineClock | undefined;
  /** OAuth state of an HTTP server with an `auth` section; kept across reconnects. */
  private authSession: AuthSession | undefined;

  constructor(
    private readonly name: string,
    private readonly config: ServerConfig,
    private readonly options: MCPClientOptions,
    private readonly events: EventHub<ClientEvents>,
    private readonly hooks: ConnectionHooks,
  ) {}

  connect(): Promise<void> {
    if (this.state === "connected") return Promise.resolve();
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
    let transport: ClientTransport | undefined;
    let sdk: Client | undefined;
    try {
      const prepared = await prepareConnection(
        config,
        this.options.environment ?? process.env,
        this.options.lookup,
      );
      this.assertCurrent(generation);
      transport = await (this.hooks.transportFactory() ?? ((p) => this.createTransport(p, generation)))(
        prepared,
      );
      this.assertCurrent(generation);
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
      const connecting = transport;
      await withDeadline(
        sdk.connect(transport, { timeout: MAX_TIMER_MS }),
        timeoutMs,
        () =>
          new MCPTimeoutError(
            `Server "${this.name}" did not complete the initialize handshake within ${config.connectTimeout} s; it was stopped. Check that the command starts an MCP server, look at its stderr, or raise connect_timeout.`,
            {
              code: "INITIALIZE_TIMEOUT",
              serverName: this.name,
              timeoutSeconds: config.connectTimeout,
              operation: "initialize",
              context: { stderrTail: connecting.lastStderr(10) },
            },
          ),
        () => void connecting.close(),
        (controls) => {
          this.connectClock = controls;
        },
      );
      this.assertCurrent(generation);
      this.hooks.attach(sdk, transport);
      sdk.onclose = () => this.handleConnectionLost(generation);
      await this.hooks.discover(sdk, generation);
      this.assertCurrent(generation);
      this.lastError = undefined;
      this.setState("connected");
      this.events.emit("connected", {
        server: this.name,
        message: `Connected to MCP server "${this.name}"`,
        ...this.hooks.counts(),
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

  private describeConnectFailure(raw: unknown, transport: ClientTransport | undefined): MCPError {
    if (raw instanceof MCPErrorClass) return raw;
    return mapError(raw, {
      serverName: this.name,
      operation: "connect",
      transportType: this.config.type,
      closeReason: transport?.closeReason,
    });
  }

  /** Throws when a disconnect (or a newer connect) superseded the connection being built. */
  assertCurrent(generation: number): void {
    if (generation !== this.generation) {
      throw new MCPConnectionError(`Connecting to server "${this.name}" was interrupted by disconnect().`, {
        code: "CONNECTION_CLOSED",
        serverName: this.name,
        transportType: this.config.type,
      });
    }
  }

  /**
   * Each transport is imported when a server of its kind first connects: the HTTP transport (and
   * undici under it) and the OAuth session only for HTTP servers (the session only with an `auth`
   * section), the stdio transport (process trees, cross-spawn, signal-exit) only for stdio servers.
   * Importing `mcp-tools` loads neither (`test/unit/client/lazyHttp.test.ts`,
   * `test/integration/coldImport.test.ts`), which is most of what a cold start saves.
   */
  private async createTransport(
    prepared: PreparedStdio | PreparedHttp,
    generation: number,
  ): Promise<ClientTransport> {
    const config = this.config;
    if (config.type === "stdio" && prepared.kind === "stdio") {
      const { StdioTransport } = await import("../transport/stdioTransport.js");
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
      const { HttpTransport } = await import("../transport/httpTransport.js");
      const authorization = prepared.auth ? await this.authSessionFor(prepared.auth, config.url) : undefined;
      return new HttpTransport({
        serverName: this.name,
        type: config.type,
        url: config.url,
        headers: prepared.headers,
        httpReadTimeoutMs: config.httpReadTimeout * 1000,
        maxMessageBytes: config.maxMessageBytes,
        reinitializeTimeoutMs: config.connectTimeout * 1000,
        sessionDeleteTimeoutMs: SESSION_DELETE_TIMEOUT_SECONDS * 1000,
        sseRetry: {
          minDelayMs: SSE_RETRY_MIN_DELAY_MS,
          maxDelayMs: SSE_RETRY_MAX_DELAY_MS,
          maxRetries: SSE_RETRY_MAX_RETRIES,
        },
        fetch: this.options.fetch,
        authorization,
        policy: config.security,
        lookup: this.options.lookup,
      });
    }
    throw new Error(`unreachable: transport ${config.type} prepared as ${prepared.kind}`);
  }

  /** The server's OAuth session, made on its first connect and kept across reconnects. */
  private async authSessionFor(
    auth: NonNullable<PreparedHttp["auth"]>,
    serverUrl: string,
  ): Promise<AuthSession> {
    if (this.authSession) return this.authSession;
    const { AuthSession } = await import("../auth/session.js");
    return (this.authSession ??= new AuthSession({
      config: auth,
      serverName: this.name,
      serverUrl,
      options: this.authOptions(),
      fetch: this.options.fetch,
    }));
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

  setState(next: ConnectionState): void {
    const previous = this.state;
    if (previous === next) return;
    this.state = next;
    this.events.emit("stateChange", {
      server: this.name,
      from: previous,
      to: next,
      message: `Server "${this.name}": ${previous} → ${next}`,
    });
  }

  /** The transport closed without `disconnect()`: the process died or the HTTP connection was lost. */
  private handleConnectionLost(generation: number): void {
    if (generation !== this.generation || this.state !== "connected") return;
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
    if (transport?.closesAfterLoss) {
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

  /** The body of `disconnect()`, also used between reconnect attempts (without stopping the loop). */
  close(): Promise<void> {
    if (this.disconnecting) return this.disconnecting;
    if (!this.transport && !this.sdk && !this.connecting) {
      if (this.state === "failed") this.setState("disconnected");
      this.hooks.clear();
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
      this.hooks.clear();
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
}

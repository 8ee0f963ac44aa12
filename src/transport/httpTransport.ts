import type {
  AuthProvider,
  FetchLike,
  JSONRPCMessage,
  MessageExtraInfo,
  OAuthClientProvider,
  TransportSendOptions,
} from "@modelcontextprotocol/client";
import { SSEClientTransport, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { Agent, fetch as undiciFetch } from "undici";

import type { TransportAuthorization } from "../auth/session.js";
import { onAbort } from "../common/abort.js";
import { HTTP_KEEP_ALIVE_TIMEOUT_MS } from "../config/defaults.js";
import { isMCPError, MCPConnectionError } from "../errors/errors.js";
import { sanitizeServerText } from "../errors/serverText.js";
import type { SecurityPolicy } from "../security/types.js";
import type { HostLookup } from "../security/url.js";
import { UrlGuard } from "./guardedFetch.js";
import { type LocalErrorCode, localErrorData, localErrorOf } from "./localErrors.js";
import { createFetch, type OversizedStream } from "./responseBodies.js";
import { requestLabel, sessionGoneStatus } from "./sessionExpiry.js";
import { type ClientTransport, NO_TRANSPORT_DIAGNOSTICS, type TransportDiagnostics } from "./transport.js";

export interface HttpTransportOptions {
  serverName: string;
  type: "streamable-http" | "sse";
  url: string;
  /** Final header values (variables already expanded, security-checked). */
  headers: Readonly<Record<string, string>>;
  /** Milliseconds a request's response stream (POST, or its resumption) may stay silent before it is treated as dead. */
  httpReadTimeoutMs: number;
  /**
   * `max_message_bytes`: the largest response body (JSON) or single SSE event read from the server; a
   * larger one is cut as soon as it passes the limit. @default DEFAULT_MAX_MESSAGE_BYTES
   */
  maxMessageBytes?: number | undefined;
  /** Bound on the session re-initialisation after the server forgot the session (milliseconds). */
  reinitializeTimeoutMs: number;
  /** Bound on the best-effort `DELETE` that ends the session on close (milliseconds). */
  sessionDeleteTimeoutMs: number;
  /** SSE resumption: the server's `retry:` hint is clamped into [min, max] milliseconds. */
  sseRetry: { minDelayMs: number; maxDelayMs: number; maxRetries: number };
  authProvider?: AuthProvider | OAuthClientProvider | undefined;
  /**
   * OAuth from the server's `auth` section: its provider replaces `authProvider`, and a request the
   * SDK gave up on for want of an interactive login is sent again once the login completed.
   */
  authorization?: TransportAuthorization | undefined;
  /**
   * Replaces `fetch` (tests, proxies, custom agents). The address policy still applies to every URL,
   * and a host name the server names is resolved and checked before its request is sent; but only
   * the built-in pool checks DNS answers when it connects, which is what stops a name from changing
   * its answer after that check (DNS rebinding).
   */
  fetch?: FetchLike | undefined;
  /**
   * The server's `security` section. Every request of the connection — MCP messages, OAuth discovery,
   * registration and tokens, redirects, the legacy-SSE endpoint — goes to a URL checked against it
   * first, and every host name it connects to has its DNS answers checked (see `UrlGuard`): the
   * config-time check of `url` covers none of the URLs the server names, nor a name that resolves to
   * a public address when checked and to a forbidden one when connected (DNS rebinding).
   */
  policy?: SecurityPolicy | undefined;
  /** Resolver of the connect-time check (tests inject one). @default dns.lookup with all addresses */
  lookup?: HostLookup | undefined;
}

export type RequestId = string | number;
type Inner = StreamableHTTPClientTransport | SSEClientTransport;

let reinitSequence = 0;

/**
 * HTTP transport: the SDK's streamable-HTTP (or legacy SSE) transport plus what it lacks.
 *
 * - Session expiry: a 404 to a request that carried a session id means the server forgot the
 *   session. The spec says the client MUST start a new session; the SDK keeps the stale id and every
 *   later request 404s (typescript-sdk #1708). Servers built on the session-map pattern of
 *   `@modelcontextprotocol/server-everything` answer a 400 instead ("No valid session ID provided"),
 *   so a 400 whose body says the session is unknown, invalid or expired counts too, unless the body
 *   is the JSON-RPC answer to the request itself (it carries the request's id: the server ran the
 *   request, and its error is the request's own, whatever it says). Here the session
 *   is re-initialised once (single flight, only if the id is still the one that failed, so a late
 *   404 never clears a newer session) and the request is retried once: the server did not process
 *   it, so even `tools/call` is safe to resend. A second such answer surfaces as `SESSION_EXPIRED`.
 * - Size: a response body, or one SSE event, larger than `maxMessageBytes` is cut while it streams
 *   (a `Content-Length` above the limit before reading) and fails its request with
 *   `MESSAGE_TOO_LARGE`; the socket is destroyed rather than drained. The standalone GET stream,
 *   which no request waits on, is reported once through `onerror` and not reopened for the rest of
 *   the connection (the SDK would reopen it at once, for ever).
 * - A request answered without a stream that cannot carry its response (HTTP 202, or a JSON body
 *   without a response for its id) fails at once with `PROTOCOL_ERROR` instead of at its timeout.
 * - Cancellation: on a 2025-era connection the SDK sends `notifications/cancelled` but leaves the
 *   POST and its response stream open. Every request gets its own abort signal here, aborted when
 *   its cancellation goes out, so the socket is freed.
 * - A POST response stream that ends without a response (and cannot be resumed) fails that request
 *   at once instead of leaving it to its timeout.
 * - A response stream that stays silent longer than `http_read_timeout` is aborted.
 * - SSE resumption honours the server's `retry:` hint but clamps it (the SDK uses it unchecked), and
 *   every pending resumption timer is cleared on close (the SDK remembers only the latest).
 * - With `policy`, every URL a request goes to (including those the server names: OAuth discovery,
 *   redirects, the legacy-SSE endpoint) and every connection's resolved addresses pass the address
 *   policy of the configured `url` (`UrlGuard`).
 * - `close()` ends the session with a best-effort, time-bounded `DELETE`.
 */
export class HttpTransport implements ClientTransport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;

  readonly inner: Inner;
  /**
   * One connection pool per server, destroyed on close: sockets are freed deterministically instead
   * of idling in the process-wide pool, and one server's connections never mix with another's.
   * Body and header timeouts are off because every request carries its own deadline and response
   * streams have the `http_read_timeout` idle check.
   */
  private readonly agent: Agent;
  /** The address policy of every request; absent without `policy`. */
  private readonly guard: UrlGuard | undefined;
  /** `fetch` through the policy and the pool, without the MCP request handling (OAuth, the IdP). */
  private readonly authFetch: FetchLike;
  private readonly pending = new Map<RequestId, AbortController>();
  private readonly internal = new Map<RequestId, { resolve: () => void; reject: (error: Error) => void }>();
  private initializeParams: unknown;
  private renewal: Promise<void> | undefined;
  /** Aborts the session renewal in progress (its timer, or close()). */
  private renewalAbort: AbortController | undefined;
  /** Set by the inner transport's close and by close(): nothing new may start. */
  private closed = false;
  /** The single shutdown started by the first close(). */
  private closing: Promise<void> | undefined;
  private closeNotified = false;
  /** SSE resumption timers; the SDK keeps only the latest one, and a pending one must not outlive close(). */
  private readonly reconnectTimers = new Set<NodeJS.Timeout>();
  /** Requests whose response stream was aborted by the idle read timeout. */
  private readonly idleAborted = new Set<RequestId>();
  /** Requests whose POST was answered with a 202 or a JSON body: their response must be in by the end of `send`. */
  private readonly answeredWithoutStream = new Map<RequestId, "accepted" | "json">();
  /** The latest SSE event id of each request's response stream, to tell which request a resumption serves. */
  private readonly resumptionTokens = new Map<RequestId, string>();
  /** Fails a `start()` in progress (set while it runs). */
  private failStart: ((error: Error) => void) | undefined;
  /** Why the connection ended on its own (see `closeReason`). */
  private failure: MCPConnectionError | undefined;
  /** Set once an oversized event cut the standalone GET stream: it is not opened again. */
  private standaloneStreamClosed = false;
  /** Errors a call of the inner transport rejected with: its caller has them (see `reportInnerError`). */
  private readonly thrownToCaller = new WeakSet<object>();
  /** Errors of the inner transport already passed to `onerror` (the SDK reports some twice). */
  private readonly reported = new WeakSet<object>();
  /** Sessions re-established after a 404, for diagnostics. */
  sessionRenewals = 0;

  constructor(private readonly options: HttpTransportOptions) {
    const url = new URL(options.url);
    const guard = options.policy
      ? new UrlGuard({
          serverName: options.serverName,
          serverUrl: options.url,
          policy: options.policy,
          configuredUrls: options.authorization?.configuredUrls,
          lookup: options.lookup,
        })
      : undefined;
    this.guard = guard;
    this.agent = new Agent({
      bodyTimeout: 0,
      headersTimeout: 0,
      keepAliveTimeout: HTTP_KEEP_ALIVE_TIMEOUT_MS,
      ...(guard ? { connect: { lookup: guard.connectLookup } } : {}),
    });
    const agent = this.agent;
    const direct: FetchLike =
      options.fetch ??
      ((target, init) =>
        undiciFetch(target, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>);
    const guarded = guard?.fetch(direct, { checksDnsOnConnect: options.fetch === undefined }) ?? direct;
    const fetchImpl = createFetch(options, guarded, (id) => this.idleAborted.add(id), {
      answered: (ids, how) => this.answered(ids, how),
      oversized: (stream, error) => this.oversized(stream, error),
      standaloneStreamClosed: () => this.standaloneStreamClosed,
    });
    // Every request of this server, the auth layer's own included (the legacy-SSE login, the
    // cross-app-access IdP), goes through the same policy, pool and body bounds; so do its checks of
    // discovered URLs.
    this.authFetch = fetchImpl;
    options.authorization?.bind({
      fetch: fetchImpl,
      refuse: (urls) => guard?.refuse(urls),
    });
    const requestInit: RequestInit = { headers: { ...options.headers } };
    if (options.type === "sse") {
      this.inner = new SSEClientTransport(url, {
        requestInit,
        fetch: fetchImpl,
        ...authProviderOf(options),
      });
    } else {
      const { minDelayMs, maxDelayMs, maxRetries } = options.sseRetry;
      this.inner = new StreamableHTTPClientTransport(url, {
        requestInit,
        fetch: fetchImpl,
        ...authProviderOf(options),
        reconnectionOptions: {
          initialReconnectionDelay: minDelayMs,
          maxReconnectionDelay: maxDelayMs,
          reconnectionDelayGrowFactor: 2,
          maxRetries,
        },
        reconnectionScheduler: (reconnect, delay) => {
          const clamped = Math.min(
            maxDelayMs,
            Math.max(minDelayMs, Number.isFinite(delay) ? delay : maxDelayMs),
          );
          const timer = setTimeout(() => {
            this.reconnectTimers.delete(timer);
            reconnect();
          }, clamped);
          this.reconnectTimers.add(timer);
          return () => {
            clearTimeout(timer);
            this.reconnectTimers.delete(timer);
          };
        },
      });
    }
  }

  /** Why the connection ended on its own, if it did: an oversized event on the legacy SSE stream. */
  get closeReason(): MCPConnectionError | undefined {
    return this.failure;
  }

  get sessionId(): string | undefined {
    return this.inner instanceof StreamableHTTPClientTransport ? this.inner.sessionId : undefined;
  }

  diagnostics(): TransportDiagnostics {
    return { ...NO_TRANSPORT_DIAGNOSTICS, sessionId: this.sessionId, sessionRenewals: this.sessionRenewals };
  }

  lastStderr(): undefined {
    return undefined;
  }

  readonly closesAfterLoss = false;

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    this.inner.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) =>
      this.receive(message, extra);
    this.inner.onerror = (error) => this.reportInnerError(error);
    this.inner.onclose = () => {
      this.closed = true;
      // The SDK reports close again when close() closes an inner transport that closed by itself.
      if (this.closeNotified) return;
      this.closeNotified = true;
      this.onclose?.();
    };
    if (this.inner instanceof SSEClientTransport && this.options.authorization) {
      // The legacy SSE transport cannot reopen its stream after a login, so one happens first.
      const inner = this.inner;
      await this.options.authorization.prepare(this.options.url, this.authFetch, (callback) =>
        inner.finishAuth(callback),
      );
    }
    try {
      await new Promise<void>((resolve, reject) => {
        // An oversized first event (legacy SSE's endpoint) closes the transport before start settles.
        this.failStart = reject;
        this.caught(this.inner.start()).then(resolve, reject);
      }).finally(() => {
        this.failStart = undefined;
      });
    } catch (error) {
      // A refusal during the legacy-SSE start (its stream, the endpoint event) reaches here as SDK text.
      throw this.guard ? this.guard.explain(error) : error;
    }
  }

  /**
   * What the inner transport reports through `onerror`, less what a caller already gets: the SDK
   * reports every failed send, start and session DELETE right before it rejects with the same error
   * (a 500 to a call would reach its caller and `onerror`; a 404 whose session is renewed would
   * reach `onerror` although nothing failed), and some stream failures twice. The rejection is seen
   * within the same turn of the event loop, so the report waits for the next one.
   */
  private reportInnerError(error: Error): void {
    setImmediate(() => {
      if (this.thrownToCaller.has(error) || this.reported.has(error)) return;
      this.reported.add(error);
      this.onerror?.(error);
    });
  }

  /** `call` of the inner transport, its rejection marked as one its caller gets (see `reportInnerError`). */
  private caught<T>(call: Promise<T>): Promise<T> {
    return call.catch((error: unknown) => {
      if (typeof error === "object" && error !== null) this.thrownToCaller.add(error);
      throw error;
    });
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if ("id" in message && !("method" in message) && message.id !== null && message.id !== undefined) {
      const internal = this.internal.get(message.id);
      if (internal) {
        this.internal.delete(message.id);
        if ("error" in message) {
          internal.reject(localErrorOf(message.error.data)?.error ?? new Error(message.error.message));
        } else internal.resolve();
        return;
      }
      this.pending.delete(message.id);
      this.resumptionTokens.delete(message.id);
    }
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ("method" in message && message.method === "initialize") this.initializeParams = message.params;
    const id = "method" in message && "id" in message ? (message.id as RequestId) : undefined;
    if (this.inner instanceof SSEClientTransport) {
      const inner = this.inner;
      // Tracked only so that an oversized event on the one stream can fail the requests it may have held.
      if (id !== undefined) this.pending.set(id, new AbortController());
      this.forgetCancelled(message);
      try {
        await this.authorized(() => this.caught(inner.send(message)));
      } catch (error) {
        if (id !== undefined) this.pending.delete(id);
        throw error;
      }
      return;
    }
    let sendOptions = options;
    if (id !== undefined) {
      const controller = new AbortController();
      this.pending.set(id, controller);
      const signals = options?.requestSignal
        ? [options.requestSignal, controller.signal]
        : [controller.signal];
      sendOptions = {
        ...options,
        requestSignal: signals.length === 1 ? controller.signal : AbortSignal.any(signals),
        onRequestStreamEnd: () => {
          options?.onRequestStreamEnd?.();
          this.streamEnded(id);
        },
        onresumptiontoken: (token) => {
          options?.onresumptiontoken?.(token);
          if (this.pending.has(id)) this.resumptionTokens.set(id, token);
        },
      };
    }
    this.forgetCancelled(message);
    try {
      await this.authorized(() => this.sendWithSessionRecovery(message, sendOptions));
      if (id !== undefined) this.assertAnswered(id, message);
    } catch (error) {
      if (id !== undefined) {
        this.pending.delete(id);
        this.resumptionTokens.delete(id);
      }
      throw id === undefined ? error : this.describeBodyFailure(error, id, message);
    } finally {
      if (id !== undefined) this.answeredWithoutStream.delete(id);
    }
  }

  /**
   * Before a `notifications/cancelled` goes out: if the server does not answer that POST either, the
   * cancelled request's socket must still be freed.
   */
  private forgetCancelled(message: JSONRPCMessage): void {
    if (!("method" in message) || message.method !== "notifications/cancelled") return;
    const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
    if (requestId !== undefined) {
      this.pending.get(requestId)?.abort();
      this.pending.delete(requestId);
      this.resumptionTokens.delete(requestId);
    }
  }

  /** The fetch layer saw the POST of `ids` answered with a 202 or a JSON body. */
  private answered(ids: readonly RequestId[], how: "accepted" | "json"): void {
    for (const id of ids) {
      if (this.pending.has(id) || this.internal.has(id)) this.answeredWithoutStream.set(id, how);
    }
  }

  /**
   * Called once `send` of request `id` returned. A 202 carries no response and a JSON body is read
   * whole before `send` returns: if the response is not in by now it never comes, so the request
   * fails at once (the SDK would leave it to its timeout). An SSE stream may rightly still be open.
   */
  private assertAnswered(id: RequestId, message: JSONRPCMessage): void {
    const how = this.answeredWithoutStream.get(id);
    if (how === undefined || !(this.pending.has(id) || this.internal.has(id))) return;
    const what = requestLabel(message);
    throw new MCPConnectionError(
      how === "accepted"
        ? `Server "${this.options.serverName}" answered the request ${what} with HTTP 202 Accepted and no response; 202 is only for notifications and responses, so no answer can follow. The request failed at once instead of waiting for its timeout; the server does not follow the MCP streamable HTTP transport.`
        : `Server "${this.options.serverName}" answered the request ${what} (id ${JSON.stringify(id)}) with a JSON body that holds no response for that id (a response with another id, or none at all). The request failed at once instead of waiting for its timeout; the server does not follow the MCP streamable HTTP transport.`,
      {
        code: "PROTOCOL_ERROR",
        serverName: this.options.serverName,
        transportType: this.options.type,
        ...(how === "accepted" ? { httpStatus: 202 } : {}),
        context: { requestId: id },
      },
    );
  }

  /** A 2xx JSON body the SDK could not even parse is named as what it is, not as a bare `SyntaxError`. */
  private describeBodyFailure(error: unknown, id: RequestId, message: JSONRPCMessage): unknown {
    if (!(error instanceof SyntaxError) || this.answeredWithoutStream.get(id) !== "json") return error;
    return new MCPConnectionError(
      `Server "${this.options.serverName}" answered the request ${requestLabel(message)} with a body declared as JSON that is not JSON (${sanitizeServerText(error.message)}); the server does not follow the MCP streamable HTTP transport.`,
      {
        code: "PROTOCOL_ERROR",
        serverName: this.options.serverName,
        transportType: this.options.type,
        cause: error,
      },
    );
  }

  /**
   * A response stream passed `maxMessageBytes` and was cut. Whoever waited on it fails with the
   * typed error: the requests of a POST stream (or of the stream a resumption continues). On the
   * legacy SSE stream, which carries every response, the lost one cannot be told apart: every pending
   * request fails and the connection is closed, as stdio does. The standalone GET stream carries no
   * responses: the cut is reported once and the stream stays closed (see `createFetch`); the SDK
   * starts every reopened stream's retry count afresh, so a server that sends every stream an
   * oversized event would otherwise be asked again and again, each time up to the limit.
   */
  private oversized(stream: OversizedStream, error: MCPConnectionError): void {
    if (this.inner instanceof SSEClientTransport) {
      // The close below is reported as a lost connection: it must say why.
      this.failure ??= error;
      for (const id of [...this.pending.keys(), ...this.internal.keys()]) {
        this.failLocally(id, "MESSAGE_TOO_LARGE", error);
      }
      this.failStart?.(error);
      this.onerror?.(error);
      this.close().catch(() => undefined);
      return;
    }
    if (stream.kind === "get" && stream.lastEventId === undefined) {
      if (this.standaloneStreamClosed) return;
      this.standaloneStreamClosed = true;
      this.onerror?.(error);
      return;
    }
    const ids =
      stream.kind === "post"
        ? stream.ids
        : [...this.resumptionTokens].filter(([, token]) => token === stream.lastEventId).map(([id]) => id);
    const waiting = ids.filter((id) => this.pending.has(id) || this.internal.has(id));
    if (waiting.length === 0) {
      this.onerror?.(error);
      return;
    }
    for (const id of waiting) {
      // Aborted first: the SDK then takes the stream's end as intended and does not try to resume it.
      this.pending.get(id)?.abort(error);
      this.failLocally(id, "MESSAGE_TOO_LARGE", error);
    }
  }

  /** Fails one request with a synthetic error response that error mapping turns into `error`'s code and context. */
  private failLocally(id: RequestId, code: LocalErrorCode, error: MCPConnectionError): void {
    this.receive({
      jsonrpc: "2.0",
      id,
      error: {
        code: -32000,
        message: error.message,
        data: localErrorData({ code, context: error.context, error }),
      },
    });
  }

  /**
   * Runs one send; when it failed for want of authorization, lets the auth session complete a login
   * (through `finishAuth`) and sends again. The session bounds the logins per request.
   */
  private async authorized(send: () => Promise<void>): Promise<void> {
    const authorization = this.options.authorization;
    if (!authorization) return send();
    for (let logins = 0; ; logins++) {
      try {
        return await send();
      } catch (error) {
        if (this.closed || this.closing) throw error;
        const retry = await authorization.recover(error, logins, (callback) =>
          this.inner.finishAuth(callback),
        );
        if (!retry) throw error;
      }
    }
  }

  private async sendWithSessionRecovery(
    message: JSONRPCMessage,
    options?: TransportSendOptions,
  ): Promise<void> {
    const inner = this.inner as StreamableHTTPClientTransport;
    const sessionUsed = inner.sessionId;
    const requestId = "method" in message && "id" in message ? (message.id as RequestId) : undefined;
    let goneStatus: number | undefined;
    try {
      await this.caught(inner.send(message, options as never));
      return;
    } catch (error) {
      const isInitialize = "method" in message && message.method === "initialize";
      goneStatus = sessionGoneStatus(error, requestId);
      if (
        goneStatus === undefined ||
        sessionUsed === undefined ||
        isInitialize ||
        this.initializeParams === undefined
      ) {
        throw error;
      }
      // The session is being ended (DELETE in flight): a 404 now is no reason to start another.
      if (this.closing || this.closed) throw this.closedError(error);
    }
    try {
      await this.renewSession(sessionUsed, goneStatus);
    } catch (error) {
      // close() aborted the renewal: the request failed because the connection closed.
      if (this.closing || this.closed) throw this.closedError(error);
      throw error;
    }
    if (this.closing || this.closed) throw this.closedError();
    try {
      await this.caught(inner.send(message, options as never));
    } catch (error) {
      const again = sessionGoneStatus(error, requestId);
      if (again === undefined) throw error;
      throw new MCPConnectionError(
        `Server "${this.options.serverName}" rejected the request with ${again} again right after a new session was started; the session cannot be re-established. Check the server URL and whether the server keeps sessions.`,
        {
          code: "SESSION_EXPIRED",
          serverName: this.options.serverName,
          transportType: "streamable-http",
          httpStatus: again,
          cause: error,
        },
      );
    }
  }

  private closedError(cause?: unknown): MCPConnectionError {
    return new MCPConnectionError(
      `The connection to server "${this.options.serverName}" was closed while the request was being sent.`,
      {
        code: "CONNECTION_CLOSED",
        serverName: this.options.serverName,
        transportType: this.options.type,
        cause,
      },
    );
  }

  /** Starts a new session, once, unless another request already replaced the stale one. */
  private renewSession(staleSessionId: string, status: number): Promise<void> {
    if (this.sessionId !== staleSessionId && this.sessionId !== undefined) return Promise.resolve();
    this.renewal ??= this.reinitialize(status).finally(() => {
      this.renewal = undefined;
    });
    return this.renewal;
  }

  /**
   * One `initialize` → answer → `notifications/initialized` exchange, bounded as a whole by
   * `reinitializeTimeoutMs`: a server that holds any step (or a `fetch` that ignores its signal) must
   * not keep the renewal, and with it every later 404 that waits on it, pending for ever. The timer and
   * close() abort the same controller, which also aborts the exchange's requests.
   */
  private async reinitialize(status: number): Promise<void> {
    const inner = this.inner as StreamableHTTPClientTransport;
    const id = `mcp-tools-reinitialize-${++reinitSequence}`;
    const controller = new AbortController();
    this.renewalAbort = controller;
    const requestSignal = controller.signal;
    const answered = new Promise<void>((resolve, reject) => {
      this.internal.set(id, { resolve, reject });
    });
    // It can be rejected (by close()) while the initialize POST is still being sent, before anything awaits it.
    answered.catch(() => undefined);
    // Released in `finally`: a listener left on the signal would outlive the exchange it served.
    let stopWaiting: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      stopWaiting = onAbort(requestSignal, () => reject(requestSignal.reason as Error));
    });
    const timeoutMs = this.options.reinitializeTimeoutMs;
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer to initialize within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const exchange = (async () => {
      const initialize = {
        jsonrpc: "2.0" as const,
        id,
        method: "initialize",
        params: this.initializeParams as never,
      };
      await this.caught(inner.send(initialize, { requestSignal }));
      this.assertAnswered(id, initialize);
      await answered;
      await this.caught(
        inner.send({ jsonrpc: "2.0", method: "notifications/initialized" }, { requestSignal }),
      );
    })();
    try {
      await Promise.race([exchange, aborted]);
      this.sessionRenewals++;
    } catch (error) {
      // Whatever of the exchange is still in flight (a response stream) is not wanted any more.
      if (!requestSignal.aborted) controller.abort(error);
      // The new session's answer was too large: that, not the expiry, is what the caller can act on.
      if (isMCPError(error, "MESSAGE_TOO_LARGE")) throw error;
      throw new MCPConnectionError(
        `Server "${this.options.serverName}" expired the session (HTTP ${status}) and starting a new one failed: ${sanitizeServerText((error as Error).message)}`,
        {
          code: "SESSION_EXPIRED",
          serverName: this.options.serverName,
          transportType: "streamable-http",
          httpStatus: status,
          cause: error,
        },
      );
    } finally {
      stopWaiting();
      clearTimeout(timer);
      this.internal.delete(id);
      this.answeredWithoutStream.delete(id);
      if (this.renewalAbort === controller) this.renewalAbort = undefined;
    }
  }

  /** The POST stream of `id` ended; if no response came, fail the request now rather than at its timeout. */
  private streamEnded(id: RequestId): void {
    const idle = this.idleAborted.delete(id);
    if (!this.pending.has(id) || this.closed) return;
    this.pending.delete(id);
    this.resumptionTokens.delete(id);
    this.onmessage?.({
      jsonrpc: "2.0",
      id,
      error: {
        code: -32000,
        message: idle
          ? `the response stream from server "${this.options.serverName}" sent nothing for ${this.options.httpReadTimeoutMs / 1000} s (http_read_timeout) and was closed before the response arrived`
          : `the response stream from server "${this.options.serverName}" ended before the response arrived`,
        data: localErrorData({ code: "CONNECTION_CLOSED" }),
      },
    });
  }

  /** Single flight: a second close() (or one racing the first) waits for the same shutdown. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.renewalAbort?.abort(new Error("the transport was closed"));
    // An inner transport that closed by itself has aborted its requests; its session is not ended here.
    if (
      !this.closed &&
      this.inner instanceof StreamableHTTPClientTransport &&
      this.inner.sessionId !== undefined
    ) {
      // Best effort: a server that does not answer must not delay shutdown.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.caught(this.inner.terminateSession()).catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.options.sessionDeleteTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const timer of this.reconnectTimers) clearTimeout(timer);
    this.reconnectTimers.clear();
    for (const controller of this.pending.values()) controller.abort();
    this.pending.clear();
    this.idleAborted.clear();
    this.answeredWithoutStream.clear();
    this.resumptionTokens.clear();
    for (const { reject } of this.internal.values()) reject(new Error("transport closed"));
    this.internal.clear();
    this.closed = true;
    try {
      await this.inner.close();
    } finally {
      await this.agent.destroy().catch(() => undefined);
    }
  }
}

function authProviderOf(options: HttpTransportOptions): {
  authProvider?: AuthProvider | OAuthClientProvider;
  skipIssuerMetadataValidation?: boolean;
} {
  const provider = options.authorization?.provider ?? options.authProvider;
  if (!provider) return {};
  return options.authorization?.skipIssuerMetadataValidation
    ? { authProvider: provider, skipIssuerMetadataValidation: true }
    : { authProvider: provider };
}

import type {
  AuthProvider,
  FetchLike,
  JSONRPCMessage,
  MessageExtraInfo,
  OAuthClientProvider,
  Transport,
  TransportSendOptions,
} from "@modelcontextprotocol/client";
import {
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from "@modelcontextprotocol/client";
import { Agent, fetch as undiciFetch } from "undici";

import type { TransportAuthorization } from "../auth/session.js";
import { onAbort } from "../common/abort.js";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../config/defaults.js";
import { isMCPError, MCPConnectionError } from "../errors/errors.js";
import { sanitizeServerText } from "../errors/serverText.js";
import type { SecurityPolicy } from "../security/types.js";
import type { HostLookup } from "../security/url.js";
import type { ReportsCloseReason } from "./closeReason.js";
import { UrlGuard } from "./guardedFetch.js";
import {
  answersRequest,
  httpErrorText,
  type LocalErrorCode,
  localErrorData,
  localErrorOf,
} from "./localErrors.js";

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

type RequestId = string | number;
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
export class HttpTransport implements Transport, ReportsCloseReason {
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
      // Below the 5 s idle timeout of Node HTTP servers, which close kept-alive sockets without a hint:
      // reusing a socket the server is closing loses requests (measured in BENCHMARKS.md).
      keepAliveTimeout: 4_000,
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

/**
 * What a server that forgot the session says in a 400: servers on the session-map pattern of
 * `@modelcontextprotocol/server-everything` "Bad Request: No valid session ID provided", others
 * "Invalid or expired session", "Session not found", "Unknown session id"; a single-session server
 * that restarted "Bad Request: Server not initialized". A 400 that says none of this is a real
 * client error and is not retried.
 */
const SESSION_GONE =
  /\b(?:no valid|invalid|unknown|expired|stale)\b[\w\s-]{0,30}?\bsession\b|\bsession\b[\w\s-]{0,30}?\b(?:not found|unknown|invalid|expired|terminated|does not exist|no longer (?:valid|exists))\b|\bserver not initiali[sz]ed\b/i;

/** True when an HTTP error text says the server does not know the session (see `SESSION_GONE`). */
export function saysSessionGone(text: string): boolean {
  return SESSION_GONE.test(text);
}

/**
 * The status of an answer saying the server no longer knows the session: any 404 (the spec's
 * signal), or a 400 whose error text says so and that is not the answer to request `requestId`
 * itself (see `answersRequest`: a tool's own error may well mention a session, and sending the
 * request again would run it twice). Undefined for every other failure.
 */
function sessionGoneStatus(error: unknown, requestId: RequestId | undefined): number | undefined {
  if (!(error instanceof SdkHttpError)) return undefined;
  const data = error.data as { status?: number; text?: unknown } | undefined;
  if (data?.status === 404) return 404;
  if (data?.status !== 400) return undefined;
  if (requestId !== undefined && answersRequest(data.text, requestId)) return undefined;
  const said = httpErrorText(data.text);
  return said !== undefined && saysSessionGone(said) ? 400 : undefined;
}

/** `tools/call "echo"`, `resources/read`, …: the request as messages name it. */
function requestLabel(message: JSONRPCMessage): string {
  if (!("method" in message)) return "a response";
  const name = (message.params as { name?: unknown } | undefined)?.name;
  return message.method === "tools/call" && typeof name === "string"
    ? `${message.method} ${JSON.stringify(name)}`
    : message.method;
}

/** Which response stream passed the size limit. */
type OversizedStream =
  { kind: "post"; ids: readonly RequestId[] } | { kind: "get"; lastEventId: string | undefined };

/** What `createFetch` tells the transport about responses; see `HttpTransport.answered` / `oversized`. */
interface ResponseHooks {
  answered(ids: readonly RequestId[], how: "accepted" | "json"): void;
  oversized(stream: OversizedStream, error: MCPConnectionError): void;
  /** True once the standalone GET stream was cut for its size: it is not opened again. */
  standaloneStreamClosed(): boolean;
}

/** Statuses whose responses have no body (a `Response` cannot even be built with one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * `base` (the transport's own pool, behind the URL guard) with
 * - an idle timeout on response streams of requests (POSTs, and GETs resuming one with
 *   `Last-Event-ID`; the standalone GET stream may rightly be quiet);
 * - the `maxMessageBytes` bound on every body: a whole body (JSON, text, an error page) or one SSE
 *   event, counted as the bytes stream in; a `Content-Length` above it fails before anything is read;
 * - POSTs of requests answered without a stream (202, JSON) reported to the transport, which checks
 *   that the response came;
 * - once the standalone GET stream was cut for its size, every later attempt to open it answered
 *   here with a 405, the server's way of saying it offers no such stream: the SDK then stops.
 */
function createFetch(
  options: HttpTransportOptions,
  base: FetchLike,
  onIdleAbort: (requestId: RequestId) => void,
  hooks: ResponseHooks,
): FetchLike {
  const idleMs = options.httpReadTimeoutMs;
  const limit = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const { serverName } = options;
  const tooLarge = (message: string, context: Record<string, unknown>) =>
    new MCPConnectionError(`${message} Raise max_message_bytes if the server really sends such messages.`, {
      code: "MESSAGE_TOO_LARGE",
      serverName,
      transportType: options.type,
      context: { maxMessageBytes: limit, ...context },
    });
  const endpoint = new URL(options.url).href;
  return async (url, init) => {
    const method = init?.method ?? "GET";
    if (
      method === "GET" &&
      options.type === "streamable-http" &&
      hooks.standaloneStreamClosed() &&
      isStandaloneStream(url, init, endpoint)
    ) {
      return new Response(null, { status: 405, statusText: "Method Not Allowed" });
    }
    const response = await base(url, init);
    const type = mediaType(response.headers.get("content-type"));
    // Parsed only when needed, once: the body is the SDK's own serialisation of one message.
    let posted: PostedMessages | undefined;
    const post = () => (posted ??= postedMessages(init?.body));
    if (method === "POST" && options.type === "streamable-http" && response.ok) {
      const how = response.status === 202 ? "accepted" : type === "application/json" ? "json" : undefined;
      if (how !== undefined && post().ids.length > 0) hooks.answered(post().ids, how);
    }
    if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
    let body: ReadableStream<Uint8Array>;
    if (type === "text/event-stream") {
      const lastEventId =
        method === "GET" ? (new Headers(init?.headers).get("last-event-id") ?? undefined) : undefined;
      const idle = method === "POST" || lastEventId !== undefined;
      const where =
        method === "POST"
          ? `the response stream of ${post().label}`
          : options.type === "sse"
            ? "its SSE stream, which carries every response; the connection was closed because the lost message cannot be matched to a request"
            : lastEventId === undefined
              ? "its standalone GET stream; the event was dropped and the stream closed for the rest of the connection (messages the server sends only there, such as list-change notifications, are missed until reconnect())"
              : "a resumed response stream";
      body = guardBody(response.body, {
        limit,
        sse: true,
        ...(idle
          ? {
              idleMs,
              onIdle: () => {
                const requestId = method === "POST" ? post().ids[0] : undefined;
                if (requestId !== undefined) onIdleAbort(requestId);
                return new MCPConnectionError(
                  `Server "${serverName}" sent nothing on a response stream for ${idleMs / 1000} s (http_read_timeout); the stream was closed.`,
                  { code: "CONNECTION_CLOSED", serverName, transportType: options.type },
                );
              },
            }
          : {}),
        onOversize: () => {
          const error = tooLarge(
            `Server "${serverName}" sent an SSE event larger than max_message_bytes (${limit} bytes) on ${where}; it was not read past the limit.`,
            { stream: method === "POST" ? "post" : lastEventId === undefined ? "get" : "resumed" },
          );
          hooks.oversized(
            method === "POST" ? { kind: "post", ids: post().ids } : { kind: "get", lastEventId },
            error,
          );
          // The standalone stream just ends (the partial event is discarded): no request waits on it,
          // and an error would only be reported a second time, by the SDK, as "SSE stream disconnected".
          return method === "GET" && lastEventId === undefined && options.type === "streamable-http"
            ? undefined
            : error;
        },
      });
    } else {
      const what = method === "POST" ? `a response to ${post().label}` : `a response to a ${method}`;
      const declared = declaredLength(response.headers);
      // Within the limit: undici never reads past Content-Length, so the body needs no counting. A
      // fetch of the caller's own may not enforce it, and a compressed body decodes to any size.
      if (declared !== undefined && declared <= limit && options.fetch === undefined) return response;
      if (declared !== undefined && declared > limit) {
        // Destroys the socket instead of draining a body that will never be read.
        await response.body.cancel().catch(() => undefined);
        // An error status keeps its meaning (HTTP_STATUS, auth); only its unread body is gone.
        if (!response.ok) return emptied(response);
        throw tooLarge(
          `Server "${serverName}" announced ${what} of ${declared} bytes (Content-Length), more than max_message_bytes (${limit} bytes); it was not read and its connection was closed.`,
          { contentLength: declared },
        );
      }
      body = guardBody(response.body, {
        limit,
        sse: false,
        onOversize: () =>
          tooLarge(
            `Server "${serverName}" sent ${what} larger than max_message_bytes (${limit} bytes); it was not read past the limit and its connection was closed.`,
            {},
          ),
      });
    }
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/**
 * The body length `headers` promise for what the reader will get: Content-Length, unless the body is
 * compressed (undici decodes it: 10 kB of gzip can be gigabytes) or framed by Transfer-Encoding.
 */
function declaredLength(headers: Headers): number | undefined {
  const length = headers.get("content-length");
  const encoding = headers.get("content-encoding");
  if (length === null || !/^\d+$/.test(length.trim()) || headers.has("transfer-encoding")) return undefined;
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return undefined;
  return Number(length);
}

/**
 * The SDK's standalone GET stream: a GET of the MCP endpoint that asks for an event stream and
 * resumes nothing (OAuth discovery GETs ask for JSON, resumptions carry `Last-Event-ID`).
 */
function isStandaloneStream(url: string | URL, init: RequestInit | undefined, endpoint: string): boolean {
  const headers = new Headers(init?.headers);
  if (headers.has("last-event-id") || !(headers.get("accept") ?? "").includes("text/event-stream"))
    return false;
  try {
    return new URL(String(url)).href === endpoint;
  } catch {
    return false;
  }
}

/** The same response without its body (status and headers kept). */
function emptied(response: Response): Response {
  return new Response(null, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** `text/event-stream` of `Text/Event-Stream; charset=utf-8`. */
function mediaType(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

interface BodyGuard {
  limit: number;
  /** Count per SSE event (reset at every blank line) instead of per body. */
  sse: boolean;
  idleMs?: number;
  onIdle?: () => Error;
  /** The error the reader gets once the limit is passed; undefined: the body just ends there. */
  onOversize: () => Error | undefined;
}

/**
 * `body` with its guards: the idle timeout (when `idleMs` is given) and the size limit. Either one
 * cuts the stream: the source is cancelled (undici destroys the socket) and the reader gets the error.
 */
function guardBody(body: ReadableStream<Uint8Array>, guard: BodyGuard): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const fits = guard.sse ? sseEventCounter(guard.limit) : bodyCounter(guard.limit);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const stop = (controller: ReadableStreamDefaultController<Uint8Array>, error: Error | undefined): void => {
    stopped = true;
    clearTimeout(timer);
    reader.cancel(error).catch(() => undefined);
    if (error === undefined) controller.close();
    else controller.error(error);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const { idleMs, onIdle } = guard;
      if (idleMs === undefined || onIdle === undefined) return;
      // One timer for the stream's whole life, pushed back on every chunk: a per-chunk promise and
      // timer cost 3–6% of an HTTP call (BENCHMARKS.md, "Findings outside the files this work could
      // change", finding 3).
      timer = setTimeout(() => stop(controller, onIdle()), idleMs);
    },
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (stopped) return;
        if (chunk.done) {
          clearTimeout(timer);
          controller.close();
        } else if (!fits(chunk.value)) {
          stop(controller, guard.onOversize());
        } else {
          timer?.refresh();
          controller.enqueue(chunk.value);
        }
      } catch (error) {
        clearTimeout(timer);
        if (!stopped) controller.error(error);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
}

/** Counts a whole body; false once it passed `limit` bytes. */
export function bodyCounter(limit: number): (chunk: Uint8Array) => boolean {
  let total = 0;
  return (chunk) => (total += chunk.length) <= limit;
}

const LF = 0x0a;
const CR = 0x0d;

const COLON = 0x3a;

/**
 * How many times the limit the bytes between two blank lines may total, comments included. Comments
 * are not part of an event, and SSE parsers drop each comment line as it ends, so keep-alive
 * comments a server sends without blank lines must not add up to an oversized event; but a stream
 * that never ends an event is bounded all the same (a keep-alive of 12 bytes every 15 s takes weeks
 * to pass 16 × 64 kB).
 */
const SSE_UNTERMINATED_LIMITS = 16;

/** What the line being received is, once its first byte is in. */
type SseLine = "empty" | "field" | "comment";

/**
 * Counts the bytes of the SSE event being received (its field lines, each line end as one byte; the
 * blank line that ends it starts the next count); false once one event passed `limit` bytes, one line
 * (a comment too: a parser buffers a line until it ends) passed `limit`, or everything since the last
 * blank line passed `SSE_UNTERMINATED_LIMITS` × `limit`. Comment lines (starting with ":") are not
 * part of the event. Lines end in LF, CRLF or CR, as the SSE format allows, and a chunk may end
 * anywhere, even between CR and LF. Line ends are found with `indexOf`, so a chunk costs one native
 * scan, not a loop over its bytes.
 */
export function sseEventCounter(limit: number): (chunk: Uint8Array) => boolean {
  const unterminatedLimit = limit * SSE_UNTERMINATED_LIMITS;
  /** Field lines of the event being received. */
  let eventBytes = 0;
  /** Every byte since the last blank line, comment lines included. */
  let pendingBytes = 0;
  /** The line being received. */
  let lineBytes = 0;
  let line: SseLine = "empty";
  /** The previous byte was a CR: an LF right after it belongs to the same line end. */
  let afterCR = false;
  const add = (bytes: number, first: number | undefined): void => {
    if (line === "empty") line = first === COLON ? "comment" : "field";
    lineBytes += bytes;
    pendingBytes += bytes;
    if (line === "field") eventBytes += bytes;
  };
  const over = (): boolean => eventBytes > limit || lineBytes > limit || pendingBytes > unterminatedLimit;
  return (chunk) => {
    let i = 0;
    let lf = chunk.indexOf(LF);
    let cr = chunk.indexOf(CR);
    while (i < chunk.length) {
      if (lf !== -1 && lf < i) lf = chunk.indexOf(LF, i);
      if (cr !== -1 && cr < i) cr = chunk.indexOf(CR, i);
      const end = lf === -1 ? cr : cr === -1 ? lf : Math.min(lf, cr);
      if (end === -1) {
        add(chunk.length - i, chunk[i]);
        afterCR = false;
        break;
      }
      if (end === i && afterCR && chunk[end] === LF) {
        // The LF of a CRLF whose CR already ended the line.
        afterCR = false;
        i = end + 1;
        continue;
      }
      if (end > i) add(end - i, chunk[i]);
      if (line === "empty") {
        eventBytes = 0;
        pendingBytes = 0;
      } else {
        add(1, undefined);
        if (over()) return false;
        line = "empty";
        lineBytes = 0;
      }
      afterCR = chunk[end] === CR;
      i = end + 1;
    }
    return !over();
  };
}

/** The requests (ids) in a POSTed body and how messages name it. */
interface PostedMessages {
  ids: RequestId[];
  label: string;
}

/** Reads a POSTed JSON-RPC body (a message or a batch): its request ids and a label for messages. */
function postedMessages(body: unknown): PostedMessages {
  let parsed: unknown;
  try {
    parsed = typeof body === "string" ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const messages = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (m): m is JSONRPCMessage => typeof m === "object" && m !== null,
  );
  const ids = messages.flatMap((m) =>
    "method" in m && "id" in m && (typeof m.id === "string" || typeof m.id === "number") ? [m.id] : [],
  );
  const first = messages[0];
  return { ids, label: first ? requestLabel(first) : "a message" };
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

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
import { MCPConnectionError } from "../errors/errors.js";
import { clipText } from "../errors/redact.js";
import type { SecurityPolicy } from "../security/types.js";
import type { HostLookup } from "../security/url.js";
import { UrlGuard } from "./guardedFetch.js";
import { LOCAL_ERROR_DATA_KEY } from "./localErrors.js";

export interface HttpTransportOptions {
  serverName: string;
  type: "streamable-http" | "sse";
  url: string;
  /** Final header values (variables already expanded, security-checked). */
  headers: Readonly<Record<string, string>>;
  /** Milliseconds a request's response stream (POST, or its resumption) may stay silent before it is treated as dead. */
  httpReadTimeoutMs: number;
  /** Bound on the session re-initialisation after a 404 (milliseconds). */
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
  /** Replaces `fetch` (tests, custom agents). */
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
 *   later request 404s (typescript-sdk #1708). Here the session is re-initialised once (single flight,
 *   only if the id is still the one that failed, so a late 404 never clears a newer session) and the
 *   request is retried once: the server did not process it, so even `tools/call` is safe to resend.
 *   A second 404 surfaces as `SESSION_EXPIRED`.
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
export class HttpTransport implements Transport {
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
    const guarded = guard?.fetch(direct);
    this.authFetch = guarded ?? direct;
    // The auth layer's own requests (the cross-app-access IdP) and its checks of discovered URLs use
    // this connection's policy and pool too.
    options.authorization?.bind({
      fetch: this.authFetch,
      refuse: (urls) => guard?.refuse(urls),
    });
    const fetchImpl = createFetch(guarded ? { ...options, fetch: guarded } : options, this.agent, (id) =>
      this.idleAborted.add(id),
    );
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

  get sessionId(): string | undefined {
    return this.inner instanceof StreamableHTTPClientTransport ? this.inner.sessionId : undefined;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    this.inner.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) =>
      this.receive(message, extra);
    this.inner.onerror = (error) => this.onerror?.(error);
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
      await this.inner.start();
    } catch (error) {
      // A refusal during the legacy-SSE start (its stream, the endpoint event) reaches here as SDK text.
      throw this.guard ? this.guard.explain(error) : error;
    }
  }

  private receive(message: JSONRPCMessage, extra?: MessageExtraInfo): void {
    if ("id" in message && !("method" in message) && message.id !== null && message.id !== undefined) {
      const internal = this.internal.get(message.id);
      if (internal) {
        this.internal.delete(message.id);
        if ("error" in message) internal.reject(new Error(message.error.message));
        else internal.resolve();
        return;
      }
      this.pending.delete(message.id);
    }
    this.onmessage?.(message, extra);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if ("method" in message && message.method === "initialize") this.initializeParams = message.params;
    if (this.inner instanceof SSEClientTransport) {
      await this.authorized(() => (this.inner as SSEClientTransport).send(message));
      return;
    }
    const id = "method" in message && "id" in message ? (message.id as RequestId) : undefined;
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
      };
    }
    if ("method" in message && message.method === "notifications/cancelled") {
      // Before the notification goes out: if the server does not answer that POST either, the
      // cancelled request's socket must still be freed.
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) {
        this.pending.get(requestId)?.abort();
        this.pending.delete(requestId);
      }
    }
    try {
      await this.authorized(() => this.sendWithSessionRecovery(message, sendOptions));
    } catch (error) {
      if (id !== undefined) this.pending.delete(id);
      throw error;
    }
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
    try {
      await inner.send(message, options as never);
      return;
    } catch (error) {
      const isInitialize = "method" in message && message.method === "initialize";
      if (
        !isNotFound(error) ||
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
      await this.renewSession(sessionUsed);
    } catch (error) {
      // close() aborted the renewal: the request failed because the connection closed.
      if (this.closing || this.closed) throw this.closedError(error);
      throw error;
    }
    if (this.closing || this.closed) throw this.closedError();
    try {
      await inner.send(message, options as never);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new MCPConnectionError(
        `Server "${this.options.serverName}" rejected the request with 404 again right after a new session was started; the session cannot be re-established. Check the server URL and whether the server keeps sessions.`,
        {
          code: "SESSION_EXPIRED",
          serverName: this.options.serverName,
          transportType: "streamable-http",
          httpStatus: 404,
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
  private renewSession(staleSessionId: string): Promise<void> {
    if (this.sessionId !== staleSessionId && this.sessionId !== undefined) return Promise.resolve();
    this.renewal ??= this.reinitialize().finally(() => {
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
  private async reinitialize(): Promise<void> {
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
    const aborted = new Promise<never>((_, reject) => {
      requestSignal.addEventListener("abort", () => reject(requestSignal.reason as Error), { once: true });
    });
    const timeoutMs = this.options.reinitializeTimeoutMs;
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer to initialize within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const exchange = (async () => {
      await inner.send(
        { jsonrpc: "2.0", id, method: "initialize", params: this.initializeParams as never },
        { requestSignal },
      );
      await answered;
      await inner.send({ jsonrpc: "2.0", method: "notifications/initialized" }, { requestSignal });
    })();
    try {
      await Promise.race([exchange, aborted]);
      this.sessionRenewals++;
    } catch (error) {
      // Whatever of the exchange is still in flight (a response stream) is not wanted any more.
      if (!requestSignal.aborted) controller.abort(error);
      throw new MCPConnectionError(
        `Server "${this.options.serverName}" expired the session (HTTP 404) and starting a new one failed: ${clipText((error as Error).message)}`,
        {
          code: "SESSION_EXPIRED",
          serverName: this.options.serverName,
          transportType: "streamable-http",
          httpStatus: 404,
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
      this.internal.delete(id);
      if (this.renewalAbort === controller) this.renewalAbort = undefined;
    }
  }

  /** The POST stream of `id` ended; if no response came, fail the request now rather than at its timeout. */
  private streamEnded(id: RequestId): void {
    const idle = this.idleAborted.delete(id);
    if (!this.pending.has(id) || this.closed) return;
    this.pending.delete(id);
    this.onmessage?.({
      jsonrpc: "2.0",
      id,
      error: {
        code: -32000,
        message: idle
          ? `the response stream from server "${this.options.serverName}" sent nothing for ${this.options.httpReadTimeoutMs / 1000} s (http_read_timeout) and was closed before the response arrived`
          : `the response stream from server "${this.options.serverName}" ended before the response arrived`,
        data: { [LOCAL_ERROR_DATA_KEY]: "CONNECTION_CLOSED" },
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
        this.inner.terminateSession().catch(() => undefined),
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

function isNotFound(error: unknown): boolean {
  return error instanceof SdkHttpError && (error.data as { status?: number } | undefined)?.status === 404;
}

/**
 * `fetch` through the transport's own pool, with an idle timeout on response streams of requests
 * (POSTs, and GETs resuming one with `Last-Event-ID`; the standalone GET stream may rightly be quiet).
 */
function createFetch(
  options: HttpTransportOptions,
  agent: Agent,
  onIdleAbort: (requestId: RequestId) => void,
): FetchLike {
  const base: FetchLike =
    options.fetch ??
    ((url, init) =>
      undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>);
  const idleMs = options.httpReadTimeoutMs;
  return async (url, init) => {
    const response = await base(url, init);
    const type = response.headers.get("content-type") ?? "";
    const resuming = init?.method === "GET" && new Headers(init.headers).has("last-event-id");
    if ((init?.method !== "POST" && !resuming) || !response.body || !type.includes("text/event-stream")) {
      return response;
    }
    const requestId = requestIdOf(init?.body);
    const body = withIdleTimeout(response.body, idleMs, () => {
      if (requestId !== undefined) onIdleAbort(requestId);
      return new MCPConnectionError(
        `Server "${options.serverName}" sent nothing on a response stream for ${idleMs / 1000} s (http_read_timeout); the stream was closed.`,
        { code: "CONNECTION_CLOSED", serverName: options.serverName, transportType: options.type },
      );
    });
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

function withIdleTimeout(
  body: ReadableStream<Uint8Array>,
  idleMs: number,
  onIdle: () => Error,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  let idled = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // One timer for the stream's whole life, pushed back on every chunk: a per-chunk promise and
      // timer cost 3–6% of an HTTP call (BENCHMARKS.md).
      timer = setTimeout(() => {
        idled = true;
        const error = onIdle();
        reader.cancel(error).catch(() => undefined);
        controller.error(error);
      }, idleMs);
    },
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (idled) return;
        if (chunk.done) {
          clearTimeout(timer);
          controller.close();
        } else {
          timer?.refresh();
          controller.enqueue(chunk.value);
        }
      } catch (error) {
        clearTimeout(timer);
        if (!idled) controller.error(error);
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
}

/** The JSON-RPC id of a POSTed request body, if it is one. */
function requestIdOf(body: unknown): RequestId | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const id = (JSON.parse(body) as { id?: unknown }).id;
    return typeof id === "string" || typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
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

// The fetch wrapper that bounds and checks response bodies: size, idle timeout, missing responses.

import type { FetchLike, JSONRPCMessage } from "@modelcontextprotocol/client";

import { DEFAULT_MAX_MESSAGE_BYTES } from "../config/defaults.js";
import { MCPConnectionError } from "../errors/errors.js";
import type { HttpTransportOptions, RequestId } from "./httpTransport.js";
import { requestLabel } from "./sessionExpiry.js";

/** Which response stream passed the size limit. */
export type OversizedStream =
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
export function createFetch(
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
      // Described only when an event is too large: naming the request parses the body it posted.
      const where = () =>
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
            `Server "${serverName}" sent an SSE event larger than max_message_bytes (${limit} bytes) on ${where()}; it was not read past the limit.`,
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
      const what = () => (method === "POST" ? `a response to ${post().label}` : `a response to a ${method}`);
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
          `Server "${serverName}" announced ${what()} of ${declared} bytes (Content-Length), more than max_message_bytes (${limit} bytes); it was not read and its connection was closed.`,
          { contentLength: declared },
        );
      }
      body = guardBody(response.body, {
        limit,
        sse: false,
        onOversize: () =>
          tooLarge(
            `Server "${serverName}" sent ${what()} larger than max_message_bytes (${limit} bytes); it was not read past the limit and its connection was closed.`,
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

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

import {
  isJsonContentType,
  type JSONRPCMessage,
  type MessageExtraInfo,
  parseJSONRPCMessage,
  type Transport,
} from "@modelcontextprotocol/server";

/*
 * SDK v2 ships no server side for the deprecated HTTP+SSE transport of protocol revision
 * 2024-11-05 (only `SSEClientTransport` survives, on the client side). Clients in the wild still
 * speak it, and mcp-tools must be tested against it, so the demo host brings its own: this file.
 */

/**
 * Largest POSTed message the demo server accepts (4 MiB, the SDK's Streamable HTTP default). A
 * server-side bound, not the client's `max_message_bytes` (`DEFAULT_MAX_MESSAGE_BYTES` in
 * `config/defaults.ts`, 10 MiB), which bounds what the client reads.
 */
export const DEMO_MAX_POST_BYTES = 4 * 1024 * 1024;

/** Default interval of SSE comment frames that keep idle proxies from dropping the stream. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

/** Options of {@link SseServerTransport}. */
export interface SseServerTransportOptions {
  /** Session id; a random UUID by default. */
  sessionId?: string | undefined;
  /** Largest accepted POST body, in bytes. Default {@link DEMO_MAX_POST_BYTES}. */
  maxMessageBytes?: number | undefined;
  /** Interval of `: keep-alive` comment frames in milliseconds; 0 disables them. Default 15 s. */
  keepAliveMs?: number | undefined;
}

/**
 * Server side of the legacy HTTP+SSE transport (protocol revision 2024-11-05).
 *
 * The client opens a long-lived `GET` event stream; the transport first sends
 * `event: endpoint` with `data: <endpoint>?sessionId=<id>`, then every server message as
 * `event: message`. The client POSTs each of its messages to that endpoint, which the host routes
 * to {@link SseServerTransport.handlePostMessage} (answered `202 Accepted`).
 *
 * One instance serves one stream. The transport closes when the stream ends from either side.
 */
export class SseServerTransport implements Transport {
  /** The session id the endpoint URL carries. */
  readonly sessionId: string;
  /** Called once when the stream ends, from either side. Set by `McpServer.connect()`. */
  onclose?: (() => void) | undefined;
  /** Called for non-fatal problems (invalid POSTed messages, stream errors). */
  onerror?: ((error: Error) => void) | undefined;
  /** Called with each message the client POSTs. Set by `McpServer.connect()`. */
  onmessage?: (<T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void) | undefined;

  readonly #endpoint: string;
  readonly #response: ServerResponse;
  readonly #maxMessageBytes: number;
  readonly #keepAliveMs: number;
  #keepAlive: NodeJS.Timeout | undefined;
  #state: "new" | "open" | "closed" = "new";

  /**
   * @param endpoint Path (or absolute URL) the client must POST its messages to, without query;
   *   the transport appends `?sessionId=<id>`.
   * @param response The response of the client's `GET` request; the transport owns it from now on.
   */
  constructor(endpoint: string, response: ServerResponse, options: SseServerTransportOptions = {}) {
    this.sessionId = options.sessionId ?? randomUUID();
    this.#endpoint = endpoint;
    this.#response = response;
    this.#maxMessageBytes = options.maxMessageBytes ?? DEMO_MAX_POST_BYTES;
    this.#keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  }

  /** Whether the event stream is open (started and not closed). */
  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** Sends the stream headers and the `endpoint` event. Called by `McpServer.connect()`. */
  async start(): Promise<void> {
    if (this.#state !== "new") {
      throw new Error(
        "SseServerTransport already started; McpServer.connect() starts it, do not call start()",
      );
    }
    this.#state = "open";
    const response = this.#response;
    response.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      // Stops reverse proxies (nginx) from buffering the stream.
      "X-Accel-Buffering": "no",
    });
    response.flushHeaders();
    response.on("close", () => this.#finish());
    response.on("error", (error) => this.onerror?.(error));
    const separator = this.#endpoint.includes("?") ? "&" : "?";
    const endpointUrl = `${this.#endpoint}${separator}sessionId=${encodeURIComponent(this.sessionId)}`;
    response.write(`event: endpoint\ndata: ${endpointUrl}\n\n`);
    if (this.#keepAliveMs > 0) {
      this.#keepAlive = setInterval(() => response.write(": keep-alive\n\n"), this.#keepAliveMs);
      this.#keepAlive.unref();
    }
  }

  /**
   * Handles the client's `POST` of one JSON-RPC message: answers `202 Accepted` once the message
   * is parsed and handed to {@link onmessage}, or a 4xx/5xx status with a plain-text reason.
   *
   * @param parsedBody The body, when a middleware has already read and parsed it.
   */
  async handlePostMessage(
    request: IncomingMessage,
    response: ServerResponse,
    parsedBody?: unknown,
  ): Promise<void> {
    if (this.#state !== "open") {
      reply(response, 404, "Session is not open");
      return;
    }
    let body = parsedBody;
    if (body === undefined) {
      if (!isJsonContentType(request.headers["content-type"])) {
        reply(response, 415, "Content-Type must be application/json");
        return;
      }
      const text = await readRequestBody(request, this.#maxMessageBytes);
      if (text === undefined) {
        reply(response, 413, `Message exceeds ${this.#maxMessageBytes} bytes`);
        return;
      }
      try {
        body = JSON.parse(text);
      } catch {
        reply(response, 400, "Body is not valid JSON");
        return;
      }
    }

    let message: JSONRPCMessage;
    try {
      message = parseJSONRPCMessage(body);
    } catch (error) {
      this.onerror?.(new Error(`Invalid JSON-RPC message: ${String(error)}`));
      reply(response, 400, "Body is not a JSON-RPC message");
      return;
    }
    // Acknowledge before dispatching: the answer travels over the event stream, and a handler that
    // throws synchronously must not leave the POST without a status.
    reply(response, 202, "Accepted");
    this.onmessage?.(message);
  }

  /** Writes one server message to the event stream as `event: message`. */
  async send(message: JSONRPCMessage): Promise<void> {
    if (this.#state !== "open") {
      throw new Error("SSE stream is not open");
    }
    const flushed = this.#response.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    if (!flushed) {
      await this.#drained();
    }
  }

  /** Ends the event stream (and with it the session). Idempotent. */
  async close(): Promise<void> {
    if (this.#state === "new") {
      this.#state = "closed";
      this.#response.end();
      this.onclose?.();
      return;
    }
    if (this.#state === "open") {
      this.#response.end();
      this.#finish();
    }
  }

  /** Runs once, whether we ended the stream or the client went away. */
  #finish(): void {
    if (this.#state === "closed") {
      return;
    }
    this.#state = "closed";
    clearInterval(this.#keepAlive);
    this.onclose?.();
  }

  /** Resolves when the socket accepts writes again or the stream is gone (never hangs on a dead client). */
  #drained(): Promise<void> {
    const response = this.#response;
    return new Promise((resolve) => {
      const done = (): void => {
        response.off("drain", done);
        response.off("close", done);
        resolve();
      };
      response.on("drain", done);
      response.on("close", done);
    });
  }
}

function reply(response: ServerResponse, status: number, text: string): void {
  // A 413 leaves an unread body behind; closing the connection is cheaper than draining it.
  const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
  if (status === 413) headers["Connection"] = "close";
  response.writeHead(status, headers).end(text);
}

/**
 * Reads a request body as UTF-8 text, or resolves `undefined` as soon as it exceeds `maxBytes`
 * (the rest is discarded without buffering, and the socket is kept alive so a 413 can still be
 * sent). Rejects when the request is aborted.
 */
export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      cleanup();
      request.resume();
      resolve(undefined);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onAborted = (): void => onError(new Error("Request aborted before its body was read"));
    const cleanup = (): void => {
      request.off("data", onData);
      request.off("end", onEnd);
      request.off("error", onError);
      request.off("close", onClose);
    };
    // "close" before "end" means the client went away mid-body.
    const onClose = (): void => {
      if (!request.complete) onAborted();
    };
    request.on("data", onData);
    request.on("end", onEnd);
    request.on("error", onError);
    request.on("close", onClose);
  });
}

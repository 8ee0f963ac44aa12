import type { MCPConnectionError } from "../errors/errors.js";

/**
 * Transports fail single requests by delivering a synthetic JSON-RPC error response for the request's
 * id (a malformed response from a stdio server, an HTTP response stream that ended early). Error
 * mapping must turn it into a local `MCPConnectionError` instead of an `MCPServerError` the server
 * never sent, and must never do so for an error the server did send: whatever a server writes into
 * `error.data` (including the keys of an earlier version of this marker) is the server's. So the
 * mark is out of band: the `data` object of each synthetic error is registered here, and only an
 * object created by `localErrorData` (the SDK hands it through by reference) is recognised.
 */

/** Codes a transport can give a synthetic error response. */
export const LOCAL_ERROR_CODES = ["PROTOCOL_ERROR", "CONNECTION_CLOSED", "MESSAGE_TOO_LARGE"] as const;
export type LocalErrorCode = (typeof LOCAL_ERROR_CODES)[number];
const LOCAL_ERROR_CODE_SET: ReadonlySet<string> = new Set(LOCAL_ERROR_CODES);

/** What a synthetic error response stands for. */
export interface LocalError {
  code: LocalErrorCode;
  /** The error's `context` (e.g. the size limit that was passed). */
  context?: Record<string, unknown> | undefined;
  /** The typed error itself, when the transport had one (an oversized message). */
  error?: MCPConnectionError | undefined;
}

/** The `data` objects of synthetic error responses; nothing a server sends can be a member. */
const localErrors = new WeakMap<object, LocalError>();

/** The `data` of a synthetic error response standing for `local`. */
export function localErrorData(local: LocalError): Record<string, never> {
  const data: Record<string, never> = {};
  localErrors.set(data, local);
  return data;
}

/** The local error a JSON-RPC error's `data` stands for; undefined for anything a server sent. */
export function localErrorOf(data: unknown): LocalError | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const local = localErrors.get(data);
  return local !== undefined && LOCAL_ERROR_CODE_SET.has(local.code) ? local : undefined;
}

/** Characters of an HTTP error body looked at: enough for any JSON-RPC error, bounded for a 5 MB page. */
const MAX_ERROR_BODY_SCAN = 4000;
/** Larger error bodies are not parsed as JSON (a JSON-RPC error is a few hundred bytes). */
const MAX_ERROR_BODY_PARSE = 64 * 1024;

/** A JSON-RPC error body, parsed; undefined when the body is not JSON (or too large to be one). */
function parsedErrorBody(body: unknown): { error?: { message?: unknown }; id?: unknown } | undefined {
  if (typeof body !== "string" || body.length > MAX_ERROR_BODY_PARSE) return undefined;
  try {
    const parsed = JSON.parse(body) as unknown;
    return typeof parsed === "object" && parsed !== null
      ? (parsed as { error?: { message?: unknown } })
      : undefined;
  } catch {
    return undefined; // Not JSON.
  }
}

/**
 * The `message` of a JSON-RPC error body (`{"jsonrpc":"2.0","error":{"code":-32000,"message":"…"},"id":null}`):
 * text the server wrote for people, fit for a message once clipped. Bounded but not clipped or
 * redacted: whoever puts it in a message sends it through `sanitizeServerText`. Undefined for any other body
 * (an HTML error page is no message).
 */
export function jsonRpcErrorMessage(body: unknown): string | undefined {
  const message = parsedErrorBody(body)?.error?.message;
  return typeof message === "string" && message.trim() !== ""
    ? message.slice(0, MAX_ERROR_BODY_SCAN).trim()
    : undefined;
}

/**
 * True when an HTTP error body is the JSON-RPC answer to request `id` (it carries that id): the
 * server dispatched the request, so the error is the request's own, not the transport's. A
 * transport-level rejection (an unknown session) comes before the body is dispatched and carries id
 * null (the SDK's server, server-everything), none, or a placeholder of its own.
 */
export function answersRequest(body: unknown, id: string | number): boolean {
  const parsed = parsedErrorBody(body);
  return parsed !== undefined && "error" in parsed && parsed.id === id;
}

/**
 * What an HTTP error body says, to recognise what it means (an expired session): the JSON-RPC
 * error's message, else the start of the body's text, whitespace collapsed.
 */
export function httpErrorText(body: unknown): string | undefined {
  if (typeof body !== "string") return undefined;
  const text = jsonRpcErrorMessage(body) ?? body.slice(0, MAX_ERROR_BODY_SCAN).trim().replace(/\s+/g, " ");
  return text === "" ? undefined : text;
}

/**
 * Transports fail single requests by delivering a synthetic JSON-RPC error response for the request's
 * id (a malformed response from a stdio server, an HTTP response stream that ended early). The error
 * `data` carries this key with our error code, so error mapping turns it into a local
 * `MCPConnectionError` instead of an `MCPServerError` the server never sent.
 */
export const LOCAL_ERROR_DATA_KEY = "mcpToolsLocalError";
/** Optional second key: the error's `context` (e.g. the size limit that was passed). */
export const LOCAL_ERROR_CONTEXT_KEY = "mcpToolsLocalContext";

/** Codes a transport can attach under `LOCAL_ERROR_DATA_KEY`. */
export type LocalErrorCode = "PROTOCOL_ERROR" | "CONNECTION_CLOSED" | "MESSAGE_TOO_LARGE";

/** Characters of an HTTP error body looked at: enough for any JSON-RPC error, bounded for a 5 MB page. */
const MAX_ERROR_BODY_SCAN = 4000;
/** Larger error bodies are not parsed as JSON (a JSON-RPC error is a few hundred bytes). */
const MAX_ERROR_BODY_PARSE = 64 * 1024;

/**
 * The `message` of a JSON-RPC error body (`{"jsonrpc":"2.0","error":{"code":-32000,"message":"…"},"id":null}`):
 * text the server wrote for people, fit for a message once clipped. Bounded but not clipped or
 * redacted: whoever puts it in a message sends it through `clipText`. Undefined for any other body
 * (an HTML error page is no message).
 */
export function jsonRpcErrorMessage(body: unknown): string | undefined {
  if (typeof body !== "string" || body.length > MAX_ERROR_BODY_PARSE) return undefined;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } } | null;
    const message = parsed?.error?.message;
    if (typeof message === "string" && message.trim() !== "") {
      return message.slice(0, MAX_ERROR_BODY_SCAN).trim();
    }
  } catch {
    // Not JSON.
  }
  return undefined;
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

/**
 * Transports fail single requests by delivering a synthetic JSON-RPC error response for the request's
 * id (a malformed response from a stdio server, an HTTP response stream that ended early). The error
 * `data` carries this key with our error code, so error mapping turns it into a local
 * `MCPConnectionError` instead of an `MCPServerError` the server never sent.
 */
export const LOCAL_ERROR_DATA_KEY = "mcpToolsLocalError";

/** Codes a transport can attach under `LOCAL_ERROR_DATA_KEY`. */
export type LocalErrorCode = "PROTOCOL_ERROR" | "CONNECTION_CLOSED";

/**
 * Stable error codes. Callers switch on `error.code`, never on the message text.
 * Each code belongs to exactly one error class (see `errors.ts`).
 */
export type ErrorCode =
  /** A server config (or a config file) failed validation. Nothing was spawned or connected. */
  | "CONFIG_INVALID"
  /** A `${VAR}` reference names an environment variable that is not set. */
  | "ENV_VAR_MISSING"
  /** A security rule refused a tool call before anything was sent. */
  | "POLICY_VIOLATION"
  /** Tool arguments do not match the tool's `inputSchema`, or are not a JSON object. */
  | "INVALID_ARGUMENTS"
  /** The requested tool, prompt or resource is not known to this client. */
  | "NOT_FOUND"
  /** The operation needs a connected client. */
  | "NOT_CONNECTED"
  /** The stdio server could not be started (ENOENT, EACCES, bad cwd). */
  | "SPAWN_FAILED"
  /** The stdio server process exited (or was killed) while the client was using it. */
  | "PROCESS_EXITED"
  /** The connection closed while requests were pending (stream ended, transport closed). */
  | "CONNECTION_CLOSED"
  /** Nothing listens at the server's address. */
  | "CONNECTION_REFUSED"
  /** The server never completed the `initialize` handshake in time. */
  | "INITIALIZE_TIMEOUT"
  /** The handshake failed for another reason (bad protocol version, invalid response). */
  | "INITIALIZE_FAILED"
  /** A single message exceeded the transport's size limit; the connection was closed. */
  | "MESSAGE_TOO_LARGE"
  /** The peer sent something that is not valid MCP / JSON-RPC, or an unexpected content type. */
  | "PROTOCOL_ERROR"
  /** An HTTP transport got a non-success status that has no more specific code. */
  | "HTTP_STATUS"
  /** The HTTP session expired (404 with a session id) and could not be re-established. */
  | "SESSION_EXPIRED"
  /** The server's circuit breaker is open: the call was refused without contacting the server. */
  | "CIRCUIT_OPEN"
  /** The per-server concurrency limit and its queue are full. */
  | "QUEUE_FULL"
  /** A request did not get an answer within its timeout. */
  | "REQUEST_TIMEOUT"
  /** The caller aborted the request through its `AbortSignal`. */
  | "REQUEST_CANCELLED"
  /** The server answered with a JSON-RPC error. */
  | "SERVER_ERROR"
  /** The server answered a resource read with "resource not found" (or another resource error). */
  | "RESOURCE_ERROR"
  /** The server requires authorization and none (or no valid token) is available. */
  | "AUTH_REQUIRED"
  /** Authorization was attempted and failed, or the server refused access (403). */
  | "AUTH_FAILED";

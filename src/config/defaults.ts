/**
 * Every default of a server config, in one place. Times are in seconds, as in the seed's configs.
 * Security defaults live in `security/defaults.ts` (they depend on the level).
 */

/** Per-request timeout, the `initialize` handshake included. */
export const DEFAULT_TIMEOUT_SECONDS = 30;
/** Largest accepted `timeout` / `connect_timeout` / `http_read_timeout` in a config (MassGen's limit). */
export const MAX_TIMEOUT_SECONDS = 300;
/** How long an HTTP response stream may stay silent before it is considered dead. */
export const DEFAULT_HTTP_READ_TIMEOUT_SECONDS = 300;
/** Default attempts for `reconnect()` (the seed's `max_retries`). */
export const DEFAULT_MAX_RETRIES = 3;
/** Largest accepted `max_retries`: reconnect loops are always finite. */
export const MAX_MAX_RETRIES = 100;
/** Base delay of `reconnect()`; attempt n waits `retry_delay × 2^n` (capped, jittered). */
export const DEFAULT_RETRY_DELAY_SECONDS = 1;
/** Cap on a single reconnect delay. */
export const DEFAULT_MAX_RETRY_DELAY_SECONDS = 30;
/** Largest single JSON-RPC message accepted from a stdio server. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Grace period of each shutdown step for stdio servers (stdin EOF → SIGTERM → SIGKILL). */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 2;
/** Bytes of a stdio server's stderr kept for error messages. */
export const STDERR_TAIL_BYTES = 64 * 1024;
/** Timeout of the best-effort HTTP `DELETE` that ends a session on disconnect. */
export const SESSION_DELETE_TIMEOUT_SECONDS = 2;
/** Server names are used in tool prefixes `mcp__{server}__{tool}`; longer names would not fit 64 chars. */
export const MAX_SERVER_NAME_LENGTH = 50;

/** Circuit breaker (per server). */
export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_RECOVERY_TIMEOUT_SECONDS = 30;
/** A re-opened breaker waits recovery × 2 per re-open, up to this multiple. */
export const MAX_RECOVERY_MULTIPLIER = 8;
/** Error classes that count as breaker failures unless `expected_exception` says otherwise. */
export const DEFAULT_EXPECTED_EXCEPTIONS: readonly string[] = ["MCPConnectionError", "MCPTimeoutError"];

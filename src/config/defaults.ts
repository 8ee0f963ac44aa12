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
/** Largest accepted `max_message_bytes` (1 GiB): one message is held in memory whole. */
export const MAX_MAX_MESSAGE_BYTES = 1024 * 1024 * 1024;
/** Largest accepted `shutdown_grace`, in seconds (three steps of it bound a disconnect). */
export const MAX_SHUTDOWN_GRACE_SECONDS = 60;
/** Base delay of `reconnect()`; attempt n waits `retry_delay × 2^n` (capped, jittered). */
export const DEFAULT_RETRY_DELAY_SECONDS = 1;
/** Cap on a single reconnect delay. */
export const DEFAULT_MAX_RETRY_DELAY_SECONDS = 30;
/** Largest single message accepted from a server on any transport (stdio line, HTTP body, SSE event). */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** Grace period of each shutdown step for stdio servers (stdin EOF → SIGTERM → SIGKILL). */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 2;
/** Bytes of a stdio server's stderr kept for error messages. */
export const STDERR_TAIL_BYTES = 64 * 1024;
/** Lines of that tail quoted in an error message (the whole tail is in `stderrTail()`). */
export const STDERR_LINES_IN_MESSAGES = 20;
/** A stderr "line" without a newline is handed on once it reaches this many characters. */
export const MAX_STDERR_LINE_CHARS = 4096;
/** Timeout of the best-effort HTTP `DELETE` that ends a session on disconnect. */
export const SESSION_DELETE_TIMEOUT_SECONDS = 2;
/**
 * Milliseconds an idle HTTP connection is kept for reuse: below the 5 s idle timeout of Node HTTP
 * servers, which close kept-alive sockets without a hint; reusing a socket the server is closing
 * loses requests (measured in BENCHMARKS.md).
 */
export const HTTP_KEEP_ALIVE_TIMEOUT_MS = 4_000;
/** Server names are used in tool prefixes `mcp__{server}__{tool}`; longer names would not fit 64 chars. */
export const MAX_SERVER_NAME_LENGTH = 50;
/**
 * Deepest nesting read from a config value (objects and arrays): no setting is nested more than a
 * few levels, and the walks over a config are recursive, so a deeper value is cut and refused
 * instead of overflowing the stack.
 */
export const MAX_CONFIG_DEPTH = 100;
/** Largest accepted `security.tool_arguments.max_depth` (the argument checks recurse per level). */
export const MAX_TOOL_ARGUMENTS_MAX_DEPTH = 1000;
/** YAML aliases (`*anchor`) one config may resolve: bounds a "billion laughs" file (the yaml package's default). */
export const MAX_YAML_ALIAS_COUNT = 100;

/** Circuit breaker (per server). */
export const DEFAULT_FAILURE_THRESHOLD = 5;
export const DEFAULT_RECOVERY_TIMEOUT_SECONDS = 30;
/** Largest accepted `circuit_breaker.failure_threshold`. */
export const MAX_FAILURE_THRESHOLD = 10_000;
/** Largest accepted `circuit_breaker.recovery_timeout`: one day. */
export const MAX_RECOVERY_TIMEOUT_SECONDS = 24 * 3600;
/** A re-opened breaker waits recovery × 2 per re-open, up to this multiple. */
export const MAX_RECOVERY_MULTIPLIER = 8;
/** Error classes that count as breaker failures unless `expected_exception` says otherwise. */
export const DEFAULT_EXPECTED_EXCEPTIONS: readonly string[] = ["MCPConnectionError", "MCPTimeoutError"];

/** Automatic reconnect after a lost connection (MultiMCPClient), per server. */
export const DEFAULT_RECONNECT_ENABLED = true;
/** Reconnect attempts before a server is marked failed; always finite. */
export const DEFAULT_RECONNECT_MAX_ATTEMPTS = 8;
/** Largest accepted `reconnect.max_attempts`. */
export const MAX_RECONNECT_MAX_ATTEMPTS = 100;
/** Cap of one automatic reconnect delay (the first delay defaults to `retry_delay`). */
export const DEFAULT_RECONNECT_MAX_DELAY_SECONDS = 30;
/** A connection that stayed up this long resets the reconnect attempt counter. */
export const DEFAULT_RECONNECT_HEALTHY_RESET_SECONDS = 60;
/** Largest accepted reconnect delay / healthy-reset / health-check interval, in seconds. */
export const MAX_SCHEDULE_SECONDS = 3600;

/** Health monitor interval when it is switched on without an interval (it is off by default). */
export const DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS = 30;
/** Timeout of one health-check ping. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS = 5;
/** Missed pings in a row that make a server unhealthy (and trigger a reconnect). */
export const DEFAULT_HEALTH_CHECK_MAX_MISSES = 2;
/**
 * Largest `health_check.max_misses`, in a server config and in MultiMCPClient's `healthCheck` option
 * alike (more would leave a dead server "healthy" for hours at any useful interval).
 */
export const MAX_HEALTH_CHECK_MAX_MISSES = 1000;

/** Calls one server runs at once (MultiMCPClient); more wait in a bounded queue. */
export const DEFAULT_MAX_IN_FLIGHT = 16;
/** Calls that may wait for a free slot; beyond that a call is refused with QUEUE_FULL. */
export const DEFAULT_MAX_QUEUE = 256;
/** Largest accepted `concurrency.max_in_flight` / `concurrency.max_queue`. */
export const MAX_CONCURRENCY_LIMIT = 100_000;

/** Connection pool (`MCPConnectionPool`): clients, the seed's `pool_size`. */
export const DEFAULT_POOL_SIZE = 5;
/** Seconds an idle pooled client is kept. */
export const DEFAULT_POOL_IDLE_TIMEOUT_SECONDS = 300;
/** Callers that may wait for a pooled client at once; more are refused with QUEUE_FULL. */
export const DEFAULT_POOL_MAX_WAITERS = 100;
/** Seconds the health check of an idle pooled client may take on acquire. */
export const DEFAULT_POOL_HEALTH_CHECK_TIMEOUT_SECONDS = 5;

// Authorization (the `auth` section of HTTP servers).
/** Client name registered with authorization servers. */
export const DEFAULT_AUTH_CLIENT_NAME = "mcp-tools";
/** JWS algorithm of `private_key_jwt` client assertions with an RSA key (EC keys use ES256/384/512 by curve). */
export const DEFAULT_AUTH_SIGNING_ALGORITHM = "RS256";
/** Redirect URL of interactive logins when neither the config nor the options name one. */
export const DEFAULT_AUTH_REDIRECT_URL = "http://127.0.0.1:8765/callback";
/** The `file` token store's location (`~` is the user's home directory). */
export const DEFAULT_AUTH_TOKEN_FILE = "~/.mcp-tools/tokens.json";
/** Interactive authorizations one request may trigger (a 401 login, then a 403 step-up) before it fails. */
export const MAX_AUTHORIZATIONS_PER_REQUEST = 2;
/** How long the loopback redirect listener waits for the browser to come back. */
export const DEFAULT_LOOPBACK_TIMEOUT_SECONDS = 300;

/**
 * Deepest nesting of one tool definition (the tool object is level 0) that discovery accepts. The
 * SDK's result schema (zod) and the schema compilers (Ajv) recurse per level and overflow the stack
 * somewhere above 1,000 levels; real schemas stay below 30. A deeper tool is skipped with a warning.
 */
export const MAX_TOOL_DEFINITION_DEPTH = 100;

// ─── Client tuning (not options) ─────────────────────────────────────────────────────────────────

/** Retries of a read-only list request (`tools/list`, …) over HTTP after a transient status (5xx, 408, 429). */
export const READ_RETRIES = 2;
/** First delay of those retries; each later one may double, up to four times this. */
export const READ_RETRY_DELAY_MS = 100;
/** `healthCheck()` without a `timeout` waits the server's `timeout`, but at most this long. */
export const MAX_HEALTH_CHECK_SECONDS = 10;
/** Resumption of a dropped SSE response stream: first delay, largest delay (the server's `retry:` is clamped to these) and attempts. */
export const SSE_RETRY_MIN_DELAY_MS = 100;
export const SSE_RETRY_MAX_DELAY_MS = 30_000;
export const SSE_RETRY_MAX_RETRIES = 3;

/**
 * Names listed in the context of a NOT_FOUND error (the available tools, prompts or resources): the
 * message suggests the closest ones, the context shows the first ones, and the count is given in full.
 */
export const MAX_NAMES_IN_ERROR_CONTEXT = 50;

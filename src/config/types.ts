import type { z } from "zod";

import type { SecurityPolicy } from "../security/types.js";
import type { AuthConfig, AuthInput } from "./authTypes.js";
import type { KeyTwins } from "./keys.js";
import type { shape } from "./schema.js";

/** Transports: stdio (a child process), streamable HTTP, and the legacy HTTP+SSE transport. */
export type TransportType = "stdio" | "streamable-http" | "sse";

/** Circuit breaker settings of one server (seconds). */
export interface CircuitBreakerConfig {
  /** Consecutive failures that open the breaker. @default 5 */
  failureThreshold: number;
  /** Seconds the breaker stays open before one probe call is let through. @default 30 */
  recoveryTimeout: number;
  /** Error class names that count as failures. @default ["MCPConnectionError", "MCPTimeoutError"] */
  expectedException: readonly string[];
}

/** Automatic reconnect after a lost connection (MultiMCPClient), per server (seconds). */
export interface ReconnectConfig {
  /** Reconnect on its own when the transport is lost. @default true */
  enabled: boolean;
  /** Attempts before the server is marked failed. @default 8 */
  maxAttempts: number;
  /** Nominal first delay; doubles per attempt (half jitter). @default retry_delay (1) */
  initialDelay: number;
  /** Cap of one delay. @default 30 */
  maxDelay: number;
  /** A connection that stayed up this long resets the attempt counter. @default 60 */
  healthyReset: number;
}

/** Periodic health checks (ping) of one server (seconds). Off unless `interval` is set. */
export interface HealthCheckConfig {
  /** Seconds between pings; undefined = no health monitor (unless the MultiMCPClient option enables it). */
  interval: number | undefined;
  /** Timeout of one ping. @default 5 */
  timeout: number;
  /** Missed pings in a row that make the server unhealthy and trigger a reconnect. @default 2 */
  maxMisses: number;
}

/** Per-server concurrency limit (MultiMCPClient). */
export interface ConcurrencyConfig {
  /** Calls sent to the server at once. @default 16 */
  maxInFlight: number;
  /** Calls waiting for a free slot; more are refused with QUEUE_FULL. @default 256 */
  maxQueue: number;
}

interface ServerConfigBase {
  /** Unique server name, `[A-Za-z0-9_-]`, at most 50 characters (it becomes part of tool names). */
  readonly name: string;
  readonly type: TransportType;
  /** Per-request timeout in seconds, the handshake included. @default 30 */
  readonly timeout: number;
  /** Timeout of spawn/connect + `initialize` in seconds. @default timeout */
  readonly connectTimeout: number;
  /** Default attempts of `reconnect()`. @default 3 */
  readonly maxRetries: number;
  /** Base delay of `reconnect()` in seconds (exponential: delay × 2^attempt). @default 1 */
  readonly retryDelay: number;
  readonly security: SecurityPolicy;
  /** Raw tool names to keep; undefined keeps all. */
  readonly allowedTools: readonly string[] | undefined;
  /** Raw tool names to drop. */
  readonly excludeTools: readonly string[];
  readonly circuitBreaker: CircuitBreakerConfig;
  readonly reconnect: ReconnectConfig;
  readonly healthCheck: HealthCheckConfig;
  readonly concurrency: ConcurrencyConfig;
  /**
   * Largest single message accepted from the server, in bytes, on every transport: a stdio line, an
   * HTTP response body (JSON), one SSE event (POST response streams, the standalone GET stream,
   * legacy SSE). A larger one fails with `MESSAGE_TOO_LARGE` as soon as the limit is passed, without
   * reading the rest. @default 10 MiB
   */
  readonly maxMessageBytes: number;
  readonly description: string | undefined;
  /** Keys this version does not know, kept as given (MassGen configs carry extra keys). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A validated stdio server config. */
export interface StdioServerConfig extends ServerConfigBase {
  readonly type: "stdio";
  /** The executable (validated against the security allow-list). */
  readonly command: string;
  readonly args: readonly string[];
  /** Extra environment for the child, on top of a safe inherited set. May hold `${VAR}` references. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  /** Seconds per shutdown step (stdin EOF → SIGTERM → SIGKILL). @default 2 */
  readonly shutdownGrace: number;
}

/** A validated streamable-HTTP or legacy SSE server config. */
export interface HttpServerConfig extends ServerConfigBase {
  readonly type: "streamable-http" | "sse";
  readonly url: string;
  /** Extra request headers. Values may hold `${VAR}` references. */
  readonly headers: Readonly<Record<string, string>>;
  /** Seconds a response stream may stay silent before it is treated as dead. @default 300 */
  readonly httpReadTimeout: number;
  /** OAuth authorization (see `AuthConfig`); values may hold `${VAR}` references, expanded when connecting. */
  readonly auth: AuthConfig | undefined;
}

/** A validated, normalised server config (the output of `MCPConfigValidator.validateServerConfig`). */
export type ServerConfig = StdioServerConfig | HttpServerConfig;

/** The schema's input (camelCase, as validation sees it after key normalisation). */
type SchemaInput = z.input<typeof shape>;
type Section<K extends keyof SchemaInput> = NonNullable<SchemaInput[K]>;

/**
 * What users write: MassGen's snake_case keys or their camelCase forms, as in MassGen YAML and
 * Claude/Cursor JSON. Unknown keys are allowed (kept, and reported as warnings). Derived from the
 * zod schema (`config/schema.ts`): a key added there is accepted here in both spellings.
 */
export interface ServerConfigInput extends Omit<KeyTwins<SchemaInput>, OpenSections> {
  /** The `security` section: its unknown keys load (with a warning), so they type-check too. */
  security?: SecurityInput | undefined;
  /** The `auth` section of an HTTP server: its unknown keys load (with a warning), so they type-check too. */
  auth?: AuthInput | undefined;
  [key: string]: unknown;
}

/**
 * Sections typed by their own interfaces, which keep an index signature: `KeyTwins` types declared
 * keys only, so inline `{ security: { vendor_key: 1 } }` would fail the excess-property check.
 */
type OpenSections = "security" | "auth";

/** The `security` section as users write it. */
export interface SecurityInput extends KeyTwins<Section<"security">> {
  [key: string]: unknown;
}

/** The `security.tool_arguments` section as users write it. */
export type ToolArgumentLimitsInput = KeyTwins<NonNullable<Section<"security">["toolArguments"]>>;

/** The `circuit_breaker` section as users write it. */
export type CircuitBreakerInput = KeyTwins<Section<"circuitBreaker">>;

/** The `reconnect` section as users write it. */
export type ReconnectInput = KeyTwins<Section<"reconnect">>;

/** The `health_check` section as users write it. */
export type HealthCheckInput = KeyTwins<Section<"healthCheck">>;

/** The `concurrency` section as users write it. */
export type ConcurrencyInput = KeyTwins<Section<"concurrency">>;

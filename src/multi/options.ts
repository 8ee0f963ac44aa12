import type { CallToolResult, Implementation, Prompt, Tool } from "@modelcontextprotocol/client";

import type { AuthOptions } from "../auth/types.js";
import type { ClientEvents, StatusEvent } from "../client/events.js";
import type { ClientHandlers } from "../client/handlers.js";
import type { MCPClient } from "../client/mcpClient.js";
import type { CallToolOptions, MCPClientOptions } from "../client/options.js";
import { isPlainObject } from "../common/guards.js";
import {
  MAX_HEALTH_CHECK_MAX_MISSES,
  MAX_SCHEDULE_SECONDS,
  MAX_TIMEOUT_SECONDS,
} from "../config/defaults.js";
import type { Environment } from "../config/expandVariables.js";
import { OPTION_RULES, OptionIssues } from "../config/optionIssues.js";
import type { ServerConfig } from "../config/types.js";
import type { ConfigIssue, MCPError } from "../errors/errors.js";
import type { CircuitState, CircuitStateChange } from "../resilience/circuitBreaker.js";
import type { Clock } from "../resilience/clock.js";
import type { HealthState } from "../resilience/healthMonitor.js";
import type { NameKind } from "../routing/routedNames.js";
import type { HostLookup } from "../security/url.js";

/**
 * The state of one server inside a MultiMCPClient:
 * `disconnected` (not started, or after disconnect()), `connecting`, `connected`, `reconnecting`
 * (lost, a reconnect loop is running; its tools stay listed and calls wait), `failed` (connect
 * failed, or the reconnect loop gave up; its tools are not listed).
 */
export type ServerState = "disconnected" | "connecting" | "connected" | "reconnecting" | "failed";

/** A tool of a MultiMCPClient, by its routed name. */
export interface MultiToolEntry {
  /** The routed name `mcp__{server}__{tool}` (sanitised, unique). */
  readonly name: string;
  readonly server: string;
  /** The name the server knows the tool by. */
  readonly rawName: string;
  readonly description: string | undefined;
  readonly inputSchema: Tool["inputSchema"];
  readonly outputSchema: Tool["outputSchema"];
  readonly annotations: Tool["annotations"];
  /** The tool as the server listed it. */
  readonly tool: Tool;
}

/** A prompt of a MultiMCPClient, by its routed name. */
export interface MultiPromptEntry {
  readonly name: string;
  readonly server: string;
  readonly rawName: string;
  readonly description: string | undefined;
  readonly arguments: Prompt["arguments"];
  readonly prompt: Prompt;
}

/** A tool held by (server, raw name): keeps working after the server reconnects. */
export interface MultiToolHandle {
  readonly name: string;
  readonly server: string;
  readonly rawName: string;
  /** The tool's current definition; undefined while its server is down or no longer lists it. */
  readonly definition: MultiToolEntry | undefined;
  call(args?: Record<string, unknown>, options?: CallToolOptions): Promise<CallToolResult>;
}

/** What happened to one server in `connect()`. */
export interface ServerConnectOutcome {
  server: string;
  ok: boolean;
  state: ServerState;
  /** Time this server took, in milliseconds. */
  durationMs: number;
  toolsCount: number;
  error?: MCPError;
}

/** The result of `connect()`: every server's outcome (partial success is normal). */
export interface ConnectSummary {
  servers: Record<string, ServerConnectOutcome>;
  connected: string[];
  failed: string[];
  durationMs: number;
  toolsCount: number;
}

/** Options of `MultiMCPClient.connect()`. */
export interface MultiConnectOptions {
  /**
   * All or nothing: if any server fails, close the servers this call connected and reject with one
   * error that lists every server's outcome. @default false (partial success is normal)
   */
  strict?: boolean | undefined;
}

/** Everything known about one server right now. */
export interface ServerStatus {
  name: string;
  state: ServerState;
  connected: boolean;
  transport: ServerConfig["type"];
  breaker: CircuitState;
  /** Consecutive failures the breaker has counted. */
  consecutiveFailures: number;
  /** Seconds until the breaker lets a call through (0 when it would now; Infinity while isolated). */
  retryAfter: number;
  lastError: MCPError | undefined;
  health: HealthState;
  /** Missed health checks in a row. */
  healthMisses: number;
  inFlight: number;
  queued: number;
  /** Attempts of the current (or last) reconnect cycle. */
  reconnectAttempts: number;
  toolsCount: number;
  pid: number | undefined;
}

export interface NameCollisionEvent {
  server: string;
  message: string;
  kind: NameKind | "resource";
  /** The raw name (or URI) that collided. */
  rawName: string;
  /** The routed name it got (for resources: the URI, still served by `conflictsWith.server`). */
  name: string;
  conflictsWith: { server: string; rawName: string; name: string };
}

/**
 * Status events of a MultiMCPClient: every per-server event of `MCPClient` (forwarded, each with its
 * `server`), plus MassGen's `setup_start` / `setup_complete` / `connection_summary` and the
 * resilience events.
 */
export interface MultiClientEvents extends ClientEvents {
  setupStart: { message: string; serverCount: number };
  setupComplete: {
    message: string;
    connectedServers: string[];
    failedServers: string[];
    totalTools: number;
    totalResources: number;
    totalPrompts: number;
    durationMs: number;
  };
  connectionSummary: {
    message: string;
    successfulCount: number;
    failedCount: number;
    totalCount: number;
    toolsCount: number;
  };
  breakerStateChange: CircuitStateChange;
  nameCollision: NameCollisionEvent;
  healthChange: { server: string; message: string; health: HealthState; misses: number };
  reconnected: { server: string; message: string; attempt: number; toolsCount: number };
  reconnectFailed: { server: string; message: string; attempts: number; error: MCPError | undefined };
  /** A server's tools changed (reconnect, list_changed, gave up); names are routed names. */
  toolsChanged: { server: string; message: string; added: string[]; removed: string[] };
}

export type MultiClientEventName = keyof MultiClientEvents;

export interface HealthCheckOptions {
  /** Seconds between pings. @default 30 */
  interval?: number | undefined;
  /** Seconds one ping may take. @default 5 */
  timeout?: number | undefined;
  /** Missed pings in a row that make a server unhealthy and trigger a reconnect. @default 2 */
  maxMisses?: number | undefined;
}

export interface MultiMCPClientOptions {
  /** Client-level allow-list (raw or routed names); a server's own `allowed_tools` takes precedence. */
  allowedTools?: readonly string[] | undefined;
  /** Client-level exclusions (raw or routed names), added to every server's `exclude_tools`. */
  excludeTools?: readonly string[] | undefined;
  /** Receives every status event (MassGen's `status_callback`). */
  onStatus?: ((event: StatusEvent<MultiClientEvents>) => void) | undefined;
  /** Values for `${VAR}` expansion. @default process.env */
  environment?: Environment | undefined;
  /** Name and version sent in `initialize`. */
  clientInfo?: Implementation | undefined;
  /** DNS lookup used by `security.resolve_dns`. */
  lookup?: HostLookup | undefined;
  /** `fetch` used by HTTP transports: see `MCPClientOptions.fetch` for what the policy still checks. */
  fetch?: ((url: string | URL, init?: RequestInit) => Promise<Response>) | undefined;
  /** Reconnect servers whose connection is lost (each server's `reconnect.enabled` can opt out). @default true */
  autoReconnect?: boolean | undefined;
  /**
   * Health monitor for servers without a `health_check.interval` of their own: `true` for the
   * defaults (30 s, 5 s, 2 misses), or the settings. @default false (no periodic pings)
   */
  healthCheck?: boolean | HealthCheckOptions | undefined;
  /** Time source (tests). @default systemClock */
  clock?: Clock | undefined;
  /** Builds the client of one server (tests, instrumentation). @default new MCPClient(config, options) */
  createClient?: ((config: ServerConfig, options: MCPClientOptions) => MCPClient) | undefined;
  /**
   * Answers servers' elicitation, sampling and roots requests, for every server (each handler is told
   * the server's name). Each handler given is advertised as a capability.
   */
  handlers?: ClientHandlers | undefined;
  /** Runtime side of the servers' `auth` sections: the login callback (told the server's name), redirect URL, token store. */
  auth?: AuthOptions | undefined;
}

export interface ReconnectServerOptions {
  /**
   * Attempts of this cycle (a whole number, at most 100; 0 makes none and resolves false).
   * @default the server's max_retries (3)
   */
  maxRetries?: number | undefined;
  /**
   * Seconds before the second attempt (doubling, jittered, capped); 0 retries almost at once (1 ms).
   * @default the server's retry_delay
   */
  retryDelay?: number | undefined;
}

/** How a rule states what it accepts, and whether a value is accepted. */
interface OptionRule {
  accepts: (value: unknown) => boolean;
  allowed: string;
}

const isFunction = (value: unknown) => typeof value === "function";
const FUNCTION: OptionRule = { accepts: isFunction, allowed: "a function" };
const OBJECT: OptionRule = {
  accepts: (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  allowed: "an object",
};
const secondsUpTo = (max: number): OptionRule => ({
  accepts: (value) => typeof value === "number" && value > 0 && value <= max,
  allowed: `a number of seconds > 0 and ≤ ${max}`,
});

/** The options given as values (not lists or health settings), by key, with the path they are reported at. */
const VALUE_RULES: ReadonlyArray<[keyof MultiMCPClientOptions, string, OptionRule]> = [
  [
    "autoReconnect",
    "options.autoReconnect",
    { accepts: (v) => typeof v === "boolean", allowed: "true or false" },
  ],
  ["onStatus", "options.onStatus", FUNCTION],
  ["createClient", "options.createClient", FUNCTION],
  ["lookup", "options.lookup", FUNCTION],
  ["fetch", "options.fetch", FUNCTION],
  ["environment", "options.environment", OBJECT],
  ["clientInfo", "options.clientInfo", OBJECT],
  ["handlers", "options.handlers", OBJECT],
  ["auth", "options.auth", OBJECT],
  [
    "clock",
    "options.clock",
    {
      accepts: (v) =>
        OBJECT.accepts(v) &&
        ["now", "setTimeout", "clearTimeout"].every((key) => isFunction((v as Record<string, unknown>)[key])),
      allowed: "a Clock (an object with now(), setTimeout() and clearTimeout())",
    },
  ],
];

const HEALTH_RULES: ReadonlyArray<[keyof HealthCheckOptions, string, OptionRule]> = [
  ["interval", "options.health_check.interval", secondsUpTo(MAX_SCHEDULE_SECONDS)],
  ["timeout", "options.health_check.timeout", secondsUpTo(MAX_TIMEOUT_SECONDS)],
  [
    "maxMisses",
    "options.health_check.max_misses",
    {
      accepts: (v) =>
        Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_HEALTH_CHECK_MAX_MISSES,
      allowed: `a whole number from 1 to ${MAX_HEALTH_CHECK_MAX_MISSES}`,
    },
  ],
];

/**
 * Checks the client-level options, every problem at once, in the style of config validation: one
 * issue per bad option naming its path, the value given and what is allowed (the constructor throws
 * them as one MCPConfigurationError). Nothing is clamped; `undefined` means the default.
 */
export function checkOptions(options: MultiMCPClientOptions): ConfigIssue[] {
  const check = new OptionIssues("MultiMCPClient");
  // JavaScript callers can pass anything in place of the options object.
  if (!OBJECT.accepts(options)) {
    check.add("options", options, "an object", { rule: OPTION_RULES.type });
    return [...check.issues];
  }
  const refuse = (path: string, allowed: string, value: unknown) =>
    check.add(path, value, allowed, {
      // A number out of its range, or a value of the wrong kind.
      rule: typeof value === "number" ? OPTION_RULES.range : OPTION_RULES.type,
    });
  for (const [key, path] of [
    ["allowedTools", "options.allowed_tools"],
    ["excludeTools", "options.exclude_tools"],
  ] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      refuse(path, "a list of tool names", value);
      continue;
    }
    value.forEach((item: unknown, index) => {
      if (typeof item !== "string") refuse(`${path}[${index}]`, "a tool name (a string)", item);
    });
  }
  const health = options.healthCheck;
  if (health !== undefined && typeof health !== "boolean") {
    if (!isPlainObject(health)) {
      refuse("options.health_check", "true, false or { interval, timeout, maxMisses }", health);
    } else {
      for (const [key, path, rule] of HEALTH_RULES) {
        const value = health[key];
        if (value !== undefined && !rule.accepts(value)) refuse(path, rule.allowed, value);
      }
    }
  }
  for (const [key, path, rule] of VALUE_RULES) {
    const value = options[key];
    if (value !== undefined && !rule.accepts(value)) refuse(path, rule.allowed, value);
  }
  return [...check.issues];
}

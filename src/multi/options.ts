import type { CallToolResult, Implementation, Prompt, Tool } from "@modelcontextprotocol/client";

import type { AuthOptions } from "../auth/types.js";
import type { ClientEvents, StatusEvent } from "../client/events.js";
import type { ClientHandlers } from "../client/handlers.js";
import type { CallToolOptions, MCPClient, MCPClientOptions } from "../client/mcpClient.js";
import type { DnsLookup } from "../client/prepare.js";
import { MAX_SCHEDULE_SECONDS, MAX_TIMEOUT_SECONDS } from "../config/defaults.js";
import type { Environment } from "../config/expandVariables.js";
import { isPlainObject } from "../config/keys.js";
import type { ServerConfig } from "../config/types.js";
import type { ConfigIssue, MCPError } from "../errors/errors.js";
import type { CircuitState, CircuitStateChange } from "../resilience/circuitBreaker.js";
import type { Clock } from "../resilience/clock.js";
import type { HealthState } from "../resilience/healthMonitor.js";
import type { NameKind } from "../routing/routedNames.js";

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
 * `server`), plus the seed's `setup_start` / `setup_complete` / `connection_summary` and the
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
  /** Receives every status event (the seed's `status_callback`). */
  onStatus?: ((event: StatusEvent<MultiClientEvents>) => void) | undefined;
  /** Values for `${VAR}` expansion. @default process.env */
  environment?: Environment | undefined;
  /** Name and version sent in `initialize`. */
  clientInfo?: Implementation | undefined;
  /** DNS lookup used by `security.resolve_dns`. */
  lookup?: DnsLookup | undefined;
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

/** Checks the client-level options (names lists, health settings); every problem at once. */
export function checkOptions(options: MultiMCPClientOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [key, path] of [
    ["allowedTools", "options.allowed_tools"],
    ["excludeTools", "options.exclude_tools"],
  ] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Array.isArray(value)) {
      issues.push({ path, message: `${path} must be a list of tool names`, rule: "config.schema" });
      continue;
    }
    value.forEach((item: unknown, index) => {
      if (typeof item !== "string") {
        issues.push({
          path: `${path}[${index}]`,
          message: "tool names must be strings",
          rule: "config.schema",
        });
      }
    });
  }
  const health = options.healthCheck;
  if (health !== undefined && typeof health !== "boolean") {
    if (!isPlainObject(health)) {
      issues.push({
        path: "options.health_check",
        message: "options.health_check must be true, false or { interval, timeout, max_misses }",
        rule: "config.schema",
      });
    } else {
      const limits = { interval: MAX_SCHEDULE_SECONDS, timeout: MAX_TIMEOUT_SECONDS } as const;
      for (const key of ["interval", "timeout"] as const) {
        const value = health[key];
        if (value !== undefined && !(typeof value === "number" && value > 0 && value <= limits[key])) {
          issues.push({
            path: `options.health_check.${key}`,
            message: `must be > 0 and ≤ ${limits[key]} seconds`,
            rule: "config.schema",
          });
        }
      }
      const misses = health.maxMisses;
      if (misses !== undefined && !(typeof misses === "number" && Number.isInteger(misses) && misses >= 1)) {
        issues.push({
          path: "options.health_check.max_misses",
          message: "must be a whole number ≥ 1",
          rule: "config.schema",
        });
      }
    }
  }
  return issues;
}

import type { Implementation, Progress, Tool } from "@modelcontextprotocol/client";

import type { AuthOptions } from "../auth/types.js";
import type { Environment } from "../config/expandVariables.js";
import type { ServerConfig } from "../config/types.js";
import type { MCPError } from "../errors/errors.js";
import type { ConnectionState, StatusEvent } from "./events.js";
import type { ClientHandlers } from "./handlers.js";
import type { DnsLookup } from "./prepare.js";

export interface MCPClientOptions {
  /** Client-level allow-list of raw tool names; a server's own `allowed_tools` takes precedence. */
  allowedTools?: readonly string[] | undefined;
  /** Client-level exclusions, added to the server's `exclude_tools`. */
  excludeTools?: readonly string[] | undefined;
  /** Receives every status event (the seed's `status_callback`). */
  onStatus?: ((event: StatusEvent) => void) | undefined;
  /** Values for `${VAR}` expansion. @default process.env */
  environment?: Environment | undefined;
  /** Name and version sent in `initialize`. @default { name: "mcp-tools", version } */
  clientInfo?: Implementation | undefined;
  /** DNS lookup of `security.resolve_dns` and of the connect-time address checks (tests inject one). */
  lookup?: DnsLookup | undefined;
  /**
   * `fetch` used by HTTP transports (tests, proxies). The address policy still applies to every URL
   * and a host name a server names is DNS-checked before its request is sent; only the built-in
   * pool also checks DNS answers when it connects (which stops DNS rebinding).
   */
  fetch?: ((url: string | URL, init?: RequestInit) => Promise<Response>) | undefined;
  /**
   * Decides which discovered tools to keep, replacing the `allowed_tools` / `exclude_tools` filters
   * (MultiMCPClient uses it: its filters also match prefixed names).
   */
  toolFilter?: ((tool: Tool) => boolean) | undefined;
  /** Answers servers' elicitation, sampling and roots requests; each one given is declared as a capability. */
  handlers?: ClientHandlers | undefined;
  /** Runtime side of the config's `auth` section: interactive login callback, redirect URL, token store. */
  auth?: AuthOptions | undefined;
}

export interface CallToolOptions {
  /** Seconds to wait for the result; overrides the server's `timeout` for this call. */
  timeout?: number | undefined;
  /** Aborts the call; it then rejects with `MCPCancelledError` and the server is told to cancel. */
  signal?: AbortSignal | undefined;
  /** Receives the server's progress notifications. */
  onProgress?: ((progress: Progress) => void) | undefined;
  /** Restart the timeout on every progress notification (needs `onProgress`; bounded by `maxTotalTimeout`). */
  resetTimeoutOnProgress?: boolean | undefined;
  /** Hard bound in seconds when `resetTimeoutOnProgress` is on. @default 10 × timeout */
  maxTotalTimeout?: number | undefined;
}

/** Options of `getResource`, `getPrompt` and `healthCheck`. */
export interface RequestCallOptions {
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface ReconnectOptions {
  /** Attempts before giving up. @default config max_retries (3) */
  maxRetries?: number | undefined;
  /**
   * Base delay in seconds. Attempt 1 starts at once; before attempt n ≥ 2 the wait is between half and
   * all of retryDelay × 2^(n−2), capped at 30 s. 0 retries at once. @default config retry_delay (1)
   */
  retryDelay?: number | undefined;
  /** Stops the retry loop early. */
  signal?: AbortSignal | undefined;
}

/** Operational facts for logs and dashboards. */
export interface ClientDiagnostics {
  server: string;
  state: ConnectionState;
  transport: ServerConfig["type"];
  pid: number | undefined;
  sessionId: string | undefined;
  stdoutNoiseLines: number;
  /** The server's last stderr lines (stdio), without escape codes or secrets, cut from the start. */
  stderrTail: string;
  inFlight: number;
  lastError: MCPError | undefined;
  sessionRenewals: number;
}

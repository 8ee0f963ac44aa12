import { suggestNames } from "../client/names.js";
import { MAX_NAMES_IN_ERROR_CONTEXT } from "../config/defaults.js";
import { suggest } from "../config/keys.js";
import type { ServerConfig } from "../config/types.js";
import type { MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPCancelledError,
  MCPConnectionError,
  MCPError as MCPErrorClass,
  MCPValidationError,
} from "../errors/errors.js";
import type { ServerConnectOutcome, ServerState } from "./options.js";

export function asMCPError(raw: unknown, serverName: string): MCPError {
  if (isMCPError(raw)) return raw;
  return new MCPConnectionError(
    `Server "${serverName}" failed: ${raw instanceof Error ? raw.message : String(raw)}`,
    { code: "CONNECTION_CLOSED", serverName, cause: raw },
  );
}

/** NOT_FOUND that names the closest names, and the routed name when the raw name was given. */
export function notFound(
  kind: "Tool" | "Prompt",
  name: string,
  available: readonly string[],
  entries: ReadonlyArray<{ name: string; rawName: string }>,
): MCPError {
  // JavaScript callers can pass anything; a typed error beats a TypeError from deep inside.
  if (typeof name !== "string" || name === "") {
    return new MCPValidationError(
      `${kind} name must be a non-empty string, got ${name === "" ? "an empty string" : typeof name}.`,
      {
        code: "INVALID_ARGUMENTS",
        field: "name",
        rule: "name.type",
      },
    );
  }
  const byRaw = entries.filter((e) => e.rawName === name).map((e) => `"${e.name}"`);
  // A typo of a server's own name (`ecko`) is far from its routed name, so match raw names too.
  const closeRaw = suggest(
    name,
    entries.map((e) => e.rawName),
  );
  const byClose = closeRaw === undefined ? undefined : entries.find((e) => e.rawName === closeRaw);
  const hint =
    byRaw.length > 0
      ? ` Routed names carry the server: did you mean ${byRaw.join(" or ")}?`
      : byClose && suggest(name, available) === undefined
        ? ` Did you mean "${byClose.name}"?${suggestNames(name, available).replace(/^ Did you mean "[^"]*"\?/, "")}`
        : suggestNames(name, available);
  return new MCPErrorClass(`${kind} "${name}" is not available on any connected server.${hint}`, {
    code: "NOT_FOUND",
    context: {
      [kind === "Tool" ? "tool" : "prompt"]: name,
      available: available.slice(0, MAX_NAMES_IN_ERROR_CONTEXT),
      total: available.length,
    },
  });
}

/** What the messages below read of a server. */
interface SlotView {
  readonly name: string;
  readonly config: ServerConfig;
  readonly state: ServerState;
  readonly lastError: MCPError | undefined;
  readonly attempts: number;
}

/** connect() waited a reconnecting server's connect_timeout and the cycle goes on. */
export function stillReconnecting(slot: SlotView): MCPConnectionError {
  const last = slot.lastError ? ` Last error: ${slot.lastError.message}` : "";
  return new MCPConnectionError(
    `Server "${slot.name}" is still reconnecting (attempt ${slot.attempts}) after its connect_timeout of ${slot.config.connectTimeout} s; connect() did not wait for the rest of the cycle. Its tools come back when it reconnects (the "reconnected" event), or await reconnectServer("${slot.name}").${last}`,
    {
      code: "NOT_CONNECTED",
      serverName: slot.name,
      transportType: slot.config.type,
      cause: slot.lastError,
      context: { state: slot.state, reconnectAttempts: slot.attempts },
    },
  );
}

/** A connect that disconnect() overtook. */
export function abandonedConnect(slot: SlotView): MCPCancelledError {
  return new MCPCancelledError(
    `Connecting to server "${slot.name}" was abandoned because disconnect() was called; it was closed again.`,
    { serverName: slot.name, operation: "connect" },
  );
}

/** connect() without strict, when no server could be connected. */
export function nothingConnected(outcomes: readonly ServerConnectOutcome[]): MCPError {
  if (outcomes.length === 1 && outcomes[0]?.error) return outcomes[0].error;
  const lines = outcomes.map((o) => `  - ${o.server}: ${o.error?.message ?? "not connected"}`).join("\n");
  return new MCPConnectionError(
    `None of the ${outcomes.length} MCP servers could be connected:\n${lines}\nFix the servers above (getServerStatus(name).lastError has each error), then call connect() or reconnectFailedServers() again.`,
    {
      code: "NOT_CONNECTED",
      cause: new AggregateError(
        outcomes.map((o) => o.error),
        "every server failed to connect",
      ),
      context: { servers: Object.fromEntries(outcomes.map((o) => [o.server, o.error?.code])) },
    },
  );
}

/** connect({ strict: true }) when a server failed; `closed` are the servers it connected and closed again. */
export function strictConnectFailed(
  outcomes: readonly ServerConnectOutcome[],
  closed: readonly string[],
): MCPConnectionError {
  const failed = outcomes.filter((o) => !o.ok);
  const lines = failed.map((o) => `  - ${o.server}: ${o.error?.message ?? "not connected"}`).join("\n");
  const undone =
    closed.length > 0
      ? ` The server${closed.length === 1 ? "" : "s"} it had connected (${closed.join(", ")}) ${closed.length === 1 ? "was" : "were"} closed again.`
      : "";
  return new MCPConnectionError(
    `connect({ strict: true }) failed: ${failed.length} of ${outcomes.length} MCP servers could not be connected:\n${lines}\n${undone} Fix the servers above, or call connect() without strict to accept partial success.`,
    {
      code: "NOT_CONNECTED",
      cause: new AggregateError(
        failed.map((o) => o.error),
        `${failed.length} of ${outcomes.length} servers failed to connect`,
      ),
      context: {
        servers: Object.fromEntries(outcomes.map((o) => [o.server, o.ok ? "connected" : o.error?.code])),
        closed: [...closed],
      },
    },
  );
}

/**
 * A call to a server that is not connected; nothing was sent. `next` says what happens now: the
 * client is not connected, a reconnect runs, one was started, or the caller has to start one.
 */
export function notConnected(
  slot: SlotView,
  operation: string,
  next: "connect" | "running" | "started" | "manual",
  why?: string,
): MCPConnectionError {
  const state = why ?? (slot.state === "reconnecting" ? "it is reconnecting" : `it is ${slot.state}`);
  const last = slot.lastError ? ` Last error: ${slot.lastError.message}` : "";
  const hint = {
    connect: " Call connect() first.",
    running: " A reconnect is in progress; try again shortly.",
    started: " A reconnect has been started; try again shortly, or call reconnectFailedServers().",
    manual: " Call reconnectFailedServers() to try again.",
  }[next];
  return new MCPConnectionError(
    `Cannot ${operation}: server "${slot.name}" is not connected (${state}); nothing was sent.${hint}${last}`,
    {
      code: "NOT_CONNECTED",
      serverName: slot.name,
      transportType: slot.config.type,
      cause: slot.lastError,
      context: { state: slot.state, reconnectAttempts: slot.attempts },
    },
  );
}

/** A call before connect() (or after disconnect()). */
export function multiNotConnected(operation: string, slot: SlotView): MCPConnectionError {
  return new MCPConnectionError(
    `Cannot ${operation}: the MultiMCPClient is not connected. Call connect() first.`,
    {
      code: "NOT_CONNECTED",
      serverName: slot.name,
      transportType: slot.config.type,
    },
  );
}

/** A server name that is not in the config. */
export function unknownServer(server: string, names: readonly string[]): MCPError {
  return new MCPErrorClass(`Server "${server}" is not configured.${suggestNames(server, names)}`, {
    code: "NOT_FOUND",
    context: { server, servers: [...names] },
  });
}

/** A URI no connected server lists and no template matches. */
export function resourceNotFound(uri: string, available: readonly string[]): MCPError {
  return new MCPErrorClass(
    `Resource "${uri}" is not listed by any connected server and matches no resource template.${suggestNames(uri, available)} Pass { server } to read it from a specific server.`,
    {
      code: "NOT_FOUND",
      context: { uri, availableResources: available.slice(0, MAX_NAMES_IN_ERROR_CONTEXT) },
    },
  );
}

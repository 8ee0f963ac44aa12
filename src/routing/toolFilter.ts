/**
 * The one tool filter of both clients (MCPClient and MultiMCPClient): `allowed_tools` and
 * `exclude_tools` may name a tool raw (`a.b`), prefixed (`mcp__srv__a.b`) or by its routed name
 * (`mcp__srv__a_b`, sanitised as `prefixedName` makes it), so one config filters the same way under
 * either client.
 */
import { NAME_PREFIX, prefixedName } from "./routedNames.js";

/** True when `name` (raw, `mcp__{server}__{raw}` or the routed form) is listed. */
export function nameListed(list: readonly string[], server: string, raw: string): boolean {
  return (
    list.includes(raw) ||
    list.includes(`${NAME_PREFIX}${server}__${raw}`) ||
    list.includes(prefixedName(server, raw))
  );
}

export interface ToolFilterLists {
  /** The server's own `allowed_tools`; when given (even empty) it replaces the client-level list. */
  serverAllowed: readonly string[] | undefined;
  serverExcluded: readonly string[];
  clientAllowed: readonly string[] | undefined;
  clientExcluded: readonly string[];
}

/**
 * The tool filter of one server: exclusions (the server's and the client's) first, then the server's
 * allow-list if it has one (even empty), else the client's; each list matches a tool by its raw,
 * prefixed or routed name (`nameListed`).
 */
export function toolFilter(server: string, lists: ToolFilterLists): (raw: string) => boolean {
  const excluded = [...lists.serverExcluded, ...lists.clientExcluded];
  const allowed = lists.serverAllowed ?? lists.clientAllowed;
  return (raw) => {
    if (excluded.length > 0 && nameListed(excluded, server, raw)) return false;
    return allowed === undefined || nameListed(allowed, server, raw);
  };
}

/** The filter lists of a server config: its own `allowed_tools` and `exclude_tools`. */
export interface ServerToolLists {
  readonly allowedTools: readonly string[] | undefined;
  readonly excludeTools: readonly string[];
}

/** The client-level filter lists (`MCPClientOptions`, `MultiMCPClientOptions`). */
export interface ClientToolLists {
  readonly allowedTools?: readonly string[] | undefined;
  readonly excludeTools?: readonly string[] | undefined;
}

/**
 * The filter both clients apply to a server's `tools/list`: `toolFilter` over the server's lists
 * and the client's, by raw tool name.
 */
export function configuredToolFilter(
  server: string,
  config: ServerToolLists,
  client: ClientToolLists,
): (raw: string) => boolean {
  return toolFilter(server, {
    serverAllowed: config.allowedTools,
    serverExcluded: config.excludeTools,
    clientAllowed: client.allowedTools,
    clientExcluded: client.excludeTools ?? [],
  });
}

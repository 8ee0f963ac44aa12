/**
 * The server list of a MultiMCPClient in the shapes users already have: a list of configs (seed,
 * MassGen `mcp_servers` list), a `{ name: config }` map (MassGen map form), or
 * `{ mcpServers: { … } }` (Claude Desktop / Cursor / Claude Code). Every config is validated before
 * anything starts, duplicate names included, and every problem is reported at once with its path
 * (`servers[2].command`, `mcpServers.github.url`).
 */
import { type KeyPath, renderKeyPath } from "../common/keyPath.js";
import type { ConfigIssue } from "../errors/errors.js";
import { configurationError, prefixIssues } from "./issues.js";
import { findingIssue, isPlainObject, snapshotConfig } from "./keys.js";
import { checkServerConfig, isValidatedConfig } from "./serverConfig.js";
import type { ServerConfig, ServerConfigInput } from "./types.js";

/** What `new MultiMCPClient(…)` accepts. */
export type ServerConfigsInput =
  | ReadonlyArray<ServerConfigInput | ServerConfig>
  | Readonly<Record<string, ServerConfigInput>>
  | {
      mcpServers:
        Readonly<Record<string, ServerConfigInput>> | ReadonlyArray<ServerConfigInput | ServerConfig>;
    };

export interface ServerConfigsCheck {
  /** The validated configs in order, present when there are no issues. */
  configs?: ServerConfig[];
  issues: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** The keys that wrap a server list: `{ mcpServers: … }` (Claude, Cursor), `{ mcp_servers: … }` (MassGen). */
export const SERVER_LIST_KEYS = ["mcpServers", "mcp_servers"] as const;

/** One entry of a server list or map. */
export interface ServerListEntry {
  /** Where it is (`["servers", 2]`, `["mcpServers", "github"]`). */
  path: KeyPath;
  raw: unknown;
  /** The name the entry's map key gives it, for a `{ name: config }` map. */
  key?: string;
}

/**
 * The entries of a server collection at `path`: a list of configs (by index) or a `{ name: config }`
 * map (by key, which names the server). Undefined for anything else. Both the in-memory server
 * list (`checkServerConfigs`) and config files (`loadConfig`) read their servers through it.
 */
export function serverListEntries(collection: unknown, path: KeyPath): ServerListEntry[] | undefined {
  if (Array.isArray(collection)) return collection.map((raw, index) => ({ path: [...path, index], raw }));
  if (!isPlainObject(collection)) return undefined;
  return Object.entries(collection).map(([key, raw]) => ({ path: [...path, key], raw, key }));
}

/**
 * The one duplicate-name check of a server list: remembers the first entry of each name. `claim`
 * returns what an earlier entry registered under `name` (then this one is a duplicate), else
 * registers `first` and returns undefined.
 */
export class ServerNames<T> {
  private readonly firsts = new Map<string, T>();

  claim(name: string, first: T): T | undefined {
    const earlier = this.firsts.get(name);
    if (earlier === undefined) this.firsts.set(name, first);
    return earlier;
  }
}

/** The issue of a second server named `name`, at `path`; `earlier` is where the first one is. */
export function duplicateNameIssue(name: string, path: string, earlier: string): ConfigIssue {
  return {
    path,
    message: `duplicate server name "${name}" (${earlier} has it already); names must be unique because they prefix tool names`,
    rule: "config.duplicateName",
  };
}

interface Entry {
  path: string;
  raw: unknown;
  /** The name the entry's position gives it (map key), if any. */
  keyName?: string | undefined;
}

function entriesOf(input: unknown, issues: ConfigIssue[], warnings: ConfigIssue[]): Entry[] {
  const rendered = (entries: ServerListEntry[]): Entry[] =>
    entries.map((entry) => ({ path: renderKeyPath(entry.path), raw: entry.raw, keyName: entry.key }));
  if (Array.isArray(input)) return rendered(serverListEntries(input, ["servers"]) ?? []);
  if (!isPlainObject(input)) {
    issues.push({
      path: "servers",
      message:
        "expected a list of server configs, a { name: config } map, or { mcpServers: { name: config } }",
      rule: "config.type",
    });
    return [];
  }
  const wrapperKey = SERVER_LIST_KEYS.find((key) => Object.hasOwn(input, key));
  if (wrapperKey === undefined) return rendered(serverListEntries(input, []) ?? []);
  for (const key of Object.keys(input)) {
    if (key !== wrapperKey) {
      warnings.push({
        path: key,
        message: `key "${key}" next to ${wrapperKey} is ignored`,
        rule: "config.unknownKey",
      });
    }
  }
  const inner = serverListEntries(input[wrapperKey], [wrapperKey]);
  if (inner === undefined) {
    issues.push({
      path: wrapperKey,
      message: `${wrapperKey} must be a { name: config } map or a list of server configs`,
      rule: "config.type",
    });
    return [];
  }
  return rendered(inner);
}

/** Checks every server config and the names across them. Never throws. */
export function checkServerConfigs(input: unknown): ServerConfigsCheck {
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  // One snapshot of the input (validated configs are kept as they are): what it refused (a server
  // named `__proto__` included) is reported once here; the configs are then checked on our copy.
  const scan = snapshotConfig(input, { keep: isValidatedConfig });
  const base = Array.isArray(input) ? ["servers"] : [];
  for (const finding of scan.findings) issues.push(findingIssue(finding, base));
  const entries = entriesOf(scan.value, issues, warnings);
  if (issues.length === 0 && entries.length === 0) {
    issues.push({
      path: "servers",
      message: "no servers are configured; add at least one",
      rule: "config.empty",
    });
  }
  const configs: ServerConfig[] = [];
  const names = new ServerNames<{ path: string }>();
  for (const entry of entries) {
    let raw = entry.raw;
    if (entry.keyName !== undefined && !isValidatedConfig(raw)) {
      if (!isPlainObject(raw)) {
        issues.push({ path: entry.path, message: "a server config must be an object", rule: "config.type" });
        continue;
      }
      const inner = raw.name;
      if (inner !== undefined && inner !== entry.keyName) {
        warnings.push({
          path: renderKeyPath(["name"], entry.path),
          message: `name ${JSON.stringify(inner)} is ignored: the key ${JSON.stringify(entry.keyName)} names this server`,
          rule: "config.ignoredKey",
        });
      }
      raw = { ...raw, name: entry.keyName };
    }
    const checked = checkServerConfig(raw);
    issues.push(...prefixIssues(checked.issues, entry.path));
    warnings.push(...prefixIssues(checked.warnings, entry.path));
    const name =
      checked.config?.name ??
      (isPlainObject(raw) && typeof raw.name === "string" ? raw.name.trim() : undefined);
    if (name !== undefined && name !== "") {
      const earlier = names.claim(name, { path: entry.path });
      if (earlier !== undefined)
        issues.push(duplicateNameIssue(name, renderKeyPath(["name"], entry.path), earlier.path));
    }
    if (checked.config) configs.push(checked.config);
  }
  return issues.length > 0 ? { issues, warnings } : { configs, issues, warnings };
}

/**
 * Validates the server list and returns the normalised configs in order.
 * @throws MCPConfigurationError listing every problem (with paths) when any config is invalid or two
 *   servers share a name. Nothing is started.
 */
export function parseServerConfigs(input: unknown): { configs: ServerConfig[]; warnings: ConfigIssue[] } {
  const { configs, issues, warnings } = checkServerConfigs(input);
  if (!configs || issues.length > 0) throw configurationError("MultiMCPClient servers", issues, warnings);
  return { configs, warnings };
}

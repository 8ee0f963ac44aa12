/**
 * The server list of a MultiMCPClient in the shapes users already have: a list of configs (seed,
 * MassGen `mcp_servers` list), a `{ name: config }` map (MassGen map form), or
 * `{ mcpServers: { … } }` (Claude Desktop / Cursor / Claude Code). Every config is validated before
 * anything starts, duplicate names included, and every problem is reported at once with its path
 * (`servers[2].command`, `mcpServers.github.url`).
 */
import { renderKeyPath } from "../common/keyPath.js";
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

/** `servers[2]`, `mcpServers.github`, `mcpServers["my.server"]`. */
function childPath(parent: string, key: string | number): string {
  return renderKeyPath([key], parent);
}

interface Entry {
  path: string;
  raw: unknown;
  /** The name the entry's position gives it (map key), if any. */
  keyName?: string;
}

function entriesOf(input: unknown, issues: ConfigIssue[], warnings: ConfigIssue[]): Entry[] {
  if (Array.isArray(input)) return input.map((raw, index) => ({ path: childPath("servers", index), raw }));
  if (!isPlainObject(input)) {
    issues.push({
      path: "servers",
      message:
        "expected a list of server configs, a { name: config } map, or { mcpServers: { name: config } }",
      rule: "config.type",
    });
    return [];
  }
  const wrapperKey = ["mcpServers", "mcp_servers"].find((key) => Object.hasOwn(input, key));
  if (wrapperKey !== undefined) {
    for (const key of Object.keys(input)) {
      if (key !== wrapperKey) {
        warnings.push({
          path: key,
          message: `key "${key}" next to ${wrapperKey} is ignored`,
          rule: "config.unknownKey",
        });
      }
    }
    const inner = input[wrapperKey];
    if (Array.isArray(inner)) return inner.map((raw, index) => ({ path: childPath(wrapperKey, index), raw }));
    if (!isPlainObject(inner)) {
      issues.push({
        path: wrapperKey,
        message: `${wrapperKey} must be a { name: config } map or a list of server configs`,
        rule: "config.type",
      });
      return [];
    }
    return Object.entries(inner).map(([key, raw]) => ({
      path: childPath(wrapperKey, key),
      raw,
      keyName: key,
    }));
  }
  return Object.entries(input).map(([key, raw]) => ({ path: childPath("", key), raw, keyName: key }));
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
  const firstPathOf = new Map<string, string>();
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
          path: childPath(entry.path, "name"),
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
      const first = firstPathOf.get(name);
      if (first !== undefined) {
        issues.push({
          path: childPath(entry.path, "name"),
          message: `duplicate server name "${name}" (${first} has it already); names must be unique because they prefix tool names`,
          rule: "config.duplicateName",
        });
      } else {
        firstPathOf.set(name, entry.path);
      }
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

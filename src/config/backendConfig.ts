import type { ConfigIssue } from "../errors/errors.js";
import { MCPConfigurationError } from "../errors/errors.js";
import { configurationError, prefixIssues } from "./issues.js";
import { findingIssue, isPlainObject, snapshotConfig } from "./keys.js";
import { loadDocument } from "./loadConfig.js";
import { objectDocument } from "./sourceDocument.js";
import type { ServerConfig } from "./types.js";

/** A MassGen backend config whose `mcp_servers` have been validated into a list. */
export type ValidatedBackendConfig = Record<string, unknown> & { mcp_servers?: ServerConfig[] };

/** Validates one backend section; returns issues instead of throwing so callers can aggregate. */
function checkBackend(
  backend: unknown,
  prefix: string,
): { value?: ValidatedBackendConfig; issues: ConfigIssue[] } {
  if (!isPlainObject(backend)) {
    return {
      issues: [{ path: prefix, message: "backend configuration must be a mapping", rule: "config.schema" }],
    };
  }
  const servers = backend.mcp_servers ?? backend.mcpServers;
  const hasFilters = ["allowed_tools", "exclude_tools", "allowedTools", "excludeTools"].some(
    (k) => backend[k] !== undefined,
  );
  if ((servers === undefined || (Array.isArray(servers) && servers.length === 0)) && !hasFilters) {
    return { value: { ...backend }, issues: [] };
  }
  if (servers !== undefined && !Array.isArray(servers) && !isPlainObject(servers)) {
    return {
      issues: [
        {
          path: `${prefix ? `${prefix}.` : ""}mcp_servers`,
          message: "mcp_servers must be a list or a mapping of name → server",
          rule: "config.schema",
        },
      ],
    };
  }
  try {
    const loaded = loadDocument(
      objectDocument({ mcp_servers: servers ?? [], ...pickFilters(backend) }),
      undefined,
    );
    const { mcpServers: _camel, ...rest } = backend;
    return { value: { ...rest, mcp_servers: loaded.servers }, issues: [] };
  } catch (error) {
    if (!(error instanceof MCPConfigurationError)) throw error;
    return { issues: prefixIssues(error.issues, prefix) };
  }
}

/**
 * The one snapshot of the input, and its refusals anywhere in it: the whole value is handed back
 * (with `mcp_servers` validated), so every part of it counts. The copy has ordinary prototypes.
 */
function snapshotWhole(input: unknown): { value: unknown; issues: ConfigIssue[] } {
  const { value, findings } = snapshotConfig(input, { ordinary: true });
  return { value, issues: findings.map((finding) => findingIssue(finding)) };
}

function pickFilters(backend: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ["allowed_tools", "exclude_tools", "allowedTools", "excludeTools"]) {
    if (backend[key] !== undefined) out[key] = backend[key];
  }
  return out;
}

/**
 * MassGen's `validate_backend_mcp_config`: validates `backend.mcp_servers` (a list, or a map whose keys
 * become the names), rejects duplicate names and checks the backend-level `allowed_tools` /
 * `exclude_tools`. Returns a copy with `mcp_servers` replaced by the validated list; a backend without
 * servers is returned unchanged.
 * @throws MCPConfigurationError listing every problem (with `mcp_servers[i]…` paths).
 */
export function validateBackendMcpConfig(input: unknown): ValidatedBackendConfig {
  const { value: backend, issues: refused } = snapshotWhole(input);
  const { value, issues: found } = checkBackend(backend, "");
  const issues = [...refused, ...found];
  if (issues.length > 0 || !value) throw configurationError("backend config", issues);
  return value;
}

/**
 * MassGen's `validate_mcp_integration`: validates every agent's backend (`agents` as a list or a map),
 * or a single config with `mcp_servers` (or a `backend` holding them). Returns the config with each
 * `mcp_servers` validated.
 * @throws MCPConfigurationError listing every problem across all agents.
 */
export function validateMcpIntegration(input: unknown): Record<string, unknown> {
  const { value: config, issues: refused } = snapshotWhole(input);
  if (!isPlainObject(config)) {
    throw configurationError("config", [
      { path: "", message: "configuration must be a mapping", rule: "config.schema" },
    ]);
  }
  const issues: ConfigIssue[] = [...refused];
  const result: Record<string, unknown> = { ...config };
  const agents = config.agents;
  if (agents !== undefined) {
    const checkAgent = (agent: unknown, label: string, path: string): unknown => {
      if (!isPlainObject(agent)) {
        issues.push({
          path,
          message: `agent ${label} configuration must be a mapping`,
          rule: "config.schema",
        });
        return agent;
      }
      if (agent.backend === undefined) return agent;
      const checked = checkBackend(agent.backend, `${path}.backend`);
      issues.push(...checked.issues);
      return checked.value ? { ...agent, backend: checked.value } : agent;
    };
    if (Array.isArray(agents)) {
      result.agents = agents.map((agent, i) => checkAgent(agent, `at index ${i}`, `agents[${i}]`));
    } else if (isPlainObject(agents)) {
      result.agents = Object.fromEntries(
        Object.entries(agents).map(([id, agent]) => [id, checkAgent(agent, `"${id}"`, `agents.${id}`)]),
      );
    } else {
      issues.push({ path: "agents", message: "agents must be a list or a mapping", rule: "config.schema" });
    }
  } else if (isPlainObject(config.backend)) {
    const checked = checkBackend(config.backend, "backend");
    issues.push(...checked.issues);
    if (checked.value) result.backend = checked.value;
  } else if (config.mcp_servers !== undefined || config.mcpServers !== undefined) {
    const checked = checkBackend(config, "");
    issues.push(...checked.issues);
    if (checked.value && issues.length === 0) return checked.value;
  }
  if (issues.length > 0) throw configurationError("MCP integration config", issues);
  return result;
}

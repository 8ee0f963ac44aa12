import type { ConfigIssue } from "../errors/errors.js";
import { MCPConfigurationError } from "../errors/errors.js";
import { checkServerConfig } from "./serverConfig.js";
import type { ServerConfig } from "./types.js";

/** Formats issues as an indented list: `  - env.PATH: … (rule env.denylist)`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => {
      const where = [issue.file, issue.line === undefined ? undefined : `line ${issue.line}`]
        .filter(Boolean)
        .join(":");
      const location = where ? ` [${where}]` : "";
      const rule = issue.rule && !issue.message.includes(issue.rule) ? ` (rule ${issue.rule})` : "";
      return `  - ${issue.path || "(config)"}: ${issue.message}${rule}${location}`;
    })
    .join("\n");
}

/** Prefixes every issue path, e.g. with `servers[2]` or `mcpServers.github`. */
export function prefixIssues(issues: readonly ConfigIssue[], prefix: string): ConfigIssue[] {
  if (!prefix) return [...issues];
  return issues.map((issue) => ({ ...issue, path: issue.path ? `${prefix}.${issue.path}` : prefix }));
}

/** Builds the error that lists every problem at once. */
export function configurationError(
  subject: string,
  issues: readonly ConfigIssue[],
  warnings: readonly ConfigIssue[] = [],
  extra: { serverName?: string; configFile?: string; code?: "CONFIG_INVALID" | "ENV_VAR_MISSING" } = {},
): MCPConfigurationError {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return new MCPConfigurationError(
    `Invalid config for ${subject}: ${count}. Nothing was started.\n${formatIssues(issues)}`,
    {
      issues: [...issues],
      warnings: [...warnings],
      serverName: extra.serverName,
      configFile: extra.configFile,
      code: extra.code ?? "CONFIG_INVALID",
      context: { issueCount: issues.length, rules: [...new Set(issues.map((i) => i.rule).filter(Boolean))] },
    },
  );
}

function describeServer(raw: unknown): { subject: string; serverName?: string } {
  const name = typeof raw === "object" && raw !== null ? (raw as { name?: unknown }).name : undefined;
  return typeof name === "string" && name.trim()
    ? { subject: `server "${name}"`, serverName: name }
    : { subject: "server (no name)" };
}

/**
 * Validation of server configs: every key of the seed's config (snake_case or camelCase), the
 * security policy, and all problems reported at once. Nothing is spawned or connected here.
 */
export class MCPConfigValidator {
  /**
   * Validates one server config and returns the normalised, typed config.
   * @throws MCPConfigurationError listing every problem with its key path (env and header values never appear).
   */
  static validateServerConfig(raw: unknown): ServerConfig {
    const { config, issues, warnings } = checkServerConfig(raw);
    if (config && issues.length === 0) return config;
    const { subject, serverName } = describeServer(raw);
    throw configurationError(subject, issues, warnings, serverName === undefined ? {} : { serverName });
  }

  /** Like `validateServerConfig` but never throws: returns the config (if valid), issues and warnings. */
  static checkServerConfig(raw: unknown): ReturnType<typeof checkServerConfig> {
    return checkServerConfig(raw);
  }
}

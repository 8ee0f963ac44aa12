import { joinKeyPath } from "../common/keyPath.js";
import type { ConfigIssue } from "../errors/errors.js";
import { MCPConfigurationError, sanitizeIssue } from "../errors/errors.js";

/** Formats issues as an indented list: `  - env.PATH: … (rule env.denylist)`. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues
    .map((issue) => {
      const where = issue.file
        ? `${issue.file}${issue.line === undefined ? "" : `:${issue.line}`}`
        : issue.line === undefined
          ? ""
          : `line ${issue.line}`;
      const location = where ? ` (${where})` : "";
      const rule = issue.rule && !issue.message.includes(issue.rule) ? ` (rule ${issue.rule})` : "";
      return `  - ${issue.path || "(config)"}: ${issue.message}${rule}${location}`;
    })
    .join("\n");
}

/**
 * Prefixes every issue path, e.g. with `servers[2]` or `mcpServers.github`. The issues come out
 * sanitized (`sanitizeIssue`): prefixed issues are the ones handed back with a valid config as
 * warnings, and their paths quote keys of untrusted configs.
 */
export function prefixIssues(issues: readonly ConfigIssue[], prefix: string): ConfigIssue[] {
  if (!prefix) return issues.map(sanitizeIssue);
  return issues.map((issue) => sanitizeIssue({ ...issue, path: joinKeyPath(prefix, issue.path) }));
}

/** Issues fit for returning to a caller with a valid config (`LoadedConfig.warnings`, …): see `sanitizeIssue`. */
export function sanitizeIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return issues.map(sanitizeIssue);
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

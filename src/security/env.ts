/**
 * Environment variables of stdio servers: the config-time check of `env` and the environment the
 * child process actually gets.
 *
 * Issues name variables but never contain their values. Unlike MassGen, which refused them: `&`, `;`, `|`
 * and any number of `${VAR}` references are allowed in values (values are never shell-interpreted);
 * only NUL and command-substitution patterns are refused.
 */
import { describeType } from "../common/guards.js";
import { renderKeyPath } from "../common/keyPath.js";
import type { ConfigIssue } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import { DEFAULT_DENIED_ENV_VARS, MAX_ENV_KEY_LENGTH, MAX_ENV_VALUE_LENGTH } from "./defaults.js";
import type { EnvPolicy } from "./types.js";

/** Variables a child inherits from the parent on POSIX systems (as the MCP SDK does). */
export const INHERITED_ENV_VARS_POSIX: readonly string[] = Object.freeze([
  "HOME",
  "LOGNAME",
  "PATH",
  "SHELL",
  "TERM",
  "USER",
]);

/** Variables a child inherits from the parent on Windows (the MCP SDK's list plus PROGRAMFILES). */
export const INHERITED_ENV_VARS_WINDOWS: readonly string[] = Object.freeze([
  "APPDATA",
  "HOMEDRIVE",
  "HOMEPATH",
  "LOCALAPPDATA",
  "PATH",
  "PATHEXT",
  "PROCESSOR_ARCHITECTURE",
  "SYSTEMDRIVE",
  "SYSTEMROOT",
  "TEMP",
  "USERNAME",
  "USERPROFILE",
  "PROGRAMFILES",
]);

/** `env.NAME`, or `env["odd name"]` when the name has other characters; long names are cut. */
function envPath(name: string): string {
  return renderKeyPath(["env", name]);
}

/**
 * Checks a stdio server's `env` map against the policy. Returns every problem found; messages and
 * paths contain variable names only, never values. `undefined`/`null` mean "no env".
 */
export function checkEnv(env: unknown, policy: EnvPolicy): ConfigIssue[] {
  if (env === undefined || env === null) return [];
  if (typeof env !== "object" || Array.isArray(env)) {
    return [
      issue(
        "env",
        "env.type",
        `\`env\` must be a map of variable names to string values, not ${describeType(env, "a list")} (rule env.type).`,
      ),
    ];
  }
  const issues: ConfigIssue[] = [];
  const allowlist = policy.mode === "allowlist";
  const allowed = new Set(policy.allowedVars.map((n) => n.toUpperCase()));
  const denied = new Set(
    (policy.deniedVars ?? DEFAULT_DENIED_ENV_VARS[policy.level] ?? []).map((n) => n.toUpperCase()),
  );

  for (const [name, value] of Object.entries(env as Record<string, unknown>)) {
    const path = envPath(name);
    if (name === "" || name.includes("=") || name.includes("\0")) {
      issues.push(
        issue(
          path,
          "env.name",
          "Environment variable names must be non-empty and cannot contain '=' or NUL (rule env.name).",
        ),
      );
    } else if (name.length > MAX_ENV_KEY_LENGTH) {
      issues.push(
        issue(
          path,
          "env.length",
          `Environment variable name is ${name.length} characters long; the limit is ${MAX_ENV_KEY_LENGTH} (rule env.length).`,
        ),
      );
    } else {
      const upper = name.toUpperCase();
      if (allowlist) {
        if (allowed.size > 0 && !allowed.has(upper)) {
          issues.push(
            issue(
              path,
              "env.allowlist",
              `Environment variable "${name}" is not in security.env.allowed_vars (rule env.allowlist). ` +
                "Add it there, or remove it from `env`.",
            ),
          );
        }
      } else if (denied.has(upper)) {
        const source =
          policy.deniedVars === undefined
            ? `the default deny-list of security level "${policy.level}"`
            : "security.env.denied_vars";
        issues.push(
          issue(
            path,
            "env.denylist",
            `Environment variable "${name}" is in ${source} (rule env.denylist): it can change which code ` +
              "the server runs. Remove it from `env`; if you must set it, replace the list with " +
              "security.env.denied_vars or use security.env.mode: allowlist.",
          ),
        );
      }
    }

    if (typeof value !== "string") {
      issues.push(
        issue(
          path,
          "env.type",
          `The value of environment variable "${name}" must be a string, not ${describeType(value, "a list")} (rule env.type). Quote it in YAML.`,
        ),
      );
      continue;
    }
    if (value.length > MAX_ENV_VALUE_LENGTH) {
      issues.push(
        issue(
          path,
          "env.length",
          `The value of environment variable "${name}" is ${value.length} characters long; the limit is ` +
            `${MAX_ENV_VALUE_LENGTH} (rule env.length). Pass large data through a file.`,
        ),
      );
    }
    const pattern = value.includes("\0")
      ? "a NUL character"
      : value.includes("$(")
        ? "a command substitution '$('"
        : value.includes("`")
          ? "a backtick"
          : undefined;
    if (pattern !== undefined) {
      issues.push(
        issue(
          path,
          "env.valuePattern",
          `The value of environment variable "${name}" contains ${pattern} (rule env.valuePattern). ` +
            "Values are passed as they are, never through a shell; remove it.",
        ),
      );
    }
  }
  return issues;
}

/**
 * The environment a stdio server is started with: a few safe variables inherited from the parent
 * (POSIX: HOME, LOGNAME, PATH, SHELL, TERM, USER; Windows: see `INHERITED_ENV_VARS_WINDOWS`),
 * then the configured `env`, which wins. Nothing else from the parent is passed on, so the
 * parent's secrets do not leak into servers. Inherited values that start with `()` (exported bash
 * functions) are skipped. On Windows names are matched case-insensitively.
 */
export function buildChildEnvironment(
  configured: Readonly<Record<string, string>>,
  parentEnv: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
): Record<string, string> {
  const windows = platform === "win32";
  const result: Record<string, string> = {};
  const names = windows ? INHERITED_ENV_VARS_WINDOWS : INHERITED_ENV_VARS_POSIX;
  const parentByUpper = new Map<string, string | undefined>();
  if (windows) {
    for (const [name, value] of Object.entries(parentEnv)) {
      const upper = name.toUpperCase();
      if (!parentByUpper.has(upper)) parentByUpper.set(upper, value);
    }
  }
  for (const name of names) {
    const value = windows ? parentByUpper.get(name) : parentEnv[name];
    if (value === undefined || value.startsWith("()")) continue;
    setOwn(result, name, value);
  }
  for (const [name, value] of Object.entries(configured)) {
    if (windows) {
      const upper = name.toUpperCase();
      for (const existing of Object.keys(result)) {
        if (existing.toUpperCase() === upper) delete result[existing];
      }
    }
    setOwn(result, name, value);
  }
  return result;
}

/** Assigns as an own property even for the name `__proto__`. */
function setOwn(target: Record<string, string>, name: string, value: string): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

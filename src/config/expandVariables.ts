import { setOwn } from "../common/objects.js";
import type { ConfigIssue } from "../errors/errors.js";
import { registerSecret } from "../errors/knownSecrets.js";

/**
 * `${VAR}`, `${VAR:-default}` and `${env:VAR}` (VS Code / Cursor spelling). Names follow POSIX rules.
 * Unlike Claude Code, an unset variable without a default is an error, never left as literal text.
 */
const REFERENCE = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type Environment = Readonly<Record<string, string | undefined>>;

/** The outcome of expanding one string: the text, or the variables that were missing. */
export interface Expansion {
  value: string;
  missing: string[];
}

/**
 * Expands the references in one string. A variable that is unset or empty uses its default, if any.
 * Values of secret-looking variables are registered as known secrets (`registerSecret`).
 */
export function expandString(text: string, env: Environment = process.env): Expansion {
  const missing: string[] = [];
  if (!text.includes("${")) return { value: text, missing };
  const value = text.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
    const found = variable(env, name);
    if (found !== undefined && found !== "") {
      // A server may echo what it was sent: the value is hidden in every message from now on (when
      // the variable's name or the value looks like a credential; `${HOME}` stays visible).
      registerSecret(found, { name });
      return found;
    }
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return "";
  });
  return { value, missing };
}

/**
 * The value of one variable. `${toString}` or `${__proto__}` must not find a member every object
 * inherits: only own string values count (process.env holds only those, and looks names up itself,
 * case-insensitively on Windows).
 */
function variable(env: Environment, name: string): string | undefined {
  const value = env === process.env || Object.hasOwn(env, name) ? env[name] : undefined;
  return typeof value === "string" ? value : undefined;
}

/** True when the string holds at least one `${…}` reference. */
export function hasReference(text: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(text);
}

/**
 * Expands every string in a list or map. Missing variables become issues at `path[i]` / `path.KEY`
 * that name the variable (never a value), so one error can list all of them.
 */
export function expandAll<T extends readonly string[] | Readonly<Record<string, string>>>(
  input: T,
  path: string,
  issues: ConfigIssue[],
  env: Environment = process.env,
): T {
  const report = (where: string, missing: string[]) => {
    for (const name of missing) {
      issues.push({
        path: where,
        message: `environment variable "${name}" is not set; export it or write \${${name}:-default}`,
        rule: "env.unsetVariable",
      });
    }
  };
  if (Array.isArray(input)) {
    return input.map((item: string, i: number) => {
      const { value, missing } = expandString(item, env);
      report(`${path}[${i}]`, missing);
      return value;
    }) as unknown as T;
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(input as Record<string, string>)) {
    const { value, missing } = expandString(item, env);
    report(`${path}.${key}`, missing);
    setOwn(out, key, value);
  }
  return out as T;
}

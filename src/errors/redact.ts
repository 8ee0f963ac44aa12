/**
 * Redaction of secrets in error contexts, logs and JSON output.
 *
 * MassGen redacted only top-level keys whose name looked secret and stringified everything else,
 * so whole server configs (env values, Authorization headers) ended up in logs (reference §8.7).
 * Here the walk is deep, and two kinds of values are always hidden:
 * - any value under a key whose name has a secret-looking word in it (token, secret, password, …);
 * - every value of a map stored under `env` or `headers` (their keys stay visible, which is what a
 *   reader needs to find the problem).
 */

export const REDACTED = "[REDACTED]";

const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "token",
  "secret",
  "key",
  "apikey",
  "auth",
  "authorization",
  "credential",
  "credentials",
  "cookie",
  "bearer",
  "jwt",
  "pem",
]);

const VALUE_MAP_KEYS = new Set(["env", "headers", "requestheaders", "environment"]);

const MAX_DEPTH = 8;
const MAX_STRING = 2_000;

/** Splits `apiKey`, `api_key`, `x-api-key`, `API_KEY` into lower-case words. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** True when a key name looks like it holds a secret (`accessToken`, `client_secret`, `x-api-key`). */
export function isSecretKey(name: string): boolean {
  const parts = words(name);
  if (parts.some((p) => SECRET_WORDS.has(p))) return true;
  // `apikey`, `accesstoken` written as one word.
  const joined = parts.join("");
  return /(password|token|secret|apikey|credential)/.test(joined);
}

/**
 * Returns a JSON-safe deep copy of `value` with secrets replaced by `[REDACTED]`.
 * Cycles, functions and very deep structures are cut, so the result can always be serialised.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "string") return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return redactUrl(value.href);
  if (typeof value !== "object") return String(value);
  if (depth >= MAX_DEPTH) return "[…]";
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (value instanceof Map) return redactValue(Object.fromEntries(value), depth, seen);
  if (value instanceof Set) return redactValue([...value], depth, seen);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (isSecretKey(key)) {
      out[key] = REDACTED;
    } else if (VALUE_MAP_KEYS.has(key.toLowerCase()) && child !== null && typeof child === "object") {
      out[key] = Object.fromEntries(Object.keys(child).map((k) => [k, REDACTED]));
    } else if (key === "url" && typeof child === "string") {
      out[key] = redactUrl(child);
    } else {
      const copy = redactValue(child, depth + 1, seen);
      if (copy !== undefined) out[key] = copy;
    }
  }
  return out;
}

/** Hides userinfo and secret-looking query parameters in a URL string. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  if (url.username || url.password) {
    url.username = url.username ? REDACTED : "";
    url.password = url.password ? REDACTED : "";
  }
  for (const name of [...url.searchParams.keys()]) {
    if (isSecretKey(name)) url.searchParams.set(name, REDACTED);
  }
  return url.href;
}

/** Token formats that are secrets wherever they appear (GitHub, OpenAI/Anthropic, Slack, AWS, Google, JWT). */
const TOKEN_SHAPES =
  /\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g;
/** A value that is still an unexpanded `${VAR}` reference shows where the secret comes from, not the secret. */
const VARIABLE_REFERENCE = /^\$\{[^}]+\}$/;

function hideValue(value: string): string {
  return VARIABLE_REFERENCE.test(value) ? value : REDACTED;
}

function redactArgument(arg: string): string {
  // `--api-key=x`, `API_KEY=x` (docker -e, env-style arguments).
  const assignment = /^(-{0,2}[A-Za-z_][\w.-]*)=(.*)$/s.exec(arg);
  if (assignment && isSecretKey(assignment[1]!.replace(/^-+/, ""))) {
    return `${assignment[1]}=${hideValue(assignment[2]!)}`;
  }
  // `Authorization: Bearer x` (mcp-remote --header, curl -H).
  const header = /^([A-Za-z][\w-]*):\s*(.*)$/s.exec(arg);
  if (header && !header[2]!.startsWith("//") && isSecretKey(header[1]!)) {
    return `${header[1]}: ${hideValue(header[2]!)}`;
  }
  const withoutUrlSecrets = arg.includes("://")
    ? arg.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s"']+/gi, (url) => redactUrl(url))
    : arg;
  return withoutUrlSecrets.replace(TOKEN_SHAPES, REDACTED);
}

/**
 * A command line fit for display (CLI tables, logs): the value of a secret-looking flag
 * (`--token x`, `--api-key=x`, `--password=…`), of a secret-looking `KEY=value` or `Name: value`
 * argument, URL credentials and well-known token formats (`ghp_…`, `sk-…`, `xoxb-…`, JWTs) are
 * replaced by `[REDACTED]`. An unexpanded `${VAR}` reference is kept: it is not the secret.
 */
export function redactCommandLine(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    out.push(redactArgument(arg));
    const flag = /^-{1,2}([A-Za-z][\w.-]*)$/.exec(arg);
    const next = argv[i + 1];
    if (flag && next !== undefined && !next.startsWith("-") && isSecretKey(flag[1]!)) {
      out.push(hideValue(next));
      i++;
    }
  }
  return out;
}

/** Server-provided text (an HTTP body, a transport's error text) is cut to this many characters. */
export const MAX_SERVER_TEXT = 200;

/**
 * `text` cut to `max` characters for a message: a 5 kB HTML error page is no message, and the full
 * text stays on the error's `cause`.
 */
export function clipText(text: string, max = MAX_SERVER_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

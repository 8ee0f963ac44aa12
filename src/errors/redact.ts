/**
 * Redaction of secrets in error contexts, logs and JSON output.
 *
 * MassGen redacted only top-level keys whose name looked secret and stringified everything else,
 * so whole server configs (env values, Authorization headers) ended up in logs (reference §8.7).
 * Here the walk is deep, and two kinds of values are always hidden:
 * - any value under a key whose name has a secret-looking word in it (token, secret, password, …);
 * - every value of a map stored under `env` or `headers` (their keys stay visible, which is what a
 *   reader needs to find the problem).
 *
 * Free text is treated too (`sanitizeText`, `sanitizeServerText`): a server can echo the request's
 * `Authorization` header in a 401 body, and a hostile one can write terminal escape codes into
 * anything we print. Every string this module hands out — context values, error messages, cause
 * descriptions — has both removed.
 */

import { setOwn } from "../common/objects.js";

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
  if (typeof value === "string") return sanitizeServerText(value, MAX_STRING);
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "function" || typeof value === "symbol") return undefined;
  if (value instanceof Error) return describeError(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof URL) return redactUrl(value.href);
  if (typeof value !== "object") return String(value);
  if (depth >= MAX_DEPTH) return "[…]";
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (value instanceof Map) return redactValue(Object.fromEntries(value), depth, seen);
  if (value instanceof Set) return redactValue([...value], depth, seen);
  // Keys come from outside (configs, server data): `out["__proto__"] = …` would replace the copy's
  // prototype instead of copying the key, so every key is written as an own property.
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (isSecretKey(key)) {
      setOwn(out, key, REDACTED);
    } else if (VALUE_MAP_KEYS.has(key.toLowerCase()) && child !== null && typeof child === "object") {
      setOwn(out, key, Object.fromEntries(Object.keys(child).map((k) => [k, REDACTED])));
    } else if (key === "url" && typeof child === "string") {
      setOwn(out, key, redactUrl(child));
    } else {
      const copy = redactValue(child, depth + 1, seen);
      if (copy !== undefined) setOwn(out, key, copy);
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

/**
 * Token formats that are secrets wherever they appear (GitHub, OpenAI/Anthropic, Slack, AWS, Google,
 * GitLab, Stripe, npm, Hugging Face, JWT).
 */
const TOKEN_SHAPES =
  /\b(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,}|[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g;
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

/**
 * Cause messages in `toJSON()` are cut to this many characters: enough for a JSON-RPC error or the
 * start of an HTTP body (the bound messages use for JSON-RPC error text), while a 5 MB body stays out
 * of logs. The untouched error stays on `cause`.
 */
export const MAX_CAUSE_TEXT = 1_000;
/** A stderr tail quoted in a message keeps its last this many characters (20 lines of 200). */
export const MAX_SERVER_TAIL_TEXT = 4_000;

/**
 * Terminal control sequences: CSI (`ESC [ … final`, colours and cursor moves), OSC (`ESC ] … BEL/ST`:
 * window titles, hyperlinks, clipboard writes), DCS/SOS/PM/APC strings, the other `ESC x` escapes, and
 * their 8-bit C1 forms. Of a string sequence without its terminator only the introducer goes (the
 * last rule and `CONTROL_CHARACTER`): without it the rest is plain text, which is kept. A string's
 * body stops at the next introducer, so the scan stays linear.
 */
const TERMINAL_SEQUENCE = new RegExp(
  [
    String.raw`\x1b\[[0-?]*[ -/]*[@-~]?`,
    String.raw`\x9b[0-?]*[ -/]*[@-~]?`,
    String.raw`\x1b\][^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)`,
    String.raw`\x9d[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)`,
    String.raw`\x1b[PX^_][^\x1b\x90\x98\x9c-\x9f]*(?:\x1b\\|\x9c)`,
    String.raw`[\x90\x98\x9e\x9f][^\x1b\x90\x98\x9c-\x9f]*(?:\x1b\\|\x9c)`,
    String.raw`\x1b[ -/]*[0-~]?`,
  ].join("|"),
  "g",
);
/**
 * Every other C0 and C1 control character (NUL included) except tab and newline, DEL, and the Unicode
 * bidirectional overrides and isolates, which reorder how text is displayed ("Trojan Source").
 */
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
/** Anything `stripControlCharacters` changes (ESC and CR are in the C0 range). */
const ANY_CONTROL = new RegExp(CONTROL_CHARACTER.source);

/**
 * `text` without terminal escape codes and control characters: tab and newline stay (a CR-LF or a
 * lone CR becomes a newline, so a CR cannot move the cursor back over what was printed).
 */
export function stripControlCharacters(text: string): string {
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(/\r\n?/g, "\n").replace(TERMINAL_SEQUENCE, "").replace(CONTROL_CHARACTER, "");
}

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s"'<>`]+/gi;
/** Header lines whose whole value is a credential, as a server echoes them (`Authorization: Basic x`). */
const SECRET_HEADER_LINE =
  /(?<![\w.-])((?:proxy-)?authorization|(?:set-)?cookie|(?:x-)?api-key|x-auth-token|x-access-token|private-token)([ \t]*:[ \t]*)([^\r\n]*)/gi;
/**
 * An HTTP authorization scheme followed by its credential (`Bearer x`, `Basic x`, GitHub's `token x`).
 * Not a scheme word as the credential (`invalid token Bearer x` must reach `Bearer x`), not an
 * auth-param (`Bearer realm="mcp"` of a `WWW-Authenticate` challenge), and not a sentence's full stop.
 */
const AUTH_SCHEME =
  /\b(bearer|basic|token)([ \t]+)(?!(?:bearer|basic|token)\b)([A-Za-z0-9\-._~+/]*[A-Za-z0-9\-_~+/]=*)(?![\w-])/gi;
/**
 * `name=value`, `name: value`, `"name": "value"` (query strings, env assignments, JSON bodies, YAML):
 * the value is hidden when the name looks secret (`isSecretKey`).
 */
const SECRET_ASSIGNMENT =
  /(?<![\w.-])(["']?)(-{0,2}[A-Za-z_][\w.-]{0,127})\1([ \t]*)([:=])([ \t]*)("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|\$\{[^}\n]*\}|[^\s"'&,;<>()[\]{}]+)/g;
/**
 * Text none of the rules below can match (no secret-looking word, URL or token prefix): most messages,
 * which then skip the passes. Must stay a superset of every rule's trigger, `isSecretKey`'s words included.
 */
const MAYBE_SECRET =
  /pass|pwd|token|secret|key|auth|credential|cookie|bearer|basic|jwt|pem|:\/\/|gh[pousr]_|github_pat_|sk-|xox|akia|aiza|glpat-|[rsp]k_|npm_|hf_|eyj/i;
/** A single lower-case or capitalised word: prose after `token:`, not a credential. */
const PLAIN_WORD = /^[A-Za-z][a-z]*$/;

/** Hides userinfo and secret query parameters of a URL in text; other URLs are left exactly as written. */
function redactUrlInText(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  const secret =
    url.username !== "" ||
    url.password !== "" ||
    [...url.searchParams.keys()].some((name) => isSecretKey(name));
  return secret ? redactUrl(raw) : raw;
}

/**
 * `text` with the secrets a server may echo replaced by `[REDACTED]`: URL credentials and secret
 * query parameters, `Authorization` / `Cookie` / API-key header values, `Bearer …` credentials,
 * values of secret-looking `name=value` / `name: value` / `"name": "value"` pairs, private key blocks
 * and well-known token formats (`ghp_…`, `sk-…`, JWTs). An unexpanded `${VAR}` reference is kept.
 *
 * Unquoted `name: value` with a plain word as the value (`token: expired`) is prose and stays, so
 * messages such as `headers.Authorization: must be a string` keep their meaning.
 */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(PRIVATE_KEY_BLOCK, REDACTED)
    .replace(URL_IN_TEXT, redactUrlInText)
    .replace(SECRET_HEADER_LINE, (match, name: string, separator: string, value: string) =>
      value.trim() === "" || VARIABLE_REFERENCE.test(value.trim()) ? match : `${name}${separator}${REDACTED}`,
    )
    .replace(AUTH_SCHEME, (match, scheme: string, space: string, credential: string) => {
      // `realm=` of a challenge, or a word of prose ("Bearer authentication"), is no credential.
      const bare = credential.replace(/=+$/, "");
      return bare.length < 6 || PLAIN_WORD.test(bare) ? match : `${scheme}${space}${REDACTED}`;
    })
    .replace(
      SECRET_ASSIGNMENT,
      (
        match,
        quote: string,
        name: string,
        before: string,
        operator: string,
        after: string,
        value: string,
      ) => {
        const bare = name.replace(/^-+/, "");
        // "key" alone is mostly prose ("key=value pairs"); `?key=` in URLs is handled above.
        if (bare.toLowerCase() === "key" || !isSecretKey(bare)) return match;
        const quoted = value.startsWith('"') || value.startsWith("'");
        const inner = quoted ? value.slice(1, -1) : value;
        if (inner === "" || inner === REDACTED || VARIABLE_REFERENCE.test(inner)) return match;
        if (operator === ":" && quote === "" && !quoted && PLAIN_WORD.test(inner)) return match;
        const hidden = quoted ? `${value[0]}${REDACTED}${value[0]}` : REDACTED;
        return `${quote}${name}${quote}${before}${operator}${after}${hidden}`;
      },
    )
    .replace(TOKEN_SHAPES, REDACTED);
}

/**
 * Text fit for a message, warning or log: terminal escape codes and control characters removed
 * (`stripControlCharacters`) and secrets hidden (`redactText`). Not cut: see `sanitizeServerText`.
 */
export function sanitizeText(text: string): string {
  return redactText(stripControlCharacters(text));
}

/**
 * The one gate for text a server controls (an HTTP body, a JSON-RPC error message, a stderr tail, a
 * stdout line, a cause's message) on its way into a message, warning, event or log: escape codes and
 * control characters removed, secrets hidden, then cut to `max` characters — keeping the start, or with
 * `keep: "end"` the end (a stderr tail, whose last lines say why a server died).
 *
 * Secrets are hidden before the cut, so a token is never half shown; very long input is first cut
 * to a generous window (and the partial word at its edge dropped) so the cost stays bounded.
 */
export function sanitizeServerText(
  text: string,
  max: number = MAX_SERVER_TEXT,
  keep: "start" | "end" = "start",
): string {
  const window = Number.isFinite(max) ? max * 4 + 4_096 : Infinity;
  let input = text;
  if (text.length > window) {
    input =
      keep === "start"
        ? text.slice(0, window).replace(/\S{1,2000}$/, "")
        : text.slice(text.length - window).replace(/^\S{1,2000}/, "");
  }
  const clean = sanitizeText(input);
  const hidden = text.length - input.length + Math.max(0, clean.length - max);
  if (hidden === 0) return clean;
  return keep === "start"
    ? `${clean.slice(0, max)}… (${hidden} more characters)`
    : `(${hidden} earlier characters) …${clean.slice(clean.length - max)}`;
}

/** A name, URI or cursor a server chose is quoted in a message up to this many characters. */
export const MAX_SERVER_NAME_TEXT = 100;

/**
 * A name, URI or cursor a server chose, quoted for a message: through `sanitizeServerText` (escape
 * codes and secrets removed, cut to `max`), then JSON-quoted, so that where it starts and ends stays
 * visible whatever it contains (`tool "a\nb"`, `tool ""`).
 */
export function quoteServerText(text: string, max: number = MAX_SERVER_NAME_TEXT): string {
  return JSON.stringify(sanitizeServerText(text, max));
}

/** One link of an error's `cause` chain as `toJSON()` shows it: redacted and cut like messages. */
export interface ErrorDescription {
  name: string;
  message: string;
  /** The cause's own `code` (an errno such as `ECONNREFUSED`, a JSON-RPC code, an SDK code). */
  code?: unknown;
  /** The next cause in the chain. */
  cause?: ErrorDescription;
  /** The errors of an `AggregateError` (the first ones; see `MAX_DESCRIBED_ERRORS`). */
  errors?: ErrorDescription[];
}

/** Links of a cause chain shown before it is cut (a chain this deep is a loop in all but name). */
const MAX_CAUSE_DEPTH = 8;
/** Errors described in one whole description, `AggregateError` members included. */
const MAX_DESCRIBED_ERRORS = 32;
/** Characters of an error's `name` and of a string `code`. */
const MAX_NAME_TEXT = 100;

interface DescribeState {
  seen: WeakSet<object>;
  budget: number;
}

/**
 * A JSON-safe description of an error (or of any thrown value) and its `cause` chain, every string
 * sanitized (`sanitizeServerText`) and cut to `max`. Chains of any depth end: loops are marked
 * `[Circular]`, and depth and the number of errors shown are bounded. Never throws, whatever the
 * value's getters do.
 */
export function describeError(value: unknown, max: number = MAX_CAUSE_TEXT): ErrorDescription {
  try {
    return describeLink(value, max, 0, { seen: new WeakSet(), budget: MAX_DESCRIBED_ERRORS });
  } catch {
    // A hostile value (a proxy whose every trap throws): logging must still work.
    return { name: "Error", message: "[this error could not be described]" };
  }
}

/** `object[key]`, or undefined when reading it throws (a getter, a revoked proxy). */
function read(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function describeLink(value: unknown, max: number, depth: number, state: DescribeState): ErrorDescription {
  state.budget--;
  if (value === null || (typeof value !== "object" && typeof value !== "function")) {
    return { name: value === null ? "null" : typeof value, message: sanitizeServerText(String(value), max) };
  }
  if (typeof value === "function") {
    return { name: "function", message: sanitizeServerText(String(read(value, "name") ?? ""), max) };
  }
  if (state.seen.has(value)) {
    return { name: "[Circular]", message: "this error appears earlier in the same cause chain" };
  }
  state.seen.add(value);
  const message = read(value, "message");
  if (!(value instanceof Error) && typeof message !== "string") {
    // A thrown plain object (a JSON-RPC error object is handled above: it has a message).
    let text: string;
    try {
      text = JSON.stringify(redact(value)) ?? String(value);
    } catch {
      text = "[unserialisable object]";
    }
    return { name: "object", message: sanitizeServerText(text, max) };
  }
  const rawName = read(value, "name");
  const description: ErrorDescription = {
    name: sanitizeServerText(
      typeof rawName === "string" ? rawName : value instanceof Error ? "Error" : "object",
      MAX_NAME_TEXT,
    ),
    message: sanitizeServerText(typeof message === "string" ? message : "", max),
  };
  const code = read(value, "code");
  if (code !== undefined) {
    description.code = typeof code === "string" ? sanitizeServerText(code, MAX_NAME_TEXT) : redact(code);
  }
  const errors = read(value, "errors");
  if (Array.isArray(errors) && errors.length > 0) {
    const shown: ErrorDescription[] = [];
    for (const member of errors) {
      if (state.budget <= 0 || depth + 1 >= MAX_CAUSE_DEPTH) break;
      shown.push(describeLink(member, max, depth + 1, state));
    }
    if (shown.length < errors.length) {
      shown.push({ name: "[…]", message: `${errors.length - shown.length} more errors not shown` });
    }
    description.errors = shown;
  }
  const cause = read(value, "cause");
  if (cause !== undefined) {
    description.cause =
      state.budget > 0 && depth + 1 < MAX_CAUSE_DEPTH
        ? describeLink(cause, max, depth + 1, state)
        : { name: "[…]", message: "the rest of the cause chain is not shown" };
  }
  return description;
}

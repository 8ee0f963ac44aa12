/**
 * Redaction of secrets in error contexts, logs and JSON output.
 *
 * Redacting only top-level keys whose name looks secret, and stringifying everything else, puts
 * whole server configs (env values, Authorization headers) into logs. Here the walk is deep, and two
 * kinds of values are always hidden:
 * - any value under a key whose name has a secret-looking word in it (token, secret, password, …);
 * - every value of a map stored under `env` or `headers` (their keys stay visible, which is what a
 *   reader needs to find the problem).
 *
 * Free text is treated too (`sanitizeText`, `sanitizeServerText`): a server can echo the request's
 * `Authorization` header in a 401 body, and a hostile one can write terminal escape codes into
 * anything we print. Every string this module hands out — context values, error messages, cause
 * descriptions — has both removed. Values the client itself sent as credentials (`registerSecret`)
 * are hidden wherever they appear, whatever the text around them looks like.
 *
 * Every pattern here runs over text a server controls, so each is written to stay linear in the
 * length of its input (no start position rescans what a previous one already scanned);
 * `test/unit/errors/redactComplexity.test.ts` times each on pathological input.
 */
import { setOwn } from "../common/objects.js";
import { hideKnownSecrets } from "./knownSecrets.js";
import { redactUrl } from "./redactUrl.js";
import { isSecretKey, REDACTED, TOKEN_SHAPES, VARIABLE_REFERENCE } from "./secretKeys.js";
import { dropPartialWordAtEnd, MAX_CAUSE_TEXT, sanitizeServerText } from "./serverText.js";

const VALUE_MAP_KEYS = new Set(["env", "headers", "requestheaders", "environment"]);

const MAX_DEPTH = 8;
const MAX_STRING = 2_000;

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

function hideValue(value: string): string {
  return VARIABLE_REFERENCE.test(value) ? value : REDACTED;
}

/** A command-line argument is shown up to this many characters (display only: the process gets it all). */
export const MAX_ARGUMENT_TEXT = 2_000;

function redactArgument(raw: string): string {
  const long = raw.length > MAX_ARGUMENT_TEXT;
  const arg = hideKnownSecrets(long ? dropPartialWordAtEnd(raw.slice(0, MAX_ARGUMENT_TEXT)) : raw);
  const more = long ? `… (${raw.length - arg.length} more characters)` : "";
  // `--api-key=x`, `API_KEY=x` (docker -e, env-style arguments).
  const assignment = /^(-{0,2}[A-Za-z_][\w.-]*)=(.*)$/s.exec(arg);
  if (assignment && isSecretKey(assignment[1]!.replace(/^-+/, ""))) {
    return `${assignment[1]}=${hideValue(assignment[2]!)}${more}`;
  }
  // `Authorization: Bearer x` (mcp-remote --header, curl -H).
  const header = /^([A-Za-z][\w-]*):\s*(.*)$/s.exec(arg);
  if (header && !header[2]!.startsWith("//") && isSecretKey(header[1]!)) {
    return `${header[1]}: ${hideValue(header[2]!)}${more}`;
  }
  // A scheme starts where a run of scheme characters starts (else `aaaa…_://` is quadratic).
  const withoutUrlSecrets = arg.includes("://")
    ? arg.replace(/(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}:\/\/[^\s"']+/gi, (url) => redactUrl(url))
    : arg;
  return withoutUrlSecrets.replace(TOKEN_SHAPES, REDACTED) + more;
}

/**
 * A command line fit for display (CLI tables, logs): the value of a secret-looking flag
 * (`--token x`, `--api-key=x`, `--password=…`), of a secret-looking `KEY=value` or `Name: value`
 * argument, URL credentials, well-known token formats (`ghp_…`, `sk-…`, `xoxb-…`, JWTs) and the
 * values registered with `registerSecret` are replaced by `[REDACTED]`. An unexpanded `${VAR}`
 * reference is kept: it is not the secret. Arguments longer than `MAX_ARGUMENT_TEXT` are cut.
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

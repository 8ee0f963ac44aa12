import { Buffer } from "node:buffer";

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

export const REDACTED = "[REDACTED]";

const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "passcode",
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
  // Signed-URL credentials (`X-Amz-Signature`, Azure SAS `sig`).
  "signature",
  "sig",
]);
/** One word ending in a secret word: `accesstoken`, `dbpassword`, `clientsecret` (not `tokens`, `tokenizer`). */
const JOINED_SECRET_WORD = /(?:password|passwd|passphrase|token|secret|apikey|credentials?)$/;
/**
 * Words after the secret word that make the name describe the secret instead of holding it:
 * `token_type`, `auth_method`, `password_min_length`, `key_id`, `secret_name`, `token_endpoint`.
 */
const DESCRIBING_WORDS = new Set([
  "type",
  "types",
  "method",
  "methods",
  "name",
  "names",
  "id",
  "ids",
  "length",
  "len",
  "size",
  "count",
  "limit",
  "limits",
  "min",
  "max",
  "minimum",
  "maximum",
  "remaining",
  "used",
  "usage",
  "budget",
  "url",
  "urls",
  "uri",
  "uris",
  "endpoint",
  "endpoints",
  "path",
  "file",
  "dir",
  "env",
  "var",
  "variable",
  "field",
  "param",
  "format",
  "scheme",
  "schemes",
  "kind",
  "mode",
  "flow",
  "store",
  "version",
  "algorithm",
  "alg",
  "expires",
  "expiry",
  "expiration",
  "ttl",
  "lifetime",
  "age",
  "at",
  "in",
  "policy",
  "rotation",
  "source",
  "location",
  "domain",
  "server",
  "servers",
  "provider",
  "status",
  "error",
  "required",
  "supported",
  "enabled",
  "present",
  "valid",
  "arn",
  "ref",
]);
/** Words before `key` that make it a database, cache or map key, not a credential (`primary_key`). */
const NON_SECRET_KEY_KINDS = new Set([
  "primary",
  "foreign",
  "sort",
  "partition",
  "range",
  "hash",
  "composite",
  "compound",
  "unique",
  "natural",
  "surrogate",
  "row",
  "object",
  "cache",
  "idempotency",
  "dedup",
  "dedupe",
  "lookup",
  "map",
  "group",
  "shard",
  "routing",
  "order",
  "index",
  "public",
  "translation",
  "message",
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

/** The index of the last word of `parts` that names a secret, or -1. */
function lastSecretWord(parts: readonly string[]): number {
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    if (SECRET_WORDS.has(part) || JOINED_SECRET_WORD.test(part)) return i;
  }
  return -1;
}

/**
 * True when a key name looks like it holds a secret (`accessToken`, `client_secret`, `x-api-key`).
 * Whole words only, and not a name that describes a secret (`token_type`, `auth_method`,
 * `password_min_length`, `max_tokens`) or a key that is not a credential (`primary_key`, `sort_key`).
 */
export function isSecretKey(name: string): boolean {
  const parts = words(name);
  const at = lastSecretWord(parts);
  if (at === -1) return false;
  if (parts.slice(at + 1).some((part) => DESCRIBING_WORDS.has(part))) return false;
  return !(parts[at] === "key" && at > 0 && NON_SECRET_KEY_KINDS.has(parts[at - 1]!));
}

/** A password-like name: the one kind of secret that can be a plain number (a PIN). */
function isPasswordName(name: string): boolean {
  const parts = words(name);
  const last = parts[lastSecretWord(parts)] ?? "";
  return /^(?:password|passwd|pwd|passphrase|passcode)$|password$/.test(last);
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

/** Hides userinfo and secret-looking query (and fragment) parameters in a URL string. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return hideKnownSecrets(raw);
  }
  if (url.username || url.password) {
    url.username = url.username ? REDACTED : "";
    url.password = url.password ? REDACTED : "";
  }
  const query = withoutSecretParams(url.searchParams);
  if (query !== undefined) url.search = query;
  // OAuth's implicit flow and some SDKs put `access_token=…` in the fragment.
  const fragment = fragmentParams(url);
  const hash = fragment && withoutSecretParams(fragment);
  if (hash !== undefined) url.hash = hash;
  return hideKnownSecrets(url.href);
}

/**
 * `params` serialised with the values of secret-looking names hidden, or undefined when none is.
 * Built in one pass: `URLSearchParams.set` per name rewrites the whole list each time (quadratic).
 */
function withoutSecretParams(params: URLSearchParams): string | undefined {
  const entries = [...params];
  if (!entries.some(([name]) => isSecretKey(name))) return undefined;
  return new URLSearchParams(
    entries.map(([name, value]): [string, string] => [name, isSecretKey(name) ? REDACTED : value]),
  ).toString();
}

/** The fragment of `url` read as `name=value&…` parameters, when it has any. */
function fragmentParams(url: URL): URLSearchParams | undefined {
  return url.hash.includes("=") ? new URLSearchParams(url.hash.slice(1)) : undefined;
}

/**
 * Token formats that are secrets wherever they appear (GitHub, OpenAI/Anthropic, Slack, AWS, Google,
 * GitLab, Stripe, npm, Hugging Face, Databricks, JWT). A token starts where a run of token
 * characters starts, or right after a `%XX` escape (`Bearer%20ghp_…`): with a plain `\b`, each `-`
 * of `eyJ-eyJ-…` would start a new match that rescans the whole run (quadratic time).
 */
const TOKEN_SHAPES =
  /(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9_-]))(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,}|[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|dapi[0-9a-f]{32}|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g;
/** A value that is still an unexpanded `${VAR}` reference shows where the secret comes from, not the secret. */
const VARIABLE_REFERENCE = /^\$\{[^}]+\}$/;

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
 * An error's own message is cut to this many characters. Messages quote server text already cut to
 * the bounds above; this bounds the rest (a config error listing thousands of problems, a 100 kB
 * server name), so building an error costs the same whatever the input.
 */
export const MAX_MESSAGE_TEXT = 16_000;
/** `process.stderrTail` of a connection error keeps its last this many characters (the tail buffer's size). */
export const MAX_PROCESS_TAIL_TEXT = 64 * 1024;
/** A config issue's path and file are cut to this many characters, its message to twice as many. */
export const MAX_ISSUE_TEXT = 1_000;

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
 * Every other C0 and C1 control character (NUL included) except tab and newline, DEL, the Unicode
 * bidirectional overrides, isolates and marks (LRM, RLM, ALM), which reorder how text is displayed
 * ("Trojan Source"), and the invisible characters that hide text from the reader or split a token so
 * no rule sees it (`gh\u200Bp_…`): zero-width space, joiners and no-break space (BOM), word joiner
 * and invisible operators, soft hyphen, Mongolian vowel separator, the deprecated format characters,
 * interlinear annotation marks and the tag characters (U+E0000–E007F, as UTF-16 surrogate pairs).
 * Emoji joined by a zero-width joiner show as their parts; the text stays readable.
 */
const CONTROL_CHARACTER =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]|\udb40[\udc00-\udc7f]/g;
/** Line and paragraph separators: terminals and editors break lines at them, so they become `\n`. */
const LINE_BREAK = /\r\n?|[\u2028\u2029]/g;
/** Anything `stripControlCharacters` changes (ESC and CR are in the C0 range). */
const ANY_CONTROL = new RegExp(`${CONTROL_CHARACTER.source}|[\\u2028\\u2029]`);

/**
 * `text` without terminal escape codes, control and invisible characters: tab and newline stay (a
 * CR-LF, a lone CR and U+2028 / U+2029 become a newline, so nothing can move the cursor back over
 * what was printed or break a line where none is shown).
 */
export function stripControlCharacters(text: string): string {
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(LINE_BREAK, "\n").replace(TERMINAL_SEQUENCE, "").replace(CONTROL_CHARACTER, "");
}

// ---------------------------------------------------------------------------------------------
// Known secrets: the values the client itself sent. A server can echo them in any shape (inside
// JSON arrays, escaped JSON strings, YAML, URL-encoded, base64), which no shape rule can follow; the
// exact value can. Registered by the code that expands and sends them (`registerSecret`).
// ---------------------------------------------------------------------------------------------

/** Shorter values are never treated as known secrets: hiding `admin` or `12345` everywhere would mangle messages. */
export const MIN_KNOWN_SECRET_LENGTH = 6;
/** Longer values are not registered (no credential is this long; a whole file is no secret to look for). */
const MAX_KNOWN_SECRET_LENGTH = 8_192;
/** Distinct values kept; the least recently registered goes first, so memory stays bounded. */
const MAX_KNOWN_SECRETS = 256;
/** Characters of all encoded forms together, the other bound on memory (and on the cost of a pass). */
const MAX_KNOWN_SECRET_CHARS = 512 * 1024;

interface KnownSecret {
  count: number;
  forms: readonly string[];
  chars: number;
}
/** Insertion order is registration order: the first entry is the one to evict. */
const knownSecrets = new Map<string, KnownSecret>();
/** Every form of every known secret, longest first (a secret that contains another goes whole). */
let knownForms: readonly string[] = [];
let knownChars = 0;

export interface RegisterSecretOptions {
  /**
   * The name the value is stored under (an env variable, a header, a `${VAR}`). A value under a name
   * that does not look secret (`LOG_LEVEL`, `Accept`) is registered only when it looks like a
   * credential (a known token format, or a long random-looking string), so `production` or a path
   * in a message is not hidden.
   */
  name?: string;
}

/** A header value with an HTTP scheme: its credential is a secret of its own. */
const SCHEME_VALUE = /^(bearer|basic|token|bot|digest|negotiate|apikey)[ \t]+([^\s]+)$/i;
const TOKEN_SHAPE = new RegExp(TOKEN_SHAPES.source);

/** True for values that look like a credential whatever their name: a token format, `Bearer x`, or a random string. */
function looksLikeCredential(value: string): boolean {
  if (SCHEME_VALUE.test(value) || TOKEN_SHAPE.test(value)) return true;
  if (value.length < 20 || /\s/.test(value) || value.includes("://")) return false;
  // A file path is no credential.
  if (/^(?:[/~.]|[A-Za-z]:[\\/])/.test(value)) return false;
  const alphanumeric = value.replace(/[^A-Za-z0-9]/g, "").length;
  return /[A-Za-z]/.test(value) && /\d/.test(value) && alphanumeric >= value.length * 0.75;
}

/**
 * Base64 of `bytes` as it appears inside longer base64 (`Basic base64("user:" + secret)`): for each
 * of the three byte alignments, the characters that depend on the secret's bytes alone. Plus the
 * secret encoded on its own, with and without padding.
 */
function base64Forms(bytes: Buffer): string[] {
  const alone = bytes.toString("base64");
  const forms = [alone, alone.replace(/=+$/, "")];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString("base64");
    const start = shift === 0 ? 0 : shift + 1;
    const end = encoded.length - [0, 3, 2][(shift + bytes.length) % 3]!;
    const core = encoded.slice(start, end);
    // A short core could match unrelated base64.
    if (core.length >= 8) forms.push(core);
  }
  return forms;
}

/** The forms a server may echo `value` in: as is, URL-encoded, JSON-escaped (once and twice), base64. */
function encodedForms(value: string): string[] {
  const forms = new Set<string>();
  const add = (form: string) => {
    if (form.length >= MIN_KNOWN_SECRET_LENGTH) forms.add(form);
  };
  const addEncodings = (secret: string) => {
    if (secret.length < MIN_KNOWN_SECRET_LENGTH) return;
    add(secret);
    const uri = encodeURIComponent(secret);
    add(uri);
    add(uri.replace(/%20/g, "+"));
    const json = JSON.stringify(secret).slice(1, -1);
    add(json);
    add(JSON.stringify(json).slice(1, -1));
    for (const form of base64Forms(Buffer.from(secret, "utf8"))) {
      add(form);
      add(form.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    }
  };
  addEncodings(value);
  const scheme = SCHEME_VALUE.exec(value);
  if (scheme) {
    const credential = scheme[2]!;
    addEncodings(credential);
    if (scheme[1]!.toLowerCase() === "basic") {
      // `Basic base64(user:password)`: the password alone is echoed too.
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon !== -1 && Buffer.from(decoded, "utf8").toString("base64") === credential) {
        addEncodings(decoded.slice(colon + 1));
      }
    }
  }
  return [...forms];
}

function rebuildKnownForms(): void {
  const all = new Set<string>();
  for (const entry of knownSecrets.values()) for (const form of entry.forms) all.add(form);
  knownForms = [...all].sort((a, b) => b.length - a.length);
}

/**
 * Registers a value the client sends as a credential (a header value, an env value, a token, a
 * client secret, an expanded `${VAR}`): from now on every occurrence of it — as is, URL-encoded,
 * JSON-escaped or base64-encoded — is replaced by `[REDACTED]` in all text this module sanitizes,
 * before the shape rules run. Values shorter than `MIN_KNOWN_SECRET_LENGTH` are ignored. Registering
 * the same value again counts; `forgetSecret` undoes one registration. At most `MAX_KNOWN_SECRETS`
 * values are kept (the oldest registration goes first).
 */
export function registerSecret(value: string, options: RegisterSecretOptions = {}): void {
  if (typeof value !== "string") return;
  if (value.length < MIN_KNOWN_SECRET_LENGTH || value.length > MAX_KNOWN_SECRET_LENGTH) return;
  if (options.name !== undefined && !isSecretKey(options.name) && !looksLikeCredential(value)) return;
  const existing = knownSecrets.get(value);
  if (existing) {
    // Most recently registered now: the last to be evicted.
    knownSecrets.delete(value);
    existing.count++;
    knownSecrets.set(value, existing);
    return;
  }
  const forms = encodedForms(value);
  const chars = forms.reduce((sum, form) => sum + form.length, 0);
  knownSecrets.set(value, { count: 1, forms, chars });
  knownChars += chars;
  for (const [oldest, entry] of knownSecrets) {
    if (knownSecrets.size <= MAX_KNOWN_SECRETS && knownChars <= MAX_KNOWN_SECRET_CHARS) break;
    if (oldest === value) break;
    knownSecrets.delete(oldest);
    knownChars -= entry.chars;
  }
  rebuildKnownForms();
}

/** Undoes one `registerSecret(value)`; the value is no longer hidden once every registration is undone. */
export function forgetSecret(value: string): void {
  const entry = knownSecrets.get(value);
  if (!entry) return;
  if (--entry.count > 0) return;
  knownSecrets.delete(value);
  knownChars -= entry.chars;
  rebuildKnownForms();
}

/** Forgets every registered secret (tests). */
export function forgetAllSecrets(): void {
  knownSecrets.clear();
  knownChars = 0;
  knownForms = [];
}

/** `text` with every form of every registered secret replaced by `[REDACTED]`. */
function hideKnownSecrets(text: string): string {
  if (knownForms.length === 0 || text.length < MIN_KNOWN_SECRET_LENGTH) return text;
  let out = text;
  for (const form of knownForms) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shape rules: secrets a server echoes that the client did not send itself (another header, a
// token of its own) or sent before they were registered.
// ---------------------------------------------------------------------------------------------

const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s"'<>`]+/gi;
/**
 * Header lines whose whole value is a credential, as a server echoes them (`Authorization: Basic x`).
 * A value that is only a scheme word continues on the next line (`Authorization: Bearer\nx`).
 */
const SECRET_HEADER_LINE =
  /(?<![\w.-])((?:proxy-)?authorization|(?:set-)?cookie|(?:x-)?api-key|x-auth-token|x-access-token|private-token)([ \t]*:[ \t]*)((?:bearer|basic|token|digest|negotiate)[ \t]*\r?\n[ \t]*[^\s]+|[^\r\n]*)/gi;
/** `%XX` (URL-encoded text) or a non-word character before a word. */
const WORD_START = String.raw`(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9_]))`;
/** One credential character, or a `%XX` escape of one. */
const CREDENTIAL_CHAR = String.raw`(?:[A-Za-z0-9\-._~+/]|%[0-9A-Fa-f]{2})`;
/**
 * An HTTP authorization scheme followed by its credential (`Bearer x`, `Basic x`, GitHub's `token x`),
 * also URL-encoded (`Bearer%20x`) or with the credential on the next line. Not a scheme word as the
 * credential (`invalid token Bearer x` must reach `Bearer x`), not an auth-param (`Bearer realm="mcp"`
 * of a `WWW-Authenticate` challenge), and not a sentence's full stop.
 */
const AUTH_SCHEME = new RegExp(
  String.raw`${WORD_START}(bearer|basic|token)([ \t]*\r?\n[ \t]*|[ \t]+|%20|\+)(?!(?:bearer|basic|token)\b)(${CREDENTIAL_CHAR}*(?:[A-Za-z0-9\-_~+/]|%[0-9A-Fa-f]{2})(?:=|%3[Dd])*)(?![\w-])`,
  "gi",
);
/**
 * The name and operator of `name=value`, `name: value`, `"name": "value"`, `name => value`, also
 * inside an escaped JSON string (`\"name\":\"value\"`) and with the value on the next line (YAML).
 * Only the name is matched: its value is read (`ASSIGNMENT_VALUE`) when the name looks secret, so a
 * pair whose name does not (`x=password=…`, `status: token: …`) never swallows the pair after it.
 */
const ASSIGNMENT_NAME =
  /(?<![\w.-])(\\?["']|)(-{0,2}[A-Za-z_][\w.-]{0,127})\1([ \t]*(?:\r?\n[ \t]*)?)(=>|[:=])([ \t]*(?:\r?\n[ \t]*)?)/g;
/**
 * The value after a secret name: a JSON, escaped-JSON or single-quoted string, the first string of a
 * JSON array (Go's `http.Header` is `{"X-Api-Key":["…"]}`) or object (`{"token":{"value":"…"}}`), a
 * `${VAR}` reference, or a bare word; a
 * string without its closing quote runs to the end of the line. Each string body stops at the first
 * character that could end it, so no scan runs on past the next quote, `{` or newline.
 */
const ASSIGNMENT_VALUE =
  /((?:\[[ \t]*|\{[ \t]*"[\w.-]{0,64}"[ \t]*:[ \t]*)(?=\\?["']))?("(?:[^"\\\n]|\\.)*"|\\"(?:[^"\\\n]|\\[^"\n])*\\"|'[^'\n]*'|\$\{[^{}\n]*\}|[^\s"'&,;<>()[\]{}]+|"[^"\n]*|'[^'\n]*)/y;
/** `<password>x</password>` (XML and SOAP faults). The body stops at the next `<`. */
const SECRET_ELEMENT = /<([A-Za-z_][\w.:-]{0,63})>([^<>]*)<\/\1>/g;
/** `password is x`, `the token was x` in prose. */
const SECRET_IN_PROSE =
  /(?<![\w-])(password|passwd|passphrase|passcode|secret|token|api[ _-]?key)([ \t]+(?:is|was)[ \t]+["'`]?)([^\s"'`<>]+)/gi;
/**
 * Text none of the rules below can match (no secret-looking word, URL or token prefix): most messages,
 * which then skip the passes. Must stay a superset of every rule's trigger, `isSecretKey`'s words included.
 */
const MAYBE_SECRET =
  /pass|pwd|token|secret|key|auth|credential|cookie|bearer|basic|jwt|pem|sig|:\/\/|gh[pousr]_|github_pat_|sk-|xox|akia|aiza|glpat-|[rsp]k_|npm_|hf_|dapi|eyj/i;
/**
 * A single lower-case or capitalised word of at most 15 letters: prose after `token:` or `Bearer`
 * (`expired`, `authentication`), not a credential (which is longer or has digits).
 */
const PLAIN_WORD = /^[A-Za-z][a-z]{0,14}$/;
const NUMBER = /^[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/;
const LITERAL = /^(?:true|false|null|nil|none|undefined)$/i;
/** `[REDACTED]` as `redactUrl` leaves it in a query string. */
const REDACTED_IN_URL = encodeURIComponent(REDACTED);

/**
 * True when the value of a secret-looking name is no secret: empty, already hidden, a `${VAR}`
 * reference, punctuation, a boolean or null, a plain word (`token: expired`, `"token_type":"Bearer"`),
 * or a number — unless the name is a password (a PIN is a number).
 */
function isHarmlessValue(value: string, name: string): boolean {
  return (
    value === "" ||
    value === REDACTED ||
    value === REDACTED_IN_URL ||
    VARIABLE_REFERENCE.test(value) ||
    !/[A-Za-z0-9]/.test(value) ||
    LITERAL.test(value) ||
    PLAIN_WORD.test(value) ||
    (NUMBER.test(value) && !isPasswordName(name))
  );
}

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
    [...url.searchParams.keys()].some((name) => isSecretKey(name)) ||
    [...(fragmentParams(url)?.keys() ?? [])].some((name) => isSecretKey(name));
  return secret ? redactUrl(raw) : raw;
}

/**
 * `text` without the characters of `characters` at its end. A loop, not `/[…]+$/`: that pattern
 * tries every start in a long run of them and rescans the rest of the run from each (quadratic).
 */
function withoutTrailing(text: string, characters: string): string {
  let end = text.length;
  while (end > 0 && characters.includes(text[end - 1]!)) end--;
  return text.slice(0, end);
}

/** A credential without its base64 padding, written as `=` or URL-encoded as `%3D`. */
function withoutPadding(credential: string): string {
  let end = credential.length;
  for (;;) {
    if (credential[end - 1] === "=") end -= 1;
    else if (end >= 3 && /^%3d$/i.test(credential.slice(end - 3, end))) end -= 3;
    else return credential.slice(0, end);
  }
}

/** The values of secret-looking `name=value` pairs hidden (see `ASSIGNMENT_NAME`). */
function redactAssignments(text: string): string {
  let out = "";
  let copied = 0;
  ASSIGNMENT_NAME.lastIndex = 0;
  for (let match = ASSIGNMENT_NAME.exec(text); match; match = ASSIGNMENT_NAME.exec(text)) {
    const name = match[2]!.replace(/^-+/, "");
    // "key" alone is mostly prose ("key=value pairs"); `?key=` in URLs is handled above.
    if (name.toLowerCase() === "key" || !isSecretKey(name)) continue;
    const start = match.index + match[0].length;
    ASSIGNMENT_VALUE.lastIndex = start;
    const value = ASSIGNMENT_VALUE.exec(text);
    if (!value) continue;
    const bracket = value[1] ?? "";
    const body = value[2]!;
    const quote = /^(?:\\"|["'])/.exec(body)?.[0] ?? "";
    const closed = quote !== "" && body.length >= quote.length * 2 && body.endsWith(quote);
    const inner = body.slice(quote.length, closed ? -quote.length : undefined);
    if (isHarmlessValue(inner, name)) continue;
    out += `${text.slice(copied, start)}${bracket}${quote}${REDACTED}${closed ? quote : ""}`;
    copied = start + value[0].length;
    ASSIGNMENT_NAME.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * `text` with the secrets a server may echo replaced by `[REDACTED]`: first every form of every
 * registered secret (`registerSecret`), then URL credentials and secret query or fragment parameters,
 * `Authorization` / `Cookie` / API-key header values, `Bearer …` credentials (also URL-encoded),
 * values of secret-looking `name=value` / `name: value` / `"name": "value"` / `<name>value</name>`
 * pairs and of `password is …`, private key blocks and well-known token formats (`ghp_…`, `sk-…`,
 * JWTs). An unexpanded `${VAR}` reference is kept.
 *
 * A plain word, a number or a boolean as the value (`token: expired`, `"token_type":"Bearer"`,
 * `max_tokens=4096`) is prose and stays, so messages such as `headers.Authorization: must be a
 * string` keep their meaning.
 */
export function redactText(text: string): string {
  const known = hideKnownSecrets(text);
  if (!MAYBE_SECRET.test(known)) return known;
  const shaped = known
    .replace(PRIVATE_KEY_BLOCK, REDACTED)
    .replace(URL_IN_TEXT, redactUrlInText)
    .replace(SECRET_HEADER_LINE, (match, name: string, separator: string, value: string) => {
      const trimmed = value.trim();
      if (trimmed === "" || VARIABLE_REFERENCE.test(trimmed)) return match;
      // `Authorization: Bearer` at the end of a line, and a word of prose or a header name after it.
      const continued = /^(\S+)(\s+)(\S+)$/.exec(trimmed);
      if (
        continued &&
        /\n/.test(continued[2]!) &&
        (PLAIN_WORD.test(continued[3]!) || continued[3]!.endsWith(":"))
      ) {
        return `${name}${separator}${REDACTED}${value.slice(continued[1]!.length)}`;
      }
      return `${name}${separator}${REDACTED}`;
    })
    .replace(AUTH_SCHEME, (match, scheme: string, space: string, credential: string) => {
      // `realm=` of a challenge, or a word of prose ("Bearer authentication"), is no credential.
      const bare = withoutPadding(credential);
      return bare.length < 6 || PLAIN_WORD.test(bare) ? match : `${scheme}${space}${REDACTED}`;
    });
  return redactAssignments(shaped)
    .replace(SECRET_ELEMENT, (match, name: string, value: string) =>
      name.toLowerCase() === "key" || !isSecretKey(name) || isHarmlessValue(value.trim(), name)
        ? match
        : `<${name}>${REDACTED}</${name}>`,
    )
    .replace(SECRET_IN_PROSE, (match, word: string, between: string, value: string) => {
      const bare = withoutTrailing(value, ".,;:!?)]");
      return bare.length < MIN_KNOWN_SECRET_LENGTH || isHarmlessValue(bare, word)
        ? match
        : `${word}${between}${REDACTED}${value.slice(bare.length)}`;
    })
    .replace(TOKEN_SHAPES, REDACTED);
}

/**
 * Text fit for a message, warning or log: terminal escape codes and control characters removed
 * (`stripControlCharacters`) and secrets hidden (`redactText`). Not cut: see `sanitizeServerText`,
 * which every caller with text of unbounded length uses instead.
 */
export function sanitizeText(text: string): string {
  return redactText(stripControlCharacters(text));
}

/** How far back (or forward) a window's edge is moved to a word boundary. */
const MAX_PARTIAL_WORD = 2_000;

/** A window cut from the start of a text, without its last (partial) word. */
function dropPartialWordAtEnd(window: string): string {
  const stop = Math.max(0, window.length - MAX_PARTIAL_WORD);
  for (let i = window.length - 1; i >= stop; i--) {
    if (/\s/.test(window[i]!)) return window.slice(0, i + 1);
  }
  return window.slice(0, stop);
}

/**
 * A window cut from the end of a text, starting at a line boundary: a line's start carries the name
 * that makes its value recognisable (`api_key: …`, `Authorization: …`), so a partial first line goes.
 * In one long line, the partial first word goes, and the value after it when that word ends like a
 * name (`…key:`, `…ken=`). A private key whose `BEGIN` line was cut off goes up to its `END` line.
 */
function dropPartialLineAtStart(window: string, keep: number): string {
  let rest: string;
  const newline = window.indexOf("\n");
  if (newline !== -1 && window.length - newline - 1 >= keep) {
    rest = window.slice(newline + 1);
  } else {
    const first = /^\S{0,2000}/.exec(window)![0];
    rest = window.slice(first.length);
    if (/(?:[:=]|=>)["']?$/.test(first)) rest = rest.replace(/^\s{0,2000}\S{0,2000}/, "");
  }
  const end = rest.indexOf("PRIVATE KEY-----");
  if (end !== -1 && /-----END [A-Z0-9 ]*$/.test(rest.slice(Math.max(0, end - 100), end))) {
    const begin = rest.indexOf("-----BEGIN ");
    if (begin === -1 || begin > end) rest = `${REDACTED}${rest.slice(end + "PRIVATE KEY-----".length)}`;
  }
  return rest;
}

/**
 * The one gate for text a server controls (an HTTP body, a JSON-RPC error message, a stderr tail, a
 * stdout line, a cause's message) on its way into a message, warning, event or log: escape codes and
 * control characters removed, secrets hidden, then cut to `max` characters — keeping the start, or with
 * `keep: "end"` the end (a stderr tail, whose last lines say why a server died).
 *
 * Secrets are hidden before the cut, so a token is never half shown; very long input is first cut
 * to a generous window (at a word boundary, or for `keep: "end"` at a line boundary) so the cost
 * stays bounded.
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
        ? dropPartialWordAtEnd(text.slice(0, window))
        : dropPartialLineAtStart(text.slice(text.length - window), max);
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

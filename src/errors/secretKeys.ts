// What marks a secret by itself: secret-looking key names, token formats, `${VAR}` references.

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
export function isPasswordName(name: string): boolean {
  const parts = words(name);
  const last = parts[lastSecretWord(parts)] ?? "";
  return /^(?:password|passwd|pwd|passphrase|passcode)$|password$/.test(last);
}

/**
 * Token formats that are secrets wherever they appear (GitHub, OpenAI/Anthropic, Slack, AWS, Google,
 * GitLab, Stripe, npm, Hugging Face, Databricks, JWT). A token starts where a run of token
 * characters starts, or right after a `%XX` escape (`Bearer%20ghp_…`): with a plain `\b`, each `-`
 * of `eyJ-eyJ-…` would start a new match that rescans the whole run (quadratic time).
 */
export const TOKEN_SHAPES =
  /(?:(?<=%[0-9A-Fa-f]{2})|(?<![A-Za-z0-9_-]))(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{16,}|sk-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{8,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{30,}|glpat-[A-Za-z0-9_-]{20,}|[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}|npm_[A-Za-z0-9]{36}|hf_[A-Za-z0-9]{30,}|dapi[0-9a-f]{32}|eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)/g;
/** A value that is still an unexpanded `${VAR}` reference shows where the secret comes from, not the secret. */
export const VARIABLE_REFERENCE = /^\$\{[^}]+\}$/;

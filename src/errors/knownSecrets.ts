// Known secrets: the registry of values the client sent as credentials, and their encoded forms.
import { Buffer } from "node:buffer";

import { isSecretKey, REDACTED, TOKEN_SHAPES } from "./secretKeys.js";

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
export function hideKnownSecrets(text: string): string {
  if (knownForms.length === 0 || text.length < MIN_KNOWN_SECRET_LENGTH) return text;
  let out = text;
  for (const form of knownForms) {
    if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

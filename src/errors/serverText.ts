// Free text a server controls: limits, control characters, secret shape rules, `sanitizeServerText`.
import { hideKnownSecrets, MIN_KNOWN_SECRET_LENGTH } from "./knownSecrets.js";
import { fragmentParams, redactUrl } from "./redactUrl.js";
import { isPasswordName, isSecretKey, REDACTED, TOKEN_SHAPES, VARIABLE_REFERENCE } from "./secretKeys.js";

/** Server-provided text (an HTTP body, a transport's error text) is cut to this many characters. */
export const MAX_SERVER_TEXT = 200;

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
export function dropPartialWordAtEnd(window: string): string {
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

/**
 * Config-time checks of an HTTP server's `headers` (MassGen's header rules, hardened).
 * Issues name headers but never contain their values (they usually carry credentials).
 */
import { renderKeyPath } from "../common/keyPath.js";
import type { ConfigIssue } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import { MAX_HEADER_KEY_LENGTH, MAX_HEADER_VALUE_LENGTH } from "./defaults.js";

/**
 * Header names the transport sets itself (or that HTTP forbids a client to set): configuring them
 * would break framing or the MCP session.
 */
export const RESERVED_HEADERS: readonly string[] = Object.freeze([
  "host",
  "content-length",
  "content-type",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "upgrade",
  "expect",
  "te",
  "trailer",
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
]);

const RESERVED = new Set(RESERVED_HEADERS);
/** RFC 9110 `token`: 1*tchar. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerPath(name: string): string {
  return renderKeyPath(["headers", name]);
}

/** The name for a message: as written when it is a valid token, otherwise described. */
function shownName(name: string): string {
  return TOKEN.test(name) && name.length <= 120 ? `"${name}"` : "with an invalid name";
}

/**
 * Checks a server's `headers` map: names are RFC 9110 tokens of at most 100 characters and not
 * reserved (set by the transport), no duplicates differing only in case, values are strings of at
 * most 1000 characters without CR, LF, NUL or other control characters and representable in
 * Latin-1 (what HTTP/1.1 can carry). `undefined`/`null` mean "no headers".
 */
export function checkHeaders(headers: unknown): ConfigIssue[] {
  if (headers === undefined || headers === null) return [];
  if (typeof headers !== "object" || Array.isArray(headers)) {
    return [
      issue(
        "headers",
        "headers.type",
        "`headers` must be a map of header names to string values (rule headers.type).",
      ),
    ];
  }
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, string>();
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const path = headerPath(name);
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) {
      issues.push(
        issue(
          path,
          "headers.name",
          "Header names must be non-empty and use only letters, digits and !#$%&'*+-.^_`|~ (RFC 9110 token) " +
            "(rule headers.name).",
        ),
      );
    } else if (name.length > MAX_HEADER_KEY_LENGTH) {
      issues.push(
        issue(
          path,
          "headers.length",
          `Header name is ${name.length} characters long; the limit is ${MAX_HEADER_KEY_LENGTH} (rule headers.length).`,
        ),
      );
    } else if (RESERVED.has(lower)) {
      issues.push(
        issue(
          path,
          "headers.reserved",
          `Header "${name}" is set by the transport and cannot be configured (rule headers.reserved). Remove it.`,
        ),
      );
    } else {
      const previous = seen.get(lower);
      if (previous !== undefined) {
        issues.push(
          issue(
            path,
            "headers.duplicate",
            `Header "${name}" is also configured as "${previous}"; header names are case-insensitive ` +
              "(rule headers.duplicate). Keep one.",
          ),
        );
      } else {
        seen.set(lower, name);
      }
    }

    if (typeof value !== "string") {
      issues.push(
        issue(
          path,
          "headers.type",
          `The value of header ${shownName(name)} must be a string, not ${value === null ? "null" : typeof value} ` +
            "(rule headers.type). Quote it in YAML.",
        ),
      );
      continue;
    }
    if (value.length > MAX_HEADER_VALUE_LENGTH) {
      issues.push(
        issue(
          path,
          "headers.length",
          `The value of header ${shownName(name)} is ${value.length} characters long; the limit is ` +
            `${MAX_HEADER_VALUE_LENGTH} (rule headers.length).`,
        ),
      );
    }
    let crlf = false;
    let control = false;
    let wide = false;
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code === 0x0d || code === 0x0a || code === 0x00) crlf = true;
      else if ((code < 0x20 && code !== 0x09) || code === 0x7f) control = true;
      else if (code > 0xff) wide = true;
    }
    if (crlf) {
      issues.push(
        issue(
          path,
          "headers.crlf",
          `The value of header ${shownName(name)} contains a CR, LF or NUL character (rule headers.crlf); ` +
            "that could inject other headers. Remove it.",
        ),
      );
    }
    if (control || wide) {
      issues.push(
        issue(
          path,
          "headers.value",
          `The value of header ${shownName(name)} contains ${control ? "control characters" : "characters outside Latin-1"} ` +
            "that HTTP cannot carry (rule headers.value). Encode the value (for example percent- or base64-encoding).",
        ),
      );
    }
  }
  return issues;
}

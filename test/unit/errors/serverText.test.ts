// Issue 11 item 3: server text (HTTP bodies, JSON-RPC errors, stderr, stdout noise) reaches messages,
// warnings and `toJSON()` only through one sanitizer: terminal escape codes and control characters
// removed, secrets redacted, long text cut — for the message, every link of the cause chain, and the
// context alike.
import { ProtocolError, SdkError, SdkErrorCode } from "@modelcontextprotocol/client";
import { describe, expect, it } from "vitest";

import { mapError } from "../../../src/client/errorMapping.js";
import {
  MCPAuthenticationError,
  MCPCancelledError,
  MCPCircuitOpenError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPError,
  MCPResourceError,
  MCPServerError,
  MCPTimeoutError,
  MCPValidationError,
} from "../../../src/errors/errors.js";
import { describeError, redact } from "../../../src/errors/redact.js";
import { REDACTED } from "../../../src/errors/secretKeys.js";
import {
  MAX_CAUSE_TEXT,
  quoteServerText,
  redactText,
  sanitizeServerText,
  stripControlCharacters,
} from "../../../src/errors/serverText.js";

const GITHUB_TOKEN = "ghp_leakedToken0123456789abcdefABCDEF";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrZWQifQ.c2lnbmF0dXJlMDEyMzQ1Njc4OQ";
const OPENAI_KEY = "sk-leaked0123456789abcdefXYZ";
const SECRETS = [GITHUB_TOKEN, JWT, OPENAI_KEY, "hunter2", "correct horse", "s3cr3t-value"];

/** What a hostile server writes: its clipboard write, screen clear, colours, NUL, BEL, 8-bit CSI. */
const ESCAPES = "\x1b]52;c;c2VjcmV0\x07\x1b[2J\x1b[31m\x00\x07\x7f\u009b6n\u202e";

/** Raw, or escaped the way JSON.stringify writes them. */
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]|\\u00(?:0[0-8]|1[0-9a-f]|7f|[89][0-9a-f])/i;

function expectClean(text: string): void {
  for (const secret of SECRETS) expect(text, `leaks ${secret}`).not.toContain(secret);
  expect(text).not.toMatch(CONTROL);
}

function reflected(prefix = "server said"): string {
  return `${prefix}: Authorization: Bearer ${GITHUB_TOKEN}\napi_key=${OPENAI_KEY} ${JWT} password: hunter2 ${ESCAPES}`;
}

describe("toJSON() of the cause chain", () => {
  it("redacts secrets and escape codes in nested causes, at every depth", () => {
    const root = new TypeError(`fetch failed: ${reflected("root")}`);
    const middle = Object.assign(new Error(reflected("middle"), { cause: root }), { code: "UND_ERR" });
    const top = new Error(reflected("top"), { cause: middle });
    const error = new MCPConnectionError(`connect failed: ${reflected("message")}`, { cause: top });

    const json = error.toJSON();
    expectClean(JSON.stringify(json));
    expectClean(String(error));
    expectClean(String(error.stack));
    expect(json.cause?.message).toContain("top: Authorization: [REDACTED]");
    expect(json.cause?.cause).toMatchObject({ name: "Error", code: "UND_ERR" });
    expect(json.cause?.cause?.message).toContain("middle");
    expect(json.cause?.cause?.cause).toMatchObject({ name: "TypeError" });
    expect(json.cause?.cause?.cause?.message).toContain(`api_key=${REDACTED}`);
    // The original stays on `cause`, untouched.
    expect((error.cause as Error).message).toContain(GITHUB_TOKEN);
  });

  it("ends cause cycles (two errors, and an error that is its own cause) with [Circular]", () => {
    const a = new Error(`a ${GITHUB_TOKEN}`);
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    const self = new Error("self");
    (self as { cause?: unknown }).cause = self;

    const json = new MCPError("cycle", { cause: a }).toJSON();
    expect(json.cause).toMatchObject({ message: `a ${REDACTED}`, cause: { message: "b" } });
    expect(json.cause?.cause?.cause?.name).toBe("[Circular]");
    expectClean(JSON.stringify(json));
    expect(new MCPError("self", { cause: self }).toJSON().cause?.cause?.name).toBe("[Circular]");
  });

  it("bounds chains of any depth without recursing through them", () => {
    let cause: unknown = new Error(`bottom ${GITHUB_TOKEN}`);
    for (let i = 0; i < 10_000; i++) cause = new Error(`level ${i}`, { cause });
    const text = JSON.stringify(new MCPError("deep", { cause }).toJSON());
    expect(text).toContain("the rest of the cause chain is not shown");
    expect(text.length).toBeLessThan(5_000);
    expectClean(text);
  });

  it("describes AggregateError members (bounded) and redacts them", () => {
    const members = [
      new Error(`first ${GITHUB_TOKEN}`),
      `a string with ${ESCAPES} Bearer ${OPENAI_KEY}`,
      ...Array.from({ length: 200 }, (_, i) => new Error(`member ${i} ${JWT}`)),
    ];
    const aggregate = new AggregateError(members, "all attempts failed");
    const json = new MCPConnectionError("x", { cause: aggregate }).toJSON();
    expect(json.cause?.name).toBe("AggregateError");
    expect(json.cause?.message).toBe("all attempts failed");
    const errors = json.cause?.errors ?? [];
    expect(errors[0]).toMatchObject({ name: "Error", message: `first ${REDACTED}` });
    expect(errors[1]).toMatchObject({ name: "string", message: `a string with  Bearer ${REDACTED}` });
    expect(errors.length).toBeLessThan(40);
    expect(errors.at(-1)?.message).toMatch(/^\d+ more errors not shown$/);
    expectClean(JSON.stringify(json));
  });

  it("describes non-Error causes: strings, plain objects, JSON-RPC error objects, primitives", () => {
    const cases: Array<[unknown, object]> = [
      [`plain ${GITHUB_TOKEN} ${ESCAPES}`, { name: "string", message: `plain ${REDACTED} ` }],
      [{ token: "s3cr3t-value", nested: { password: "hunter2", note: `Bearer ${JWT}` } }, { name: "object" }],
      [
        { code: -32000, message: `rpc ${ESCAPES}failed token=s3cr3t-value`, data: { apiKey: "x" } },
        { name: "object", message: `rpc failed token=${REDACTED}`, code: -32000 },
      ],
      [42, { name: "number", message: "42" }],
      [null, { name: "null", message: "null" }],
      [Symbol("sym"), { name: "symbol", message: "Symbol(sym)" }],
    ];
    for (const [cause, expected] of cases) {
      const json = new MCPError("x", { cause }).toJSON();
      expect(json.cause).toMatchObject(expected);
      expectClean(JSON.stringify(json));
    }
    const objectJson = new MCPError("x", { cause: cases[1]![0] }).toJSON();
    expect(objectJson.cause?.message).toContain(`"token":"${REDACTED}"`);
    expect(objectJson.cause?.message).toContain(`"note":"Bearer ${REDACTED}"`);
  });

  it("clips long cause messages, and a secret at the cut is never half shown", () => {
    const body = "x".repeat(MAX_CAUSE_TEXT - 20) + ` Bearer ${GITHUB_TOKEN} ` + "y".repeat(50_000);
    const json = new MCPConnectionError("HTTP 500", { cause: new Error(body) }).toJSON();
    const message = json.cause?.message ?? "";
    expect(message.length).toBeLessThan(MAX_CAUSE_TEXT + 40);
    expect(message).toMatch(/… \(\d+ more characters\)$/);
    // Neither the token nor any prefix of it longer than its fixed "ghp_" start.
    expect(message).not.toContain(GITHUB_TOKEN.slice(0, 8));
    expectClean(JSON.stringify(json));
  });

  it("never throws, whatever the cause's getters do", () => {
    const hostile = new Error("boom");
    Object.defineProperty(hostile, "message", {
      get() {
        throw new Error("no");
      },
    });
    const proxy = new Proxy(
      {},
      {
        get() {
          throw new Error("trap");
        },
        has() {
          throw new Error("trap");
        },
      },
    );
    expect(() => JSON.stringify(new MCPError("x", { cause: hostile }).toJSON())).not.toThrow();
    expect(() => JSON.stringify(new MCPError("x", { cause: proxy }).toJSON())).not.toThrow();
  });

  it("every error class: message, String(), stack and toJSON() carry no secret or escape code", () => {
    const text = reflected();
    const cause = new Error(text);
    const errors: MCPError[] = [
      new MCPError(text, { cause }),
      new MCPConnectionError(text, {
        cause,
        process: { exitCode: 1, signal: null, stderrTail: text },
      }),
      new MCPCircuitOpenError(text, { cause, retryAfter: 1 }),
      new MCPServerError(text, { cause, rpcCode: -32000 }),
      new MCPResourceError(text, { cause }),
      new MCPConfigurationError(text, {
        cause,
        issues: [{ path: `servers.${ESCAPES}x`, message: text }],
        warnings: [{ path: "w", message: text }],
      }),
      new MCPTimeoutError(text, { cause, timeoutSeconds: 1, operation: "ping" }),
      new MCPCancelledError(text, { cause, operation: "ping" }),
      new MCPValidationError(text, { cause }),
      new MCPAuthenticationError(text, { cause, httpStatus: 401 }),
    ];
    for (const error of errors) {
      expectClean(error.message);
      expectClean(String(error));
      expectClean(String(error.stack));
      expectClean(JSON.stringify(error.toJSON()));
      expect(error.message).toContain("Authorization: [REDACTED]");
    }
    const connection = errors[1] as MCPConnectionError;
    expectClean(connection.process?.stderrTail ?? "");
    const config = errors[5] as MCPConfigurationError;
    expectClean(JSON.stringify([...config.issues, ...config.warnings]));
  });

  it("context strings are sanitized too (a stderr tail, an error stored in context)", () => {
    const error = new MCPTimeoutError("initialize timed out", {
      timeoutSeconds: 1,
      operation: "initialize",
      context: { stderrTail: reflected("stderr"), last: new Error(reflected("last")) },
    });
    expectClean(JSON.stringify(error.toJSON()));
    expect(error.context.stderrTail).toContain("stderr: Authorization: [REDACTED]");
    expect(redact({ note: `Bearer ${GITHUB_TOKEN}` })).toEqual({ note: `Bearer ${REDACTED}` });
  });
});

describe("stripControlCharacters", () => {
  it.each([
    ["CSI colours and cursor moves", "\x1b[31mred\x1b[0m \x1b[2J\x1b[10;20Hmoved", "red moved"],
    ["OSC title ended by BEL", "\x1b]0;pwned\x07title", "title"],
    ["OSC 52 clipboard write ended by ST", "\x1b]52;c;c2VjcmV0\x1b\\after", "after"],
    ["OSC 8 hyperlink", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"],
    ["DCS string", "\x1bPq#0;2;0;0;0\x1b\\after", "after"],
    ["8-bit CSI and OSC", "a\u009b2Jb\u009d0;t\u009cc", "abc"],
    ["NUL, BEL, backspace, DEL, other C0", "a\x00b\x07c\x08d\x7fe\x1ff", "abcdef"],
    ["bidi overrides and isolates", "abc\u202edcba\u2066x\u2069", "abcdcbax"],
    ["CR-LF and a lone CR become newlines", "one\r\ntwo\rthree", "one\ntwo\nthree"],
    ["tabs and newlines stay", "a\tb\nc", "a\tb\nc"],
    ["a lone ESC and an unterminated OSC keep the text", "x\x1b]0;no end", "x0;no end"],
    ["unicode text stays", "héllo — 日本語 ✓", "héllo — 日本語 ✓"],
  ])("%s", (_name, input, output) => {
    expect(stripControlCharacters(input)).toBe(output);
  });
});

describe("redactText", () => {
  it.each([
    [`Authorization: Bearer ${GITHUB_TOKEN}`, "Authorization: [REDACTED]"],
    ["authorization: Basic dXNlcjpwYXNzd29yZA==", "authorization: [REDACTED]"],
    ["Cookie: session=abc; theme=dark", "Cookie: [REDACTED]"],
    ["X-Api-Key: abcdefgh", "X-Api-Key: [REDACTED]"],
    [`invalid token Bearer ${JWT}.`, "invalid token Bearer [REDACTED]."],
    ["invalid token Bearer opaque0123456789", "invalid token Bearer [REDACTED]"],
    ["github wants token 0123456789abcdef", "github wants token [REDACTED]"],
    ['{"error":"refused Bearer opaque0123456789"}', '{"error":"refused Bearer [REDACTED]"}'],
    ['"Basic dXNlcjpwYXNz=="', '"Basic [REDACTED]"'],
    [`the key ${OPENAI_KEY} is revoked`, "the key [REDACTED] is revoked"],
    ["api_key=s3cr3t-value&page=2", "api_key=[REDACTED]&page=2"],
    ["--client-secret=s3cr3t-value", "--client-secret=[REDACTED]"],
    [
      '{"access_token":"abc def","password":123,"user":"bob"}',
      '{"access_token":"[REDACTED]","password":[REDACTED],"user":"bob"}',
    ],
    ["password: hunter2 was wrong", "password: [REDACTED] was wrong"],
    [
      "https://bob:pw@example.com/x?token=abc&page=2",
      "https://%5BREDACTED%5D:%5BREDACTED%5D@example.com/x?token=%5BREDACTED%5D&page=2",
    ],
    ["-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- rest", "[REDACTED] rest"],
  ])("hides %j", (input, output) => {
    expect(redactText(input)).toBe(output);
  });

  it.each([
    "passwd",
    "pwd",
    "credentials",
    "jwt",
    "pem",
    "x-auth-token",
    "PRIVATE_KEY",
    "apikey",
    "ClientSecret",
  ])("hides the value of %s=… (every secret-looking name passes the quick pre-check)", (name) => {
    expect(redactText(`${name}=abc123`)).toBe(`${name}=${REDACTED}`);
  });

  it.each([
    "headers.Authorization: must be a string",
    "env.API_KEY: looks like a literal secret; use ${API_KEY}",
    'the token "x" is not key=value; pass arguments as key=value pairs',
    "Missing Bearer token",
    'WWW-Authenticate: Bearer realm="mcp", error="invalid_token"',
    "token: expired",
    "api_key=${API_KEY}",
    'Configure an "auth" section or an Authorization header.',
    "https://example.com/mcp",
    "The authorization server has a token endpoint without https",
  ])("keeps prose and references: %j", (input) => {
    expect(redactText(input)).toBe(input);
  });
});

describe("sanitizeServerText", () => {
  it("strips, redacts, then cuts — keeping the start, or the end for a tail", () => {
    const text = `${ESCAPES}start Bearer ${GITHUB_TOKEN} ${"m".repeat(500)} end`;
    const start = sanitizeServerText(text, 50);
    expect(start.startsWith(`start Bearer ${REDACTED}`)).toBe(true);
    expect(start).toMatch(/… \(\d+ more characters\)$/);
    const end = sanitizeServerText(text, 20, "end");
    expect(end).toMatch(/^\(\d+ earlier characters\) …m* end$/);
    expectClean(start);
    expectClean(end);
  });

  it("stays bounded on huge input", () => {
    const huge = `${"\x1b[31m".repeat(100_000)}${GITHUB_TOKEN} ${"z".repeat(5_000_000)}`;
    const out = sanitizeServerText(huge, 200);
    expect(out.length).toBeLessThan(300);
    expectClean(out);
  });

  it("describeError() of a thrown string keeps no escape code", () => {
    expect(describeError(`x${ESCAPES}y`)).toEqual({ name: "string", message: "xy" });
  });
});

describe("quoteServerText", () => {
  it("sanitizes, cuts and JSON-quotes a name a server chose", () => {
    expect(quoteServerText("echo")).toBe('"echo"');
    expect(quoteServerText("")).toBe('""');
    expect(quoteServerText("a\nb")).toBe('"a\\nb"');
    expect(quoteServerText("\x1b[31mred\x1b[0m \u202e Bearer ghp_quotedToken0123456789abcdefAB")).toBe(
      '"red  Bearer [REDACTED]"',
    );
    expect(quoteServerText("x".repeat(150))).toBe(`"${"x".repeat(100)}… (50 more characters)"`);
    expect(quoteServerText("x".repeat(150), 10)).toBe(`"${"x".repeat(10)}… (140 more characters)"`);
  });
});

describe("errorMapping puts no raw server text into messages", () => {
  const scope = { serverName: "srv", operation: "tools/call echo", transportType: "streamable-http" };

  it("a JSON-RPC error message with a token and escape codes", () => {
    const error = mapError(new ProtocolError(-32000, reflected("rpc"), { token: "s3cr3t-value" }), scope);
    expect(error).toBeInstanceOf(MCPServerError);
    expect(error.message).toContain("rpc: Authorization: [REDACTED]");
    expectClean(error.message);
    expectClean(JSON.stringify(error.toJSON()));
  });

  it("an SDK transport error quoting an HTTP body", () => {
    const error = mapError(new SdkError(SdkErrorCode.InvalidResult, reflected("body")), scope);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
    expectClean(error.message);
    expectClean(JSON.stringify(error.toJSON()));
  });

  it("anything else thrown, as a string", () => {
    const error = mapError(reflected("thrown"), scope);
    expectClean(error.message);
    expectClean(JSON.stringify(error.toJSON()));
  });
});

// The shape rules of src/errors/serverText.ts, review round: reflected-secret shapes the rules missed
// (review S3), values hidden that were no secret (C1), a pair that swallowed the next one, the
// window cut that dropped a value's name (S8), and invisible or line-breaking characters.
import { describe, expect, it } from "vitest";

import { redactUrl } from "../../../src/errors/redactUrl.js";
import { isSecretKey, REDACTED } from "../../../src/errors/secretKeys.js";
import {
  redactText,
  sanitizeServerText,
  sanitizeText,
  stripControlCharacters,
} from "../../../src/errors/serverText.js";

/** Opaque: no prefix or shape any rule could know. */
const S = "Zq8xV2mN4pL7wR1t";

describe("reflected secrets in shapes the rules now follow (nothing registered)", () => {
  it.each([
    ["Go http.Header JSON", `{"headers":{"X-Api-Key":["${S}"]}}`],
    ["a JSON array under a secret name", `{"password":["${S}"]}`],
    ["a JSON object under a secret name", `{"token":{"value":"${S}"}}`],
    ["JSON inside a JSON string", `{\\"token\\":\\"${S}\\"}`],
    ["the colon on the next line", `"token"\n: "${S}"`],
    ["YAML, the value on the next line", `api_key:\n  ${S}`],
    ["Authorization with the credential on the next line", `Authorization: Bearer\n${S}`],
    ["URL-encoded header", `authorization%3A%20Bearer%20${S}`],
    ["URL-encoded token after a scheme", `echo=Bearer%20ghp_${S}abcd`],
    ["URL-encoded quote before a token", `x=%22ghp_${S}abcd%22`],
    ["a zero-width space splitting a token prefix", `Bearer gh\u200bp_${S}`],
    ["a long all-letter credential", "Bearer abcdefghijklmnop"],
    ["a Ruby/PHP arrow", `api_key => '${S}'`],
    ["an XML element", `<password>${S}</password>`],
    ["prose", `password is ${S}.`],
    ["a signed URL (Azure SAS)", `https://example.com/x?sig=${S}`],
    ["a signed URL (S3)", `https://example.com/x?X-Amz-Signature=${S}`],
    ["a token in the URL fragment", `https://example.com/cb#access_token=${S}&state=1`],
    ["a Databricks token", `dapi${"a1".repeat(16)}`],
    ["an unclosed quoted value", `password="${S} and more`],
  ])("%s", (_label, text) => {
    const out = sanitizeText(text);
    expect(out).not.toContain(S);
    expect(out).not.toContain("abcdefghijklmnop");
    expect(out).not.toContain("a1a1a1a1");
    expect(out).toMatch(/\[REDACTED\]|%5BREDACTED%5D/);
  });

  it.each([
    ["after a name that is no secret", `x=password=${S}`],
    ["after the bare word key", `key=password=${S}`],
    ["after a YAML name", `status: password: ${S}`],
    ["after a name and a colon", `name:api_key=${S}`],
  ])("a pair never swallows the secret pair after it (%s)", (_label, text) => {
    expect(redactText(text)).not.toContain(S);
  });

  it("keeps the shape of what it hides", () => {
    expect(redactText(`{"X-Api-Key":["${S}"]}`)).toBe(`{"X-Api-Key":["${REDACTED}"]}`);
    expect(redactText(`<password>${S}</password>`)).toBe(`<password>${REDACTED}</password>`);
    expect(redactText(`password is ${S}.`)).toBe(`password is ${REDACTED}.`);
    expect(redactText(`{\\"token\\":\\"${S}\\"}`)).toBe(`{\\"token\\":\\"${REDACTED}\\"}`);
    expect(redactUrl(`https://example.com/cb#access_token=${S}&state=1`)).toBe(
      "https://example.com/cb#access_token=%5BREDACTED%5D&state=1",
    );
  });
});

describe("no over-redaction: numbers, booleans, plain words and describing names stay (C1)", () => {
  it.each([
    "max_tokens=100000 exceeds the model limit of 8192",
    "max_tokens: 4096 is too large",
    '{"usage":{"input_tokens":1200,"output_tokens":300}}',
    "primary_key=user_id is missing",
    "sort_key: created_at",
    '{"token_type":"Bearer","expires_in":3600}',
    "key_id=abc123def rotated",
    "foreign_key=orders.user_id violated",
    "tokens_remaining=42",
    "password_min_length=12",
    "auth_method=oauth2",
    "keys=10 exceeds max_keys=5",
    "Error: tool get_secret failed (secret_name=prod-db)",
    '{"password": null, "auth_required": true}',
    '{"token_endpoint_auth_method":"client_secret_basic","bearer_methods_supported":["header"]}',
    '{"client_secret_expires_at":0}',
    "password is incorrect",
    "the token was revoked",
    "tokenizer=cl100k_base",
  ])("%j", (text) => {
    expect(sanitizeText(text)).toBe(text);
  });

  it("still hides a numeric password (a PIN) and secrets next to describing names", () => {
    expect(redactText('{"password":123456,"token_type":"Bearer"}')).toBe(
      `{"password":${REDACTED},"token_type":"Bearer"}`,
    );
    expect(redactText("pin_password=1234 max_tokens=10")).toBe(`pin_password=${REDACTED} max_tokens=10`);
  });

  it.each([
    ["maxTokens", false],
    ["tokenType", false],
    ["token_endpoint", false],
    ["primaryKey", false],
    ["secretName", false],
    ["tokenizer", false],
    ["apiKey", true],
    ["accesstoken", true],
    ["dbpassword", true],
    ["secret_key_base", true],
    ["X-Amz-Signature", true],
    ["privateKey", true],
  ])("isSecretKey(%j) is %s (whole words)", (name, secret) => {
    expect(isSecretKey(name)).toBe(secret);
  });
});

describe("sanitizeServerText: a window cut keeps what names a value (S8)", () => {
  const max = 100;
  const window = max * 4 + 4_096;
  /**
   * `before` + `rest`, where `rest` is exactly the window kept for `keep: "end"`: it starts right
   * after `before`, and colour codes (removed by the sanitizer) fill it, so what follows the cut is
   * what gets shown.
   */
  const cutAfter = (before: string, rest: string) => {
    const filled = rest + "\x1b[0m".repeat(window);
    return `${"filler ".repeat(1_000)}${before}${filled.slice(0, window)}`;
  };

  it("a line-based tail cut inside `api_key:` drops the whole line", () => {
    const text = cutAfter("  ap", `i_key: ${S}\n`);
    expect(text.slice(-window).startsWith("i_key:")).toBe(true);
    const out = sanitizeServerText(text, max, "end");
    expect(out).not.toContain(S);
  });

  it("a one-line tail cut inside a JSON name drops the value after it", () => {
    const text = cutAfter('{"api_', `key": "${S}", "n": 1`);
    const out = sanitizeServerText(text, max, "end");
    expect(out).not.toContain(S);
    expect(out).toContain('"n": 1');
  });

  it("a tail cut inside a private key block hides the rest of the block", () => {
    const body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n".repeat(200);
    const text = `-----BEGIN PRIVATE KEY-----\n${body}-----END PRIVATE KEY-----\ndone\n${"\x1b[0m".repeat(1_500)}`;
    const out = sanitizeServerText(text, 1_000, "end");
    expect(out).not.toContain("MIIEvQIBADANBgkq");
    expect(out).toContain("done");
  });
});

describe("line separators and invisible characters", () => {
  it("U+2028 and U+2029 become newlines", () => {
    expect(stripControlCharacters("one\u2028two\u2029three")).toBe("one\ntwo\nthree");
  });

  it.each([
    ["zero-width space, joiners, word joiner, BOM", "a\u200bb\u200cc\u200dd\u2060e\ufefff"],
    ["LRM, RLM, ALM", "a\u200eb\u200fc\u061cd"],
    ["soft hyphen, Mongolian vowel separator, invisible operators", "a\u00adb\u180ec\u2062d"],
    ["tag characters (hidden text)", "a\udb40\udc41\udb40\udc42b"],
  ])("%s are removed", (_label, text) => {
    expect(stripControlCharacters(text).replace(/[a-f]/g, "")).toBe("");
  });

  it("text with none of them is returned as is", () => {
    const text = "héllo — 日本語 ✓ 👍";
    expect(stripControlCharacters(text)).toBe(text);
  });
});

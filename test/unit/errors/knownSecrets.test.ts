// Known-secret redaction: the client knows exactly which credentials it sent (header values, env
// values, `auth` secrets, expanded `${VAR}`s). A server may echo them in any shape — inside a JSON
// array, an escaped JSON string, YAML, URL-encoded, base64 — that no shape rule follows; the exact
// value is hidden wherever it appears, in every form, before the shape rules run.
import { Buffer } from "node:buffer";

import { afterEach, describe, expect, it } from "vitest";

import { prepareConnection } from "../../../src/client/prepare.js";
import { expandString } from "../../../src/config/expandVariables.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPConnectionError } from "../../../src/errors/errors.js";
import { forgetAllSecrets, forgetSecret, registerSecret } from "../../../src/errors/knownSecrets.js";
import { redact, redactCommandLine } from "../../../src/errors/redact.js";
import { redactUrl } from "../../../src/errors/redactUrl.js";
import { REDACTED } from "../../../src/errors/secretKeys.js";
import { sanitizeServerText, sanitizeText } from "../../../src/errors/serverText.js";

/** An opaque API key, as most are: no prefix, no shape a rule could know. */
const KEY = "Zq8xV2mN4pL7wR1tQ0aB";

afterEach(() => forgetAllSecrets());

describe("a registered secret is hidden in every form a server may echo it in", () => {
  const base64 = (text: string, encoding: "base64" | "base64url" = "base64") =>
    Buffer.from(text).toString(encoding);
  it.each([
    ["bare, in prose", `the upstream said ${KEY} is unknown`, KEY],
    ["Go http.Header JSON", JSON.stringify({ headers: { "X-Custom": [KEY] } }), KEY],
    ["inside an escaped JSON string", JSON.stringify({ error: JSON.stringify({ cfg: KEY }) }), KEY],
    ["YAML value on the next line", `settings:\n  ${KEY}\n`, KEY],
    ["URL-encoded", `redirect=${encodeURIComponent(`x ${KEY}/`)}`, KEY],
    ["base64 alone", `creds=${base64(KEY)}`, base64(KEY).slice(0, 24)],
    ["base64 inside longer base64", `blob=${base64(`user:${KEY}`)}`, base64(`user:${KEY}`).slice(8, 32)],
    [
      "base64url inside longer base64",
      `blob=${base64(`ab:${KEY}`, "base64url")}`,
      base64(`ab:${KEY}`, "base64url").slice(4, 24),
    ],
  ])("%s", (_label, text, leak) => {
    // No shape rule sees it: only the registered value does.
    expect(sanitizeText(text)).toBe(text);
    registerSecret(KEY);
    const out = sanitizeText(text);
    expect(out).not.toContain(leak);
    expect(out).toContain(REDACTED);
  });

  it("URL-encoded and JSON-escaped forms of a value with special characters", () => {
    const secret = 'p@ss/w+rd "quoted" \\ end';
    registerSecret(secret);
    for (const text of [
      `echo: ${encodeURIComponent(secret)}`,
      `echo: ${encodeURIComponent(secret).replace(/%20/g, "+")}`,
      `echo: ${JSON.stringify({ v: secret })}`,
      `echo: ${JSON.stringify(JSON.stringify({ v: secret }))}`,
    ]) {
      const out = sanitizeText(text);
      expect(out, text).toContain(REDACTED);
      expect(out).not.toContain("w+rd");
      expect(out).not.toContain("w%2Brd");
    }
  });

  it("the credential of a scheme value, and the password of Basic, are secrets of their own", () => {
    registerSecret(`Bearer ${KEY}`);
    expect(sanitizeText(`got ["${KEY}"]`)).not.toContain(KEY);
    const basic = Buffer.from("alice:opensesame42").toString("base64");
    registerSecret(`Basic ${basic}`);
    expect(sanitizeText("the password opensesame42 is wrong")).not.toContain("opensesame42");
  });

  it("reaches every output: messages, toJSON() causes, context, command lines, URLs", () => {
    registerSecret(KEY);
    const error = new MCPConnectionError(`HTTP 401: {"X-Custom":["${KEY}"]}`, {
      cause: new Error(`body {"cfg":"${KEY}"}`),
      context: { note: `echo ${KEY}` },
      process: { exitCode: 1, signal: null, stderrTail: `fatal: bad config ${KEY}` },
    });
    expect(JSON.stringify(error.toJSON())).not.toContain(KEY);
    expect(error.message).not.toContain(KEY);
    expect(error.process?.stderrTail).not.toContain(KEY);
    expect(JSON.stringify(redact({ list: [KEY] }))).not.toContain(KEY);
    expect(redactCommandLine(["server", `--config=${KEY}`, KEY]).join(" ")).not.toContain(KEY);
    expect(redactUrl(`https://example.com/${KEY}/mcp`)).not.toContain(KEY);
    expect(sanitizeServerText(`${"x ".repeat(10_000)}${KEY}`, 50, "end")).not.toContain(KEY);
  });
});

describe("what is registered, and for how long", () => {
  it("ignores values shorter than 6 characters (hiding `admin` everywhere would mangle messages)", () => {
    registerSecret("admin");
    expect(sanitizeText("admin user admin")).toBe("admin user admin");
    registerSecret("admin1");
    expect(sanitizeText("admin1 user")).toBe(`${REDACTED} user`);
  });

  it("under a name that does not look secret, only values that look like a credential", () => {
    registerSecret("production", { name: "NODE_ENV" });
    registerSecret("/home/user/projects/app", { name: "ALLOWED_DIR" });
    registerSecret("https://api.example.com/v1", { name: "API_BASE" });
    registerSecret("us-east-1-primary", { name: "REGION" });
    expect(
      sanitizeText("production /home/user/projects/app https://api.example.com/v1 us-east-1-primary"),
    ).toBe("production /home/user/projects/app https://api.example.com/v1 us-east-1-primary");
    registerSecret(KEY, { name: "X-Request-Source" });
    registerSecret("correct horse", { name: "DB_PASSWORD" });
    registerSecret("ghp_0123456789abcdefABCDEF", { name: "UPSTREAM" });
    expect(sanitizeText(`${KEY} correct horse`)).toBe(`${REDACTED} ${REDACTED}`);
  });

  it("counts registrations: forgetting once of two keeps it hidden", () => {
    registerSecret(KEY);
    registerSecret(KEY);
    forgetSecret(KEY);
    expect(sanitizeText(KEY)).toBe(REDACTED);
    forgetSecret(KEY);
    expect(sanitizeText(KEY)).toBe(KEY);
  });

  it("keeps a bounded number of values: the oldest registration goes first", () => {
    const values = Array.from({ length: 1_000 }, (_, i) => `secret-value-${i}-Zq8x`);
    for (const value of values) registerSecret(value);
    expect(sanitizeText(values.at(-1)!)).toBe(REDACTED);
    expect(sanitizeText(values[0]!)).toBe(values[0]);
    // A value registered again is the newest: it survives the next wave.
    registerSecret(values[999]!);
    for (let i = 0; i < 255; i++) registerSecret(`another-value-${i}-Zq8x`);
    expect(sanitizeText(values[999]!)).toBe(REDACTED);
  });

  it("ignores values too long to be a credential", () => {
    const huge = `A1${"b".repeat(10_000)}`;
    registerSecret(huge);
    expect(sanitizeText(`x ${huge}`.slice(0, 100))).toContain("bbbb");
  });
});

describe("the code that sends credentials registers them", () => {
  it("expandString: the value of a secret-looking ${VAR}, not of ${HOME}", () => {
    expandString("Bearer ${UPSTREAM_TOKEN} in ${HOME}", { UPSTREAM_TOKEN: KEY, HOME: "/home/alice" });
    expect(sanitizeText(`echo ${KEY} in /home/alice`)).toBe(`echo ${REDACTED} in /home/alice`);
  });

  it("prepareConnection: configured env values of a stdio server", async () => {
    const config = MCPConfigValidator.validateServerConfig({
      name: "s",
      command: "node",
      args: ["server.js"],
      env: { SERVICE_TOKEN: KEY, LOG_LEVEL: "debugging" },
    });
    await prepareConnection(config, {});
    expect(sanitizeText(`config ${KEY} level debugging`)).toBe(`config ${REDACTED} level debugging`);
  });

  it("prepareConnection: header values and auth secrets of an HTTP server", async () => {
    const clientSecret = "cs-9f8e7d6c5b4a3210";
    const config = MCPConfigValidator.validateServerConfig({
      name: "h",
      url: "https://mcp.example.com/mcp",
      headers: { "X-Api-Key": "${API_KEY}", Accept: "application/json" },
      auth: { flow: "client_credentials", client_id: "app", client_secret: clientSecret },
    });
    await prepareConnection(config, { API_KEY: KEY });
    const out = sanitizeText(`{"X-Api-Key":["${KEY}"],"c":"${clientSecret}","accept":"application/json"}`);
    expect(out).not.toContain(KEY);
    expect(out).not.toContain(clientSecret);
    expect(out).toContain("application/json");
  });
});

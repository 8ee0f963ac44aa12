import { describe, expect, it } from "vitest";

import {
  isMCPError,
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
import { redact } from "../../../src/errors/redact.js";
import { redactUrl } from "../../../src/errors/redactUrl.js";
import { isSecretKey, REDACTED } from "../../../src/errors/secretKeys.js";

describe("error hierarchy", () => {
  it("keeps the seed's class names and a stable code per class", () => {
    const cases: Array<[MCPError, string, string]> = [
      [new MCPError("x"), "MCPError", "NOT_FOUND"],
      [new MCPConnectionError("x"), "MCPConnectionError", "CONNECTION_CLOSED"],
      [new MCPCircuitOpenError("x", { retryAfter: 3 }), "MCPCircuitOpenError", "CIRCUIT_OPEN"],
      [new MCPServerError("x", { rpcCode: -32601 }), "MCPServerError", "SERVER_ERROR"],
      [new MCPResourceError("x"), "MCPResourceError", "RESOURCE_ERROR"],
      [new MCPConfigurationError("x"), "MCPConfigurationError", "CONFIG_INVALID"],
      [
        new MCPTimeoutError("x", { timeoutSeconds: 1, operation: "ping" }),
        "MCPTimeoutError",
        "REQUEST_TIMEOUT",
      ],
      [new MCPCancelledError("x", { operation: "ping" }), "MCPCancelledError", "REQUEST_CANCELLED"],
      [new MCPValidationError("x"), "MCPValidationError", "INVALID_ARGUMENTS"],
      [new MCPAuthenticationError("x"), "MCPAuthenticationError", "AUTH_REQUIRED"],
    ];
    for (const [error, name, code] of cases) {
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error).toBeInstanceOf(MCPError);
      expect(error).toBeInstanceOf(Error);
      expect(String(error.stack)).toContain(name);
    }
  });

  it("models the subclass relations callers catch on", () => {
    const open = new MCPCircuitOpenError("open", { retryAfter: 2 });
    expect(open).toBeInstanceOf(MCPConnectionError);
    expect(new MCPResourceError("r")).toBeInstanceOf(MCPServerError);
    expect(new MCPTimeoutError("t", { timeoutSeconds: 1, operation: "x" })).not.toBeInstanceOf(
      MCPConnectionError,
    );
    expect(new MCPCancelledError("c", { operation: "x" })).not.toBeInstanceOf(MCPTimeoutError);
    expect(new MCPServerError("s")).not.toBeInstanceOf(MCPConnectionError);
  });

  it("says when a circuit is tried again", () => {
    const open = new MCPCircuitOpenError("open", { retryAfter: 2.5 });
    expect(open.retryAfter).toBe(2.5);
    expect(open.retryAt.getTime() - open.timestamp.getTime()).toBe(2500);
  });

  it("recognises errors from another copy of the package (brand, not constructor identity)", () => {
    // What a second copy of mcp-tools would create: same global symbols, different classes.
    const foreign = Object.assign(new Error("other copy"), { code: "CONNECTION_CLOSED" });
    Object.defineProperty(foreign, Symbol.for("mcp-tools.error"), { value: true });
    Object.defineProperty(foreign, Symbol.for("mcp-tools.error.kinds"), {
      value: ["MCPError", "MCPConnectionError"],
    });
    expect(foreign instanceof MCPError).toBe(true);
    expect(foreign instanceof MCPConnectionError).toBe(true);
    expect(foreign instanceof MCPServerError).toBe(false);
    expect(isMCPError(foreign)).toBe(true);
    expect(isMCPError(new Error("plain"))).toBe(false);
    expect(isMCPError(null)).toBe(false);
  });

  it("isMCPError can check the code", () => {
    const error = new MCPConnectionError("x", { code: "PROCESS_EXITED" });
    expect(isMCPError(error, "PROCESS_EXITED")).toBe(true);
    expect(isMCPError(error, "SPAWN_FAILED")).toBe(false);
  });

  it("keeps cause and serialises to redacted JSON", () => {
    const cause = Object.assign(new Error("ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
    const error = new MCPConnectionError("could not reach", {
      code: "CONNECTION_REFUSED",
      serverName: "web",
      cause,
      context: {
        url: "https://user:pw@host/x?token=abc",
        headers: { Authorization: "Bearer xyz" },
        apiKey: "k",
      },
    });
    expect(error.cause).toBe(cause);
    const json = error.toJSON();
    expect(json).toMatchObject({
      name: "MCPConnectionError",
      code: "CONNECTION_REFUSED",
      serverName: "web",
      message: "could not reach",
      cause: { name: "Error", message: "ECONNREFUSED 127.0.0.1:1", code: "ECONNREFUSED" },
    });
    const text = JSON.stringify(json);
    expect(text).not.toContain("xyz");
    expect(text).not.toContain("pw@");
    expect(text).not.toContain("token=abc");
    expect(json.context.apiKey).toBe(REDACTED);
  });

  it("configuration errors carry their issues in JSON", () => {
    const error = new MCPConfigurationError("bad", {
      issues: [{ path: "name", message: "required", rule: "config.schema" }],
    });
    expect(error.toJSON().issues).toEqual([{ path: "name", message: "required", rule: "config.schema" }]);
  });
});

describe("redaction", () => {
  it.each([
    "password",
    "apiKey",
    "api_key",
    "x-api-key",
    "ACCESS_TOKEN",
    "clientSecret",
    "Authorization",
    "credentials",
    "cookie",
  ])("treats %s as secret", (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(["name", "missingKeys", "timeout", "server", "monkey", "keyboard"])("keeps %s visible", (key) => {
    expect(isSecretKey(key)).toBe(false);
  });

  it("walks deeply and hides env and header values but keeps their names", () => {
    const out = redact({
      config: {
        name: "a",
        env: { GITHUB_TOKEN: "t", PLAIN: "p" },
        headers: { "X-Trace": "v" },
        nested: [{ secret: 1 }],
      },
    }) as { config: Record<string, unknown> };
    expect(out.config.name).toBe("a");
    expect(out.config.env).toEqual({ GITHUB_TOKEN: REDACTED, PLAIN: REDACTED });
    expect(out.config.headers).toEqual({ "X-Trace": REDACTED });
    expect(out.config.nested).toEqual([{ secret: REDACTED }]);
  });

  it("survives cycles, functions, bigints and depth", () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const out = redact({ cyclic, fn: () => 1, big: 10n }) as Record<string, unknown>;
    expect((out.cyclic as Record<string, unknown>).self).toBe("[Circular]");
    expect(out.fn).toBeUndefined();
    expect(out.big).toBe("10");
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 20; i++) deep = deep.child = {};
    expect(() => JSON.stringify(redact(root))).not.toThrow();
  });

  it("copies a key named __proto__ as data: the copy keeps its prototype, nothing is read through it", () => {
    // JSON.parse makes "__proto__" an own key, as a config file or a server's data would.
    const value = JSON.parse(
      '{"__proto__": {"polluted": "yes", "token": "t0p"}, "context": {"__proto__": {"x": 1}}, "n": 1}',
    ) as Record<string, unknown>;
    const out = redact(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(out["polluted"]).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toEqual(
      JSON.parse(
        '{"__proto__": {"polluted": "yes", "token": "[REDACTED]"}, "context": {"__proto__": {"x": 1}}, "n": 1}',
      ),
    );
    const context = new MCPError("m", { context: value }).context;
    expect(Object.getPrototypeOf(context)).toBe(Object.prototype);
    expect(Object.hasOwn(context, "__proto__")).toBe(true);
  });

  it("hides userinfo and secret query parameters in URLs", () => {
    expect(redactUrl("https://bob:hunter2@example.com/mcp?access_token=abc&page=2")).toBe(
      "https://%5BREDACTED%5D:%5BREDACTED%5D@example.com/mcp?access_token=%5BREDACTED%5D&page=2",
    );
    expect(redactUrl("not a url")).toBe("not a url");
  });
});

import { describe, expect, it } from "vitest";

import type { ErrorCode } from "../../../src/errors/codes.js";
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
import { classifyOutcome, matchesExpected } from "../../../src/resilience/outcome.js";

const connection = (code: ErrorCode, httpStatus?: number) =>
  new MCPConnectionError(`failed (${code})`, { code, httpStatus });

describe("classifyOutcome (fault-matrix §1.7 item 2)", () => {
  it.each([
    ["PROCESS_EXITED", connection("PROCESS_EXITED")],
    ["CONNECTION_CLOSED", connection("CONNECTION_CLOSED")],
    ["CONNECTION_REFUSED", connection("CONNECTION_REFUSED")],
    ["SPAWN_FAILED", connection("SPAWN_FAILED")],
    ["MESSAGE_TOO_LARGE", connection("MESSAGE_TOO_LARGE")],
    ["PROTOCOL_ERROR", connection("PROTOCOL_ERROR")],
    ["SESSION_EXPIRED", connection("SESSION_EXPIRED")],
    ["REQUEST_TIMEOUT", new MCPTimeoutError("slow", { timeoutSeconds: 1, operation: "x" })],
    [
      "INITIALIZE_TIMEOUT",
      new MCPTimeoutError("slow", { code: "INITIALIZE_TIMEOUT", timeoutSeconds: 1, operation: "initialize" }),
    ],
    ["HTTP 500", connection("HTTP_STATUS", 500)],
    ["HTTP 503", connection("HTTP_STATUS", 503)],
    ["HTTP 408", connection("HTTP_STATUS", 408)],
    ["HTTP 429", connection("HTTP_STATUS", 429)],
  ])("%s is a failure", (_label, error) => {
    expect(classifyOutcome(error)).toBe("failure");
  });

  it.each([
    ["a JSON-RPC error", new MCPServerError("bad params", { rpcCode: -32602 })],
    ["method not found", new MCPServerError("nope", { rpcCode: -32601 })],
    ["a resource error", new MCPResourceError("missing", { rpcCode: -32002 })],
    ["HTTP 404", connection("HTTP_STATUS", 404)],
    ["HTTP 400", connection("HTTP_STATUS", 400)],
  ])("%s is a success (the server answered)", (_label, error) => {
    expect(classifyOutcome(error)).toBe("success");
  });

  it.each([
    ["a caller's abort", new MCPCancelledError("aborted", { operation: "x" })],
    ["a policy refusal", new MCPValidationError("too big", { code: "POLICY_VIOLATION" })],
    ["a schema refusal", new MCPValidationError("bad args", { code: "INVALID_ARGUMENTS" })],
    ["a config error", new MCPConfigurationError("bad config")],
    ["a missing ${VAR}", new MCPConfigurationError("unset", { code: "ENV_VAR_MISSING" })],
    ["QUEUE_FULL", new MCPError("full", { code: "QUEUE_FULL" })],
    ["CIRCUIT_OPEN", new MCPCircuitOpenError("open", { retryAfter: 1 })],
    ["NOT_FOUND", new MCPError("unknown tool", { code: "NOT_FOUND" })],
    ["NOT_CONNECTED", connection("NOT_CONNECTED")],
    ["401", new MCPAuthenticationError("who are you", { httpStatus: 401 })],
    ["403", new MCPAuthenticationError("forbidden", { code: "AUTH_FAILED", httpStatus: 403 })],
    ["HTTP_STATUS 401", connection("HTTP_STATUS", 401)],
    ["an AbortError", Object.assign(new Error("aborted"), { name: "AbortError" })],
    ["an unknown error", new TypeError("a bug")],
  ])("%s is neutral", (_label, error) => {
    expect(classifyOutcome(error)).toBe("neutral");
  });

  it("expected_exception narrows failures to the listed classes", () => {
    const timeout = new MCPTimeoutError("slow", { timeoutSeconds: 1, operation: "x" });
    const exited = connection("PROCESS_EXITED");
    expect(classifyOutcome(timeout, ["MCPConnectionError"])).toBe("neutral");
    expect(classifyOutcome(exited, ["MCPConnectionError"])).toBe("failure");
    expect(classifyOutcome(exited, ["MCPTimeoutError"])).toBe("neutral");
    expect(classifyOutcome(timeout, ["MCPTimeoutError"])).toBe("failure");
  });

  it("expected_exception never turns an answer or a neutral refusal into a failure", () => {
    const everything = ["Exception"];
    expect(classifyOutcome(new MCPServerError("x", { rpcCode: -1 }), everything)).toBe("success");
    expect(classifyOutcome(new MCPCancelledError("x", { operation: "x" }), everything)).toBe("neutral");
    expect(classifyOutcome(new TypeError("bug"), everything)).toBe("failure");
  });

  it("matches class names, codes, dotted Python paths and Python aliases", () => {
    const timeout = new MCPTimeoutError("slow", { timeoutSeconds: 1, operation: "x" });
    const exited = connection("PROCESS_EXITED");
    expect(matchesExpected(timeout, ["REQUEST_TIMEOUT"])).toBe(true);
    expect(matchesExpected(timeout, ["TimeoutError"])).toBe(true);
    expect(matchesExpected(exited, ["ConnectionError"])).toBe(true);
    expect(matchesExpected(exited, ["massgen.mcp_tools.exceptions.MCPConnectionError"])).toBe(true);
    expect(matchesExpected(exited, ["MCPError"])).toBe(true);
    expect(matchesExpected(exited, ["MCPServerError"])).toBe(false);
    expect(matchesExpected(new MCPCircuitOpenError("x", { retryAfter: 1 }), ["MCPConnectionError"])).toBe(
      true,
    );
  });

  it("an entry is an alias only when the alias table has it as its own key (toString, constructor)", () => {
    const named = (name: string) => Object.assign(new Error("x"), { name });
    expect(matchesExpected(named("toString"), ["toString"])).toBe(true);
    expect(matchesExpected(named("constructor"), ["constructor"])).toBe(true);
    expect(matchesExpected(named("Other"), ["toString"])).toBe(false);
  });
});

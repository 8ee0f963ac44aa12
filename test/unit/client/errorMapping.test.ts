// mapError on the shapes the SDK and its legacy SSE transport really raise (read from
// @modelcontextprotocol/client 2.x): `SseError` with the HTTP status in `code`, the SSE POST failure as a
// plain `Error` holding the status and the whole body, and the SDK's own output-schema `ProtocolError`s.
import { ProtocolError, SdkError, SdkErrorCode, SdkHttpError, SseError } from "@modelcontextprotocol/client";
import { describe, expect, it } from "vitest";

import { type ErrorScope, mapError } from "../../../src/client/errorMapping.js";
import { MCPAuthenticationError, MCPConnectionError, MCPServerError } from "../../../src/errors/errors.js";

const scope: ErrorScope = { serverName: "srv", operation: 'tools/call "t"', transportType: "sse" };

/** What the `eventsource` package reports, wrapped as the SDK's SSE transport does. */
function sseError(code: number | undefined, message: string): SseError {
  return new SseError(code, message, undefined as never);
}

/** The legacy SSE transport's POST failure (a plain Error). */
function ssePostError(status: number, body: string): Error {
  return new Error(`Error POSTing to endpoint (HTTP ${status}): ${body}`);
}

describe("mapError: legacy SSE failures", () => {
  it("a refused SSE stream (the fetch error flattened into the message) is CONNECTION_REFUSED", () => {
    const error = mapError(
      sseError(undefined, "TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:45985"),
      scope,
    );
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_REFUSED", context: { errno: "ECONNREFUSED" } });
  });

  it("an SSE error naming no known network code stays PROTOCOL_ERROR", () => {
    const error = mapError(sseError(undefined, 'Invalid content type, expected "text/event-stream"'), scope);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
  });

  it.each([
    [401, "AUTH_FAILED"],
    [403, "AUTH_FAILED"],
  ])("SSE stream answered %i: MCPAuthenticationError %s with httpStatus", (status, code) => {
    const error = mapError(sseError(status, `Non-200 status code (${status})`), scope);
    expect(error).toBeInstanceOf(MCPAuthenticationError);
    expect(error).toMatchObject({ code, httpStatus: status });
  });

  it.each([404, 500, 503, 429])("SSE stream answered %i: HTTP_STATUS with httpStatus", (status) => {
    const error = mapError(sseError(status, `Non-200 status code (${status})`), scope);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: status });
  });

  it("a POST answered 503 with a 5 kB body: HTTP_STATUS 503, and the body is not in the message", () => {
    const body = `<html>upstream said: token=abc123 ${"x".repeat(5000)}</html>`;
    const error = mapError(ssePostError(503, body), scope);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 503 });
    expect(error.message).not.toContain("token=abc123");
    expect(error.message.length).toBeLessThan(300);
    expect((error.cause as Error).message).toContain("token=abc123");
  });

  it.each([
    [401, MCPAuthenticationError, "AUTH_FAILED"],
    [403, MCPAuthenticationError, "AUTH_FAILED"],
    [404, MCPConnectionError, "HTTP_STATUS"],
  ] as const)("a POST answered %i maps like the stream", (status, type, code) => {
    const error = mapError(ssePostError(status, ""), scope);
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, httpStatus: status });
  });

  it("an Error that merely mentions a POST failure later in its message is not read as a status", () => {
    const error = mapError(new Error("wrapped: Error POSTing to endpoint (HTTP 503): x"), scope);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR", httpStatus: undefined });
  });
});

describe("mapError: network codes are own keys of the table", () => {
  it.each(["constructor", "toString", "__proto__"])("an error with code %s is no network failure", (code) => {
    const error = mapError(Object.assign(new Error("odd failure"), { code }), scope);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(error.message).toContain("odd failure");
    expect(error.message).not.toContain("native code");
  });
});

describe("mapError: server text in messages is bounded", () => {
  it("the text of an unrecognised error is cut to 200 characters", () => {
    const long = "y".repeat(5000);
    const error = mapError(new Error(long), scope);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(error.message).toContain("y".repeat(200));
    expect(error.message).not.toContain("y".repeat(201));
    expect(error.message).toContain("4800 more characters");
  });

  it("text of exactly 200 characters is kept whole", () => {
    const error = mapError(new Error("z".repeat(200)), scope);
    expect(error.message).toContain("z".repeat(200));
    expect(error.message).not.toContain("more characters");
  });

  it("an SDK error's message (which can hold a response body) is cut too", () => {
    const error = mapError(
      new SdkError(SdkErrorCode.ClientHttpUnexpectedContent, `Unexpected content: ${"b".repeat(3000)}`),
      scope,
    );
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(error.message.length).toBeLessThan(400);
  });

  it("a JSON-RPC error message is kept up to 1000 characters", () => {
    const kept = mapError(new ProtocolError(-32602, "m".repeat(1000)), scope);
    expect(kept.message).toContain("m".repeat(1000));
    const cut = mapError(new ProtocolError(-32602, "m".repeat(1001)), scope);
    expect(cut.message).not.toContain("m".repeat(1001));
    expect(cut.message).toContain("1 more characters");
  });

  it("streamable-HTTP status errors still map by status (regression guard for the shared path)", () => {
    const error = mapError(
      new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, "Error POSTing to endpoint: body", {
        status: 502,
        statusText: "Bad Gateway",
      }),
      { ...scope, transportType: "streamable-http" },
    );
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 502 });
  });
});

describe("mapError: the SDK's own output-schema checks", () => {
  const local = [
    [-32602, "Structured content does not match the tool's output schema: data/n must be number"],
    [-32600, "Tool t has an output schema but did not return structured content"],
    [-32602, "Failed to validate structured content: boom"],
  ] as const;

  it.each(local)("%i %s → PROTOCOL_ERROR saying the result does not match the outputSchema", (code, text) => {
    const error = mapError(new ProtocolError(code, text), scope);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).not.toBeInstanceOf(MCPServerError);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR", serverName: "srv" });
    expect(error.message).toContain("does not match its declared outputSchema");
    expect(error.message).not.toContain(`with error ${code}`);
  });

  it("an outputSchema that cannot be compiled: PROTOCOL_ERROR saying the call was not sent", () => {
    const error = mapError(
      new ProtocolError(-32602, "Tool 't' has an invalid outputSchema: unknown keyword"),
      scope,
    );
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(error.message).toContain("was not sent");
    expect(error.message).toContain("outputSchema");
  });

  it("the same code with a server's own message is still the server's error", () => {
    const error = mapError(new ProtocolError(-32602, "Invalid arguments: n must be a number"), scope);
    expect(error).toBeInstanceOf(MCPServerError);
    expect(error).toMatchObject({ code: "SERVER_ERROR", rpcCode: -32602 });
    expect(error.message).toContain("with error -32602");
  });

  it("a server-sent error (it carries data) is not taken for the SDK's check, whatever its text", () => {
    const error = mapError(
      new ProtocolError(-32602, "Structured content does not match the tool's output schema: x", {
        detail: 1,
      }),
      scope,
    );
    expect(error).toBeInstanceOf(MCPServerError);
  });
});

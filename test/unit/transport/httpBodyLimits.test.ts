// The byte counters behind max_message_bytes on HTTP (a whole body; one SSE event) and the text
// matcher that recognises an HTTP 400 saying the session is gone. Both sides of every boundary.
import { describe, expect, it } from "vitest";

import { httpErrorText } from "../../../src/transport/localErrors.js";
import { bodyCounter, sseEventCounter } from "../../../src/transport/responseBodies.js";
import { saysSessionGone } from "../../../src/transport/sessionExpiry.js";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Feeds `chunks` in order; the index of the first chunk refused, or -1. */
function firstRefused(count: (chunk: Uint8Array) => boolean, chunks: string[]): number {
  return chunks.findIndex((chunk) => !count(bytes(chunk)));
}

describe("bodyCounter", () => {
  it("accepts a body of exactly the limit and refuses one byte more, across chunks", () => {
    expect(firstRefused(bodyCounter(10), ["12345", "67890"])).toBe(-1);
    expect(firstRefused(bodyCounter(10), ["12345", "67890", "1"])).toBe(2);
  });
});

describe("sseEventCounter", () => {
  // An event counts its lines, each line end as one byte; the blank line that ends it does not count.
  const event = "data: 123456789\n"; // 16 bytes

  it("accepts an event of exactly the limit and refuses one byte more", () => {
    expect(firstRefused(sseEventCounter(16), [`${event}\n`])).toBe(-1);
    expect(firstRefused(sseEventCounter(15), [`${event}\n`])).toBe(0);
  });

  it("counts per event: many events of the limit in one chunk or over many pass", () => {
    expect(firstRefused(sseEventCounter(16), [`${event}\n`.repeat(1000)])).toBe(-1);
    expect(
      firstRefused(
        sseEventCounter(16),
        Array.from({ length: 100 }, () => `${event}\n`),
      ),
    ).toBe(-1);
  });

  it("refuses an event that grows past the limit before it ends, even without any line end", () => {
    const count = sseEventCounter(100);
    expect(count(bytes("data: "))).toBe(true);
    expect(count(bytes("x".repeat(94)))).toBe(true);
    expect(count(bytes("x"))).toBe(false);
  });

  it("sums the field lines of one event (event:, id:, several data: lines); comments are not part of it", () => {
    const lines = "event: message\nid: 7\n: comment\ndata: a\ndata: b\n"; // 15 + 6 + 8 + 8 = 37
    expect(firstRefused(sseEventCounter(37), [lines, "\n"])).toBe(-1);
    expect(firstRefused(sseEventCounter(36), [lines, "\n"])).toBe(0);
  });

  it("keep-alive comments without blank lines do not add up to an oversized event", () => {
    // 1000 comment lines of 7 bytes (7000, one line end each) under a limit of 1000, then an event
    // of exactly the limit.
    const count = sseEventCounter(1000);
    for (let i = 0; i < 1000; i++) expect(count(bytes(": ping\r\n"))).toBe(true);
    expect(count(bytes(`data: ${"x".repeat(993)}\n\n`))).toBe(true);
  });

  it("still bounds comments: one comment line longer than the limit, or 16 × the limit without a blank line", () => {
    expect(firstRefused(sseEventCounter(100), [`: ${"x".repeat(97)}\n`, "\n"])).toBe(-1);
    expect(firstRefused(sseEventCounter(100), [`: ${"x".repeat(99)}`])).toBe(0);
    // 16 × 100 bytes of comments pass, one comment more does not; a blank line starts the count again.
    const comment = `: ${"x".repeat(97)}\n`; // 100 bytes
    expect(
      firstRefused(
        sseEventCounter(100),
        Array.from({ length: 17 }, () => comment),
      ),
    ).toBe(16);
    expect(
      firstRefused(sseEventCounter(100), [...Array.from({ length: 16 }, () => comment), "\n", comment]),
    ).toBe(-1);
  });

  it("treats CRLF and CR as line ends, also with CR and LF in different chunks", () => {
    // A line end counts one byte, CRLF too: "data: 12345678\r\n" counts 15.
    const crlf = "data: 12345678\r\n";
    expect(firstRefused(sseEventCounter(15), [`${crlf}\r\n`.repeat(50)])).toBe(-1);
    expect(firstRefused(sseEventCounter(14), [`${crlf}\r\n`])).toBe(0);
    // Split between CR and LF: the LF is still part of the same line end, and the blank line ends the event.
    expect(firstRefused(sseEventCounter(15), ["data: 12345678\r", "\n\r", "\n", `${crlf}\r\n`])).toBe(-1);
    expect(
      firstRefused(sseEventCounter(28), ["data: 12345678\r", "\n", "data: 1234567\r", "\n", "\r\n"]),
    ).toBe(2);
    // Bare CR line ends: "data: 123456789\r" is 16 bytes, the second CR ends the event.
    expect(firstRefused(sseEventCounter(16), ["data: 123456789\r\r".repeat(10)])).toBe(-1);
  });

  it("an event split at every byte counts the same as in one chunk", () => {
    const stream = `${event}\n${event}\n`;
    expect(firstRefused(sseEventCounter(16), [...stream])).toBe(-1);
    expect(firstRefused(sseEventCounter(15), [...stream])).toBe(event.length - 1);
  });
});

describe("saysSessionGone (a 400 that means the session is unknown)", () => {
  it.each([
    "Bad Request: No valid session ID provided",
    "Session not found",
    "Invalid or expired session",
    "Unknown session id",
    "Bad Request: session expired",
    "Invalid Mcp-Session-Id",
    "The session does not exist",
    "Session terminated",
    "Bad Request: Server not initialized",
    "NO VALID SESSION",
  ])("recognises %j", (text) => {
    expect(saysSessionGone(text)).toBe(true);
  });

  it.each([
    "Bad Request: invalid params for echo",
    "Bad Request: Mcp-Session-Id header is required",
    "Parse error",
    "Invalid request",
    "Unsupported protocol version",
    "Bad Request: the session parameter of the tool is required",
  ])("ignores %j", (text) => {
    expect(saysSessionGone(text)).toBe(false);
  });
});

describe("httpErrorText", () => {
  it("takes the JSON-RPC error message, else the text with whitespace collapsed", () => {
    expect(
      httpErrorText(
        '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}',
      ),
    ).toBe("Bad Request: No valid session ID provided");
    expect(httpErrorText("<h1>Bad\n  Request</h1>")).toBe("<h1>Bad Request</h1>");
    expect(httpErrorText("   ")).toBeUndefined();
    expect(httpErrorText(null)).toBeUndefined();
    expect(httpErrorText("x".repeat(100_000))).toHaveLength(4000);
  });
});

import { describe, expect, it } from "vitest";

import type { FramedLine } from "../../../src/transport/lineFramer.js";
import { jsonRpcProblem, LineFramer, MessageTooLargeError } from "../../../src/transport/lineFramer.js";

function collect(framer: LineFramer, chunks: Array<string | Buffer>): FramedLine[] {
  const out: FramedLine[] = [];
  for (const chunk of chunks)
    framer.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), (line) => out.push(line));
  return out;
}

const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
const pong = { jsonrpc: "2.0", id: 1, result: {} };

describe("LineFramer", () => {
  it("delivers each message exactly once and in order, whatever the chunking", () => {
    const wire = `${JSON.stringify(ping)}\n${JSON.stringify(pong)}\n`;
    for (let size = 1; size <= wire.length; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < wire.length; i += size) chunks.push(wire.slice(i, i + size));
      const lines = collect(new LineFramer(1024), chunks);
      expect(lines).toEqual([
        { kind: "message", message: ping },
        { kind: "message", message: pong },
      ]);
    }
  });

  it("accepts CRLF line endings and skips empty lines", () => {
    const lines = collect(new LineFramer(1024), [`\r\n\n${JSON.stringify(ping)}\r\n   \n`]);
    expect(lines).toEqual([{ kind: "message", message: ping }]);
  });

  it("keeps a multi-byte character split across chunks intact", () => {
    const text = JSON.stringify({ jsonrpc: "2.0", method: "log", params: { t: "héllo ✓" } }) + "\n";
    const bytes = Buffer.from(text);
    const at = bytes.indexOf(Buffer.from("✓")) + 1;
    const lines = collect(new LineFramer(1024), [bytes.subarray(0, at), bytes.subarray(at)]);
    expect(lines[0]).toEqual({ kind: "message", message: JSON.parse(text) });
  });

  it("reports non-JSON lines as noise and keeps going", () => {
    const lines = collect(new LineFramer(1024), [`Server v1 starting...\n${JSON.stringify(ping)}\n`]);
    expect(lines).toEqual([
      { kind: "noise", line: "Server v1 starting..." },
      { kind: "message", message: ping },
    ]);
  });

  it("reports JSON that is not JSON-RPC as invalid", () => {
    const lines = collect(new LineFramer(1024), [
      '{"hello":"world"}\n',
      '{"jsonrpc":"2.0","id":3,"result":1,"error":{"code":1,"message":"x"}}\n',
    ]);
    expect(lines.map((l) => l.kind)).toEqual(["invalid", "invalid"]);
  });

  it("accepts a message of exactly the limit and refuses one byte more", () => {
    const body = JSON.stringify({ jsonrpc: "2.0", method: "x", params: { pad: "" } });
    const limit = 200;
    const exact = body.replace('"pad":""', `"pad":"${"a".repeat(limit - body.length)}"`);
    expect(Buffer.byteLength(exact)).toBe(limit);
    expect(collect(new LineFramer(limit), [exact + "\n"])).toHaveLength(1);
    const over = exact.replace('"pad":"', '"pad":"a');
    expect(() => collect(new LineFramer(limit), [over + "\n"])).toThrow(MessageTooLargeError);
  });

  it("refuses an oversized line before it ends, with bounded buffering", () => {
    const framer = new LineFramer(100);
    framer.push(Buffer.alloc(60, 0x61), () => undefined);
    expect(framer.bufferedBytes).toBe(60);
    expect(() => framer.push(Buffer.alloc(60, 0x61), () => undefined)).toThrow(MessageTooLargeError);
    expect(framer.bufferedBytes).toBe(0);
  });
});

describe("jsonRpcProblem", () => {
  it.each([
    [{ jsonrpc: "2.0", method: "m" }],
    [{ jsonrpc: "2.0", id: "a", method: "m" }],
    [{ jsonrpc: "2.0", id: 1, result: null }],
    [{ jsonrpc: "2.0", id: 1, error: { code: -1, message: "m" } }],
  ])("accepts %j", (value: unknown) => {
    expect(jsonRpcProblem(value)).toBeUndefined();
  });

  it.each([
    [[1, 2]],
    [{ id: 1, result: 1 }],
    [{ jsonrpc: "1.0", id: 1, result: 1 }],
    [{ jsonrpc: "2.0", id: 1 }],
    [{ jsonrpc: "2.0", id: 1, error: { code: "x", message: "m" } }],
    [{ jsonrpc: "2.0", id: {}, method: "m" }],
  ])("refuses %j", (value: unknown) => {
    expect(jsonRpcProblem(value)).toBeTypeOf("string");
  });
});

import type { JSONRPCMessage } from "@modelcontextprotocol/client";

/** What the framer found in one line. */
export type FramedLine =
  | { kind: "message"; message: JSONRPCMessage }
  /** Not JSON at all: most often a server logging to stdout. Skipped, counted, reported. */
  | { kind: "noise"; line: string }
  /** Valid JSON that is not a JSON-RPC 2.0 message. */
  | { kind: "invalid"; line: string; reason: string };

/** Thrown (through `push`) when one line exceeds the limit; the connection cannot resynchronise. */
export class MessageTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`a message from the server exceeded ${limit} bytes`);
  }
}

const NEWLINE = 0x0a;

/**
 * Newline-delimited JSON-RPC framing for stdio.
 *
 * Keeps a list of chunks instead of concatenating on every read (the SDK v1 ReadBuffer copies every
 * chunk, which is quadratic for large messages), enforces the size limit on the pending line before
 * buffering more, strips a trailing CR, and skips blank lines.
 */
export class LineFramer {
  private chunks: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Bytes buffered for the line not yet terminated. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /**
   * Feeds one chunk; calls `onLine` for every complete line, in order.
   * @throws MessageTooLargeError when the pending line grows past the limit.
   */
  push(chunk: Buffer, onLine: (line: FramedLine) => void): void {
    let start = 0;
    for (
      let newline = chunk.indexOf(NEWLINE, start);
      newline !== -1;
      newline = chunk.indexOf(NEWLINE, start)
    ) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (this.pendingBytes + piece.length > this.maxMessageBytes) throw this.overflow();
      let line: Buffer;
      if (this.chunks.length === 0) {
        line = piece;
      } else {
        this.chunks.push(piece);
        line = Buffer.concat(this.chunks, this.pendingBytes + piece.length);
        this.chunks = [];
        this.pendingBytes = 0;
      }
      const framed = classify(line);
      if (framed) onLine(framed);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.pendingBytes + rest.length > this.maxMessageBytes) throw this.overflow();
      this.chunks.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  /** Drops everything buffered. */
  clear(): void {
    this.chunks = [];
    this.pendingBytes = 0;
  }

  private overflow(): MessageTooLargeError {
    this.clear();
    return new MessageTooLargeError(this.maxMessageBytes);
  }
}

function classify(raw: Buffer): FramedLine | undefined {
  let end = raw.length;
  if (end > 0 && raw[end - 1] === 0x0d) end--;
  if (end === 0) return undefined;
  const text = raw.toString("utf8", 0, end);
  const first = text.charCodeAt(0);
  // A JSON-RPC message is an object (or a batch array); anything else cannot be one.
  if (first !== 0x7b && first !== 0x5b && text.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "noise", line: text };
  }
  const reason = jsonRpcProblem(parsed);
  return reason === undefined
    ? { kind: "message", message: parsed as JSONRPCMessage }
    : { kind: "invalid", line: text, reason };
}

/**
 * A cheap structural check (the SDK validates params and results against their schemas later).
 * Returns why the value is not a JSON-RPC 2.0 message, or undefined when it is one.
 */
export function jsonRpcProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON-RPC object";
  const msg = value as Record<string, unknown>;
  if (msg.jsonrpc !== "2.0") return 'missing "jsonrpc": "2.0"';
  if (typeof msg.method === "string") {
    if ("id" in msg && typeof msg.id !== "string" && typeof msg.id !== "number")
      return "request id must be a string or number";
    return undefined;
  }
  if (!("id" in msg)) return "neither a request, a notification nor a response";
  const hasResult = "result" in msg;
  const hasError = "error" in msg;
  if (hasResult === hasError) return "a response must have exactly one of result and error";
  if (hasError) {
    const error = msg.error as Record<string, unknown> | null;
    if (
      typeof error !== "object" ||
      error === null ||
      typeof error.code !== "number" ||
      typeof error.message !== "string"
    ) {
      return "error must have a numeric code and a message";
    }
  }
  return undefined;
}

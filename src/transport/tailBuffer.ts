/**
 * Keeps the last `limit` bytes written to it (a server's stderr), so a crash report can show why the
 * server died without letting a chatty server grow memory without bound.
 */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (chunk.length >= this.limit) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.limit))];
      this.size = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  /** Bytes currently kept. */
  get length(): number {
    return this.size;
  }

  /** The kept text; with `maxLines`, only the last lines. */
  text(maxLines?: number): string {
    const text = Buffer.concat(this.chunks, this.size)
      .toString("utf8")
      .replace(/^\uFFFD+/, "");
    if (maxLines === undefined) return text;
    const lines = text.replace(/\s+$/, "").split(/\r?\n/);
    return lines.slice(-maxLines).join("\n");
  }
}

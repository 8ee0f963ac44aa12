import { describe, expect, it } from "vitest";

import { TailBuffer } from "../../../src/transport/tailBuffer.js";

describe("TailBuffer", () => {
  it("keeps everything below the limit", () => {
    const tail = new TailBuffer(100);
    tail.push(Buffer.from("line 1\n"));
    tail.push(Buffer.from("line 2\n"));
    expect(tail.text()).toBe("line 1\nline 2\n");
    expect(tail.text(1)).toBe("line 2");
  });

  it("keeps only the last `limit` bytes of a flood", () => {
    const tail = new TailBuffer(1024);
    for (let i = 0; i < 10_000; i++) tail.push(Buffer.from(`noise ${i}\n`));
    expect(tail.length).toBe(1024);
    expect(tail.text(1)).toBe("noise 9999");
  });

  it("handles one chunk larger than the limit", () => {
    const tail = new TailBuffer(10);
    tail.push(Buffer.from("0123456789abcdef"));
    expect(tail.text()).toBe("6789abcdef");
  });
});

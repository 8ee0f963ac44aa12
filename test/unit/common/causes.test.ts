import { describe, expect, it } from "vitest";

import { findCause, MAX_CAUSE_DEPTH } from "../../../src/common/causes.js";

class Ours extends Error {}
const isOurs = (value: unknown): value is Ours => value instanceof Ours;

describe("findCause", () => {
  it("finds the error itself or one of its causes, nearest first", () => {
    const inner = new Ours("inner");
    const outer = new Ours("outer", { cause: inner });
    expect(findCause(outer, isOurs)).toBe(outer);
    expect(findCause(outer, isOurs, { skipSelf: true })).toBe(inner);
    const wrapped = new TypeError("fetch failed", { cause: new Error("x", { cause: inner }) });
    expect(findCause(wrapped, isOurs)).toBe(inner);
    expect(findCause(new Error("plain"), isOurs)).toBeUndefined();
    expect(findCause(undefined, isOurs)).toBeUndefined();
    expect(findCause("text", isOurs)).toBeUndefined();
  });

  it(`looks at ${MAX_CAUSE_DEPTH} errors at most, so a loop or a long chain ends`, () => {
    let chain: Error = new Ours("deep");
    for (let i = 0; i < MAX_CAUSE_DEPTH; i++) chain = new Error(`wrap ${i}`, { cause: chain });
    expect(findCause(chain, isOurs)).toBeUndefined();
    expect(findCause((chain.cause as Error).cause, isOurs)).toBeInstanceOf(Ours);
    const loop = new Error("a") as Error & { cause?: unknown };
    loop.cause = loop;
    expect(findCause(loop, isOurs)).toBeUndefined();
  });

  it("a cause getter that throws ends the chain instead of throwing", () => {
    const hostile = new Error("x");
    Object.defineProperty(hostile, "cause", {
      get() {
        throw new Error("boom");
      },
    });
    expect(findCause(hostile, isOurs)).toBeUndefined();
    expect(findCause(new Ours("self", { cause: hostile }), isOurs, { skipSelf: true })).toBeUndefined();
  });
});

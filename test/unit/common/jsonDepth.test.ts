// Depth of server data measured without recursion, so that a value nested far beyond what recursive
// validators survive can be refused by itself (issue 11 item 11).
import { describe, expect, it } from "vitest";

import { nestsDeeperThan } from "../../../src/common/jsonDepth.js";

const nested = (levels: number): unknown => {
  let value: unknown = {};
  for (let i = 0; i < levels; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
};

describe("nestsDeeperThan", () => {
  it("counts the value itself as depth 0 and every object or array below it as one more", () => {
    expect(nestsDeeperThan({}, 0)).toBe(false);
    expect(nestsDeeperThan({ a: {} }, 0)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: "x", c: null }, 0)).toBe(false);
    expect(nestsDeeperThan(nested(5), 5)).toBe(false);
    expect(nestsDeeperThan(nested(6), 5)).toBe(true);
    expect(nestsDeeperThan("text", 0)).toBe(false);
  });

  it("finds one deep branch among shallow ones", () => {
    expect(nestsDeeperThan({ wide: Array.from({ length: 1000 }, () => ({})), deep: nested(50) }, 40)).toBe(
      true,
    );
  });

  it("measures 200,000 levels without overflowing the stack, and a cycle as too deep", () => {
    expect(nestsDeeperThan(nested(200_000), 100)).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(nestsDeeperThan(cyclic, 100)).toBe(true);
  });
});

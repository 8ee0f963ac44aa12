// Depth of server data measured without recursion, so that a value nested far beyond what recursive
// validators survive can be refused by itself (issue 11 item 11).
import { describe, expect, it } from "vitest";

import { clipDepth, nestsDeeperThan } from "../../../src/common/jsonDepth.js";

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

describe("clipDepth", () => {
  it("returns a value that nests no deeper as it is, not a copy", () => {
    const value = { a: [{ b: 1 }], c: "x" };
    expect(clipDepth(value, 3, "[cut]")).toBe(value);
    expect(clipDepth("text", 0, "[cut]")).toBe("text");
  });

  it("replaces containers below the bound by the marker and keeps everything above", () => {
    const value = { keep: 1, a: { b: { c: { d: 1 } } }, list: [[["deep"]]] };
    expect(clipDepth(value, 2, "[cut]")).toEqual({
      keep: 1,
      a: { b: { c: "[cut]" } },
      list: [["[cut]"]],
    });
    expect(value.a.b.c.d).toBe(1);
  });

  it("copies 200,000 levels without overflowing the stack into a copy JSON.stringify takes", () => {
    const clipped = clipDepth(nested(200_000), 100, "[cut]");
    expect(nestsDeeperThan(clipped, 100)).toBe(false);
    expect(() => JSON.stringify(clipped)).not.toThrow();
  });

  it("ends at a cycle, and copies a key named __proto__ as data", () => {
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    expect(clipDepth(cyclic, 5, "[cut]")).toEqual({ name: "loop", self: "[cut]" });
    const value = JSON.parse('{"__proto__": {"polluted": {"x": {}}}}') as object;
    const copy = clipDepth(value, 1, "[cut]") as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, "__proto__")).toBe(true);
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"polluted":"[cut]"}}');
  });
});

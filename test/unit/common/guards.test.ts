import { runInNewContext } from "node:vm";

import { describe, expect, it } from "vitest";

import { describeType, describeValue, isPlainObject } from "../../../src/common/guards.js";

describe("isPlainObject", () => {
  it.each([
    ["{}", {}, true],
    ["a prototype-less object", Object.create(null) as object, true],
    ["an object of another realm", runInNewContext("({ a: 1 })") as object, true],
    ["an array", [], false],
    ["null", null, false],
    ["a class instance", new Date(0), false],
    ["a string", "x", false],
  ])("%s → %s", (_label, value, expected) => {
    expect(isPlainObject(value)).toBe(expected);
  });
});

describe("describeType", () => {
  it.each([
    [null, "null"],
    [[1], "an array"],
    [{}, "an object"],
    ["x", "a string"],
    [1, "a number"],
    [undefined, "a undefined"],
  ])("%o → %s", (value, expected) => {
    expect(describeType(value)).toBe(expected);
  });

  it("names arrays in the caller's vocabulary", () => {
    expect(describeType([], "a list")).toBe("a list");
    expect(describeType({}, "a list")).toBe("an object");
  });
});

describe("describeValue", () => {
  it.each([
    [Number.NaN, "NaN"],
    [-1, "-1"],
    [Infinity, "Infinity"],
    [true, "true"],
    [10n, "10"],
    ["5", 'the string "5"'],
    ["x".repeat(41), `the string "${"x".repeat(40)}…"`],
    [null, "null"],
    [[], "an array"],
    [{}, "an object"],
    [() => 1, "a function"],
  ])("%o → %s", (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });
});

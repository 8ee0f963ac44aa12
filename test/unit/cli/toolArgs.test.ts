import { describe, expect, it } from "vitest";

import { parseToolArguments } from "../../../src/cli/toolArgs.js";
import { MCPValidationError } from "../../../src/errors/errors.js";

describe("CLI key=value tool arguments and names from the tool's schema", () => {
  const schema = {
    type: "object",
    properties: { count: { type: "number" }, nested: { properties: { flag: { type: "boolean" } } } },
  };

  it("coerces by the declared type of an own property only", () => {
    // Without a declared type a value that parses as JSON is used as JSON; `toString` has none here,
    // so it must not pick up Object.prototype.toString as its "schema".
    expect(parseToolArguments(["count=5", "toString=007", "valueOf=[1]"], schema)).toEqual({
      count: 5,
      toString: "007",
      valueOf: [1],
    });
    expect(parseToolArguments(["nested.flag=true", "hasOwnProperty.x=1"], schema)).toEqual({
      nested: { flag: true },
      hasOwnProperty: { x: 1 },
    });
  });

  it("a schema whose properties is not an object does not break the parser", () => {
    expect(parseToolArguments(["a=1"], { properties: null })).toEqual({ a: 1 });
    expect(parseToolArguments(["a.b=1"], { properties: { a: null } })).toEqual({ a: { b: 1 } });
  });

  it("accepts __proto__, constructor and prototype as argument names: own keys, no prototype touched", () => {
    const schema = {
      properties: {
        constructor: { type: "string" },
        prototype: { properties: { depth: { type: "number" } } },
      },
    };
    const args = parseToolArguments(
      ["constructor=007", "prototype.depth=2", "__proto__.polluted=1", "a.constructor.prototype.x=1"],
      schema,
    );
    expect(Object.keys(args)).toEqual(["constructor", "prototype", "__proto__", "a"]);
    // Coerced by the tool's own declarations: `constructor` is a string, `prototype.depth` a number.
    expect(args.constructor).toBe("007");
    expect(JSON.parse(JSON.stringify(args))).toEqual(
      JSON.parse(
        '{"constructor":"007","prototype":{"depth":2},"__proto__":{"polluted":1},"a":{"constructor":{"prototype":{"x":1}}}}',
      ),
    );
    expect(Object.getOwnPropertyDescriptor(args, "__proto__")?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined();
  });

  it("refuses only names that are not names: an empty part between dots", () => {
    for (const token of ["=1", "a..b=1", ".a=1", "a.=1"]) {
      expect(() => parseToolArguments([token])).toThrow(MCPValidationError);
    }
    const json = parseToolArguments(['{"__proto__": {"x": 1}}']);
    expect(Object.keys(json)).toEqual(["__proto__"]);
  });
});

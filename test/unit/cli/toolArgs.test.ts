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

  it("refuses __proto__, constructor and prototype in key paths; keeps __proto__ as data in JSON form", () => {
    for (const token of ["__proto__.polluted=1", "a.constructor.prototype.x=1", "prototype=1"]) {
      expect(() => parseToolArguments([token])).toThrow(MCPValidationError);
    }
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    const json = parseToolArguments(['{"__proto__": {"x": 1}}']);
    expect(Object.keys(json)).toEqual(["__proto__"]);
  });
});

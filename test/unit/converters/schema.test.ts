import { describe, expect, it } from "vitest";

import { nestsDeeperThan } from "../../../src/common/jsonDepth.js";
import type { SchemaChange } from "../../../src/converters/schema.js";
import { restoreStrictArguments, simplifySchema } from "../../../src/converters/schema.js";
import { strictRequiredViolations, violations } from "../../helpers/providerFormats.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const rules = (changes: readonly SchemaChange[]) => changes.map((c) => c.rule);
const find = (changes: readonly SchemaChange[], rule: SchemaChange["rule"]) =>
  changes.filter((c) => c.rule === rule);

/** A tree of nodes that refer to themselves through $defs. */
const recursive = {
  type: "object",
  properties: { root: { $ref: "#/$defs/node" } },
  required: ["root"],
  $defs: {
    node: {
      type: "object",
      description: "A tree node.",
      properties: { value: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } },
      required: ["value"],
    },
  },
};

describe("simplifySchema: shared steps", () => {
  it("leaves a plain schema alone apart from $schema, and reports that", () => {
    const input = deepFreeze({
      type: "object",
      properties: { message: { type: "string" } },
      required: ["message"],
      $schema: "https://json-schema.org/draft/2020-12/schema",
    });
    const out = simplifySchema(input, "json");
    expect(out.schema).toEqual({
      type: "object",
      properties: { message: { type: "string" } },
      required: ["message"],
    });
    expect(out.changes).toEqual([
      { path: "#", rule: "keyword.dropped", severity: "info", message: "Removed $schema." },
    ]);
    expect(out.empty).toBe(false);
  });

  it("never modifies its input", () => {
    const input = deepFreeze(structuredClone(recursive));
    for (const target of ["json", "openai-strict", "gemini"] as const) {
      expect(() => simplifySchema(input, target)).not.toThrow();
    }
  });

  it("inlines local $refs, lets sibling keywords win, and drops $defs", () => {
    const out = simplifySchema(
      {
        type: "object",
        properties: {
          home: { $ref: "#/$defs/address", description: "Home address." },
          work: { $ref: "#/definitions/address" },
        },
        $defs: {
          address: { type: "object", description: "An address.", properties: { city: { type: "string" } } },
        },
        definitions: { address: { $ref: "#/$defs/address" } },
      },
      "json",
    );
    expect(out.schema["properties"]).toEqual({
      home: { type: "object", description: "Home address.", properties: { city: { type: "string" } } },
      work: { type: "object", description: "An address.", properties: { city: { type: "string" } } },
    });
    expect(out.schema).not.toHaveProperty("$defs");
    expect(out.schema).not.toHaveProperty("definitions");
    expect(find(out.changes, "ref.inlined").map((c) => c.message)).toEqual([
      'Inlined $ref "#/$defs/address" (at #/properties/home and 1 more).',
      'Inlined $ref "#/definitions/address" (at #/properties/work).',
    ]);
    expect(JSON.stringify(out.schema)).not.toContain("$ref");
  });

  it("decodes JSON Pointer escapes in $refs", () => {
    const out = simplifySchema(
      {
        type: "object",
        properties: { a: { $ref: "#/$defs/a~1b%20c" } },
        $defs: { "a/b c": { type: "integer" } },
      },
      "json",
    );
    expect(out.schema["properties"]).toEqual({ a: { type: "integer" } });
  });

  it("cuts a $ref cycle with a placeholder and says so", () => {
    const out = simplifySchema(recursive, "json");
    const root = (out.schema["properties"] as Record<string, Record<string, unknown>>)["root"]!;
    const children = (root["properties"] as Record<string, Record<string, unknown>>)["children"]!;
    expect(children["items"]).toEqual({
      type: "object",
      description: "A tree node. (Recursive structure, not expanded.)",
    });
    expect(find(out.changes, "ref.cycle")).toHaveLength(1);
    expect(find(out.changes, "ref.cycle")[0]!.severity).toBe("warning");
  });

  it("replaces an external or broken $ref by an unconstrained schema, with a warning", () => {
    const out = simplifySchema(
      {
        type: "object",
        properties: {
          a: { $ref: "https://example.com/schema.json" },
          b: { $ref: "#/$defs/missing", description: "B." },
        },
      },
      "json",
    );
    expect(out.schema["properties"]).toEqual({
      a: { description: "(Unresolved reference https://example.com/schema.json.)" },
      b: { description: "B. (Unresolved reference #/$defs/missing.)" },
    });
    expect(find(out.changes, "ref.unresolved")).toHaveLength(2);
  });

  it("stops inlining when references expand exponentially", () => {
    const $defs: Record<string, unknown> = { d0: { type: "string" } };
    for (let i = 1; i <= 20; i++) {
      $defs[`d${i}`] = {
        type: "object",
        properties: { left: { $ref: `#/$defs/d${i - 1}` }, right: { $ref: `#/$defs/d${i - 1}` } },
      };
    }
    const started = performance.now();
    const out = simplifySchema(
      { type: "object", properties: { top: { $ref: "#/$defs/d20" } }, $defs },
      "json",
      {
        maxRefExpansions: 200,
      },
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(find(out.changes, "ref.budget")).toHaveLength(1);
    expect(JSON.stringify(out.schema).length).toBeLessThan(200_000);
  });

  it.each(["json", "openai-strict", "gemini"] as const)(
    "%s: a $ref chain of 20,000 with the budget raised is cut at 100 levels (ref.budget), no RangeError",
    (target) => {
      const $defs: Record<string, unknown> = { d20000: { type: "string" } };
      for (let i = 0; i < 20_000; i++) {
        $defs[`d${i}`] = { type: "object", properties: { a: { $ref: `#/$defs/d${i + 1}` } } };
      }
      const out = simplifySchema(
        { type: "object", properties: { top: { $ref: "#/$defs/d0" } }, $defs },
        target,
        {
          maxRefExpansions: 100_000,
        },
      );
      const budget = find(out.changes, "ref.budget");
      expect(budget).toHaveLength(1);
      expect(budget[0]!.message).toContain("more than 100 levels deep");
      expect(nestsDeeperThan(out.schema, 110)).toBe(false);
      expect(JSON.stringify(out.schema)).toContain("nested too deep");
    },
  );

  it.each(["json", "openai-strict", "gemini"] as const)(
    "%s: an input schema nested 5,000 levels deep takes no arguments, with a schema.invalid warning",
    (target) => {
      let schema: Record<string, unknown> = { type: "string" };
      for (let i = 0; i < 2_500; i++) schema = { type: "object", properties: { a: schema } };
      const out = simplifySchema(schema, target);
      expect(find(out.changes, "schema.invalid")).toEqual([
        expect.objectContaining({
          severity: "warning",
          message: expect.stringContaining("more than 100 levels deep"),
        }),
      ]);
      expect(out.empty).toBe(true);
    },
  );

  it("a schema at the depth bound is converted as it is", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 45; i++) schema = { type: "object", properties: { a: schema } };
    const out = simplifySchema(schema, "json");
    expect(rules(out.changes)).not.toContain("schema.invalid");
    expect(rules(out.changes)).not.toContain("ref.budget");
    expect(out.empty).toBe(false);
  });

  it("merges a top-level anyOf of objects: all properties, required only where every variant requires", () => {
    const out = simplifySchema(
      {
        anyOf: [
          {
            type: "object",
            properties: { path: { type: "string" }, mode: { type: "string" } },
            required: ["path", "mode"],
          },
          {
            type: "object",
            properties: { path: { type: "string" }, url: { type: "string" } },
            required: ["path", "url"],
          },
        ],
      },
      "json",
    );
    expect(out.schema).toEqual({
      type: "object",
      properties: { path: { type: "string" }, mode: { type: "string" }, url: { type: "string" } },
      required: ["path"],
    });
    expect(find(out.changes, "root.combinator")[0]!.severity).toBe("warning");
  });

  it("merges a top-level allOf, and adds type and properties where missing", () => {
    const out = simplifySchema(
      {
        allOf: [
          { properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "number" } } },
        ],
      },
      "json",
    );
    expect(out.schema).toEqual({
      type: "object",
      properties: { a: { type: "string" }, b: { type: "number" } },
      required: ["a"],
    });
    expect(rules(out.changes)).toEqual(["root.combinator", "root.type"]);
  });

  it("adds type and properties to an empty schema and marks it empty", () => {
    const out = simplifySchema({}, "json");
    expect(out.schema).toEqual({ type: "object", properties: {} });
    expect(out.empty).toBe(true);
  });

  it("replaces a non-object or missing schema by an empty object schema, with a warning", () => {
    for (const input of [undefined, "string", { type: "string" }]) {
      const out = simplifySchema(input, "json");
      expect(out.schema).toEqual({ type: "object", properties: {} });
      expect(out.changes.some((c) => c.severity === "warning")).toBe(true);
    }
  });

  it("drops required entries that name no property", () => {
    const out = simplifySchema(
      { type: "object", properties: { a: { type: "string" } }, required: ["a", "ghost"] },
      "json",
    );
    expect(out.schema["required"]).toEqual(["a"]);
  });
});

describe("simplifySchema: OpenAI strict mode", () => {
  const tool = {
    type: "object",
    properties: {
      query: { type: "string", minLength: 1, description: "What to search." },
      limit: { type: "integer", minimum: 1, maximum: 50, default: 10 },
      sort: { enum: ["asc", "desc"] },
      filter: {
        type: "object",
        properties: {
          tag: { type: "string", format: "uri" },
          since: { type: "string", format: "date-time" },
        },
        required: ["tag"],
      },
      ids: { type: "array", items: { type: "object", properties: { id: { type: "string" } } } },
      kind: { oneOf: [{ type: "string" }, { type: "number" }] },
      nickname: { type: ["string", "null"] },
    },
    required: ["query"],
  };

  it("makes every property required, optional ones nullable, and closes every object", () => {
    const out = simplifySchema(tool, "openai-strict");
    expect(out.strict).toBe(true);
    expect(violations("openaiStrictSchema", out.schema)).toEqual([]);
    expect(strictRequiredViolations(out.schema)).toEqual([]);
    const properties = out.schema["properties"] as Record<string, Record<string, unknown>>;
    expect(properties["query"]).toEqual({ type: "string", description: "What to search." });
    expect(properties["limit"]).toEqual({
      type: ["integer", "null"],
      minimum: 1,
      maximum: 50,
      description: "Default: 10.",
    });
    expect(properties["sort"]).toEqual({ enum: ["asc", "desc", null] });
    expect(properties["filter"]).toEqual({
      type: ["object", "null"],
      properties: {
        tag: { type: "string", description: "Format: uri." },
        since: { type: ["string", "null"], format: "date-time" },
      },
      required: ["tag", "since"],
      additionalProperties: false,
    });
    expect(properties["kind"]).toEqual({ anyOf: [{ type: "string" }, { type: "number" }, { type: "null" }] });
    expect(properties["nickname"]).toEqual({ type: ["string", "null"] });
    expect([...out.nullableOptional].sort()).toEqual(
      [
        "#/properties/filter",
        "#/properties/filter/properties/since",
        "#/properties/ids",
        "#/properties/ids/items/properties/id",
        "#/properties/kind",
        "#/properties/limit",
        "#/properties/nickname",
        "#/properties/sort",
      ].sort(),
    );
  });

  it("reports what it dropped, converted and tightened", () => {
    const out = simplifySchema(tool, "openai-strict");
    const dropped = find(out.changes, "keyword.dropped");
    expect(dropped.map((c) => [c.path, c.severity])).toEqual([
      ["#/properties/query", "warning"],
      ["#/properties/filter/properties/tag", "warning"],
    ]);
    expect(dropped[0]!.message).toContain('"minLength"');
    expect(find(out.changes, "keyword.converted").map((c) => c.path)).toEqual([
      "#/properties/limit",
      "#/properties/kind",
    ]);
    expect(find(out.changes, "strict.nullable")).toHaveLength(8);
    expect(find(out.changes, "strict.additionalProperties").map((c) => c.path)).toEqual([
      "#/properties/filter",
      "#/properties/ids/items",
      "#",
    ]);
  });

  it("accepts a tool without parameters", () => {
    const out = simplifySchema({ type: "object", properties: {} }, "openai-strict");
    expect(out.strict).toBe(true);
    expect(out.schema).toEqual({ type: "object", properties: {}, required: [], additionalProperties: false });
    expect(violations("openaiStrictSchema", out.schema)).toEqual([]);
  });

  const unavailable: Array<[string, Record<string, unknown>, string]> = [
    ["a free-form object", { type: "object", properties: { meta: { type: "object" } } }, "#/properties/meta"],
    ["additional properties", { type: "object", properties: {}, additionalProperties: {} }, "#"],
    [
      "a map",
      { type: "object", properties: { tags: { type: "object", additionalProperties: { type: "string" } } } },
      "#/properties/tags",
    ],
    [
      "a tuple",
      { type: "object", properties: { p: { type: "array", prefixItems: [{ type: "number" }] } } },
      "#/properties/p",
    ],
    ["an array without items", { type: "object", properties: { p: { type: "array" } } }, "#/properties/p"],
    ["any value", { type: "object", properties: { v: {} } }, "#/properties/v"],
    ["recursion", recursive, "#"],
    [
      "conflicting allOf",
      { type: "object", properties: { v: { allOf: [{ type: "string" }, { type: "number" }] } } },
      "#/properties/v",
    ],
  ];
  for (const [what, schema, path] of unavailable) {
    it(`falls back to non-strict for ${what}, and says where`, () => {
      const out = simplifySchema(schema, "openai-strict");
      expect(out.strict).toBe(false);
      expect(out.nullableOptional.size).toBe(0);
      const reason = find(out.changes, "strict.unavailable");
      expect(reason).toHaveLength(1);
      expect(reason[0]!.path).toBe(path);
      expect(reason[0]!.severity).toBe("warning");
      expect(out.schema).toEqual(simplifySchema(schema, "json").schema);
    });
  }

  it("falls back past 10 levels of object nesting, and not at 10", () => {
    const nest = (levels: number): Record<string, unknown> =>
      levels === 1
        ? { type: "object", properties: { leaf: { type: "string" } }, required: ["leaf"] }
        : { type: "object", properties: { next: nest(levels - 1) }, required: ["next"] };
    expect(simplifySchema(nest(10), "openai-strict").strict).toBe(true);
    expect(simplifySchema(nest(11), "openai-strict").strict).toBe(false);
  });

  it("falls back above 1000 enum values in total, and not at 1000", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    const schema = (n: number) => ({
      type: "object",
      properties: { a: { type: "string", enum: values(n) } },
      required: ["a"],
    });
    expect(simplifySchema(schema(1000), "openai-strict").strict).toBe(true);
    expect(simplifySchema(schema(1001), "openai-strict").strict).toBe(false);
  });
});

describe("restoreStrictArguments", () => {
  const strict = simplifySchema(
    {
      type: "object",
      properties: {
        name: { type: "string" },
        limit: { type: "integer" },
        note: { type: ["string", "null"] },
        filter: {
          type: "object",
          properties: { tag: { type: "string" }, since: { type: "string" } },
          required: ["tag"],
        },
        items: { type: "array", items: { type: "object", properties: { id: { type: "string" } } } },
      },
      required: ["name", "note", "items"],
    },
    "openai-strict",
  );

  it("removes null where the property was optional, at any depth", () => {
    expect(
      restoreStrictArguments(
        {
          name: "x",
          limit: null,
          note: null,
          filter: { tag: "t", since: null },
          items: [{ id: null }, { id: "b" }],
        },
        strict,
      ),
    ).toEqual({ name: "x", note: null, filter: { tag: "t" }, items: [{}, { id: "b" }] });
  });

  it("keeps null where the real schema required the property, and keeps real values", () => {
    expect(
      restoreStrictArguments({ name: null, note: null, limit: 3, filter: null, items: [] }, strict),
    ).toEqual({
      name: null,
      note: null,
      limit: 3,
      items: [],
    });
  });

  it("returns the arguments untouched for a non-strict schema", () => {
    const args = { a: null };
    expect(restoreStrictArguments(args, simplifySchema({ type: "object" }, "json"))).toBe(args);
  });
});

describe("simplifySchema: Gemini (OpenAPI subset)", () => {
  const check = (schema: Record<string, unknown>) => {
    expect(violations("geminiFunctionDeclaration", { name: "t", parameters: schema })).toEqual([]);
  };

  it("upper-cases types and turns null unions into nullable", () => {
    const out = simplifySchema(
      {
        type: "object",
        properties: {
          a: { type: ["string", "null"] },
          b: { anyOf: [{ type: "integer" }, { type: "null" }], description: "B." },
          c: { type: "array", items: { type: "boolean" } },
        },
      },
      "gemini",
    );
    expect(out.schema).toEqual({
      type: "OBJECT",
      properties: {
        a: { type: "STRING", nullable: true },
        b: { type: "INTEGER", nullable: true, description: "B." },
        c: { type: "ARRAY", items: { type: "BOOLEAN" } },
      },
    });
    check(out.schema);
  });

  it("keeps string enums, turns string const into enum, and describes what it cannot keep", () => {
    const out = simplifySchema(
      {
        type: "object",
        properties: {
          color: { type: "string", enum: ["red", "green"] },
          mode: { const: "fast" },
          level: { type: "integer", enum: [1, 2, 3] },
          email: { type: "string", format: "email", description: "Who" },
          ratio: { type: "number", exclusiveMinimum: 0 },
          tags: { type: "object", additionalProperties: { type: "string" } },
        },
        additionalProperties: false,
      },
      "gemini",
    );
    const properties = out.schema["properties"] as Record<string, unknown>;
    expect(properties).toEqual({
      color: { type: "STRING", enum: ["red", "green"] },
      mode: { type: "STRING", enum: ["fast"] },
      level: { type: "INTEGER", description: "Allowed values: 1, 2, 3." },
      email: { type: "STRING", description: "Who. Format: email." },
      ratio: { type: "NUMBER", description: "Greater than 0." },
      tags: { type: "OBJECT" },
    });
    check(out.schema);
    expect(find(out.changes, "gemini.freeForm").map((c) => c.path)).toEqual(["#/properties/tags"]);
    const warnings = out.changes.filter((c) => c.severity === "warning").map((c) => c.path);
    expect(warnings).toEqual(
      expect.arrayContaining([
        "#/properties/level",
        "#/properties/email",
        "#/properties/ratio",
        "#/properties/tags",
      ]),
    );
  });

  it("rewrites oneOf, allOf, tuples and examples into what Gemini has", () => {
    const out = simplifySchema(
      {
        type: "object",
        properties: {
          id: { oneOf: [{ type: "string" }, { type: "integer" }] },
          point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }] },
          both: {
            allOf: [{ properties: { a: { type: "string" } } }, { properties: { b: { type: "string" } } }],
          },
          word: { type: "string", examples: ["hello", "world"], uniqueItems: true },
        },
      },
      "gemini",
    );
    const properties = out.schema["properties"] as Record<string, unknown>;
    expect(properties["id"]).toEqual({ anyOf: [{ type: "STRING" }, { type: "INTEGER" }] });
    expect(properties["point"]).toEqual({
      type: "ARRAY",
      items: { anyOf: [{ type: "NUMBER" }, { type: "NUMBER" }] },
    });
    expect(properties["both"]).toEqual({
      type: "OBJECT",
      properties: { a: { type: "STRING" }, b: { type: "STRING" } },
    });
    expect(properties["word"]).toEqual({ type: "STRING", example: "hello" });
    check(out.schema);
    expect(find(out.changes, "keyword.dropped").some((c) => c.message.includes('"uniqueItems"'))).toBe(true);
  });

  it("inlines refs and still produces the subset", () => {
    const out = simplifySchema(recursive, "gemini");
    check(out.schema);
  });

  it("marks a tool without parameters as empty, and warns for one that takes anything", () => {
    expect(simplifySchema({ type: "object", properties: {} }, "gemini").empty).toBe(true);
    const open = simplifySchema({ type: "object", properties: {}, additionalProperties: {} }, "gemini");
    expect(open.empty).toBe(true);
    expect(find(open.changes, "gemini.freeForm")).toHaveLength(1);
  });
});

describe("simplifySchema: json target", () => {
  it("keeps nested JSON Schema keywords the APIs accept", () => {
    const schema = {
      type: "object",
      properties: {
        a: { type: "string", minLength: 2, pattern: "^x" },
        b: { oneOf: [{ type: "string" }, { type: "number" }] },
        c: { type: "object", additionalProperties: { type: "number" } },
      },
      additionalProperties: false,
    };
    const out = simplifySchema(schema, "json");
    expect(out.schema).toEqual(schema);
    expect(out.changes).toEqual([]);
    expect(violations("anthropicTool", { name: "t", input_schema: out.schema })).toEqual([]);
  });

  it("refuses an unknown target", () => {
    expect(() => simplifySchema({}, "mistral" as never)).toThrow(RangeError);
  });
});

describe("simplifySchema: change messages quote the server's schema through the server-text gate", () => {
  const TOKEN = "ghp_schemaLeakToken0123456789abcdefABC";
  const HOSTILE = `k\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e api_key=${TOKEN}`;
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

  const expectClean = (changes: readonly SchemaChange[]) => {
    for (const change of changes) {
      expect(change.message).not.toContain(TOKEN);
      expect(change.message).not.toMatch(CONTROL);
    }
  };

  it.each(["json", "openai-strict", "gemini"] as const)("%s: $refs", (target) => {
    const out = simplifySchema(
      {
        type: "object",
        properties: {
          ref: { $ref: `#/$defs/${HOSTILE}` },
          broken: { $ref: `https://example.com/${HOSTILE}` },
        },
        $defs: { [HOSTILE]: { type: "string" } },
      },
      target,
    );
    expect(rules(out.changes)).toEqual(expect.arrayContaining(["ref.inlined", "ref.unresolved"]));
    expectClean(out.changes);
  });

  it.each(["openai-strict", "gemini"] as const)("%s: property names, formats and keywords", (target) => {
    const out = simplifySchema(
      { type: "object", properties: { [HOSTILE]: { type: "string", format: HOSTILE, [HOSTILE]: HOSTILE } } },
      target,
    );
    expect(
      out.changes.filter((change) => change.message.includes('"k api_key=[REDACTED]"')).length,
    ).toBeGreaterThan(1);
    expectClean(out.changes);
    // Paths stay exact JSON Pointers: callers use them to find the node.
    expect(out.changes.some((change) => change.path.includes(HOSTILE))).toBe(true);
  });
});

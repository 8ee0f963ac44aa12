import { describe, expect, it } from "vitest";

import { MCPValidationError } from "../../../src/errors/errors.js";
import { DEFAULT_TOOL_ARGUMENT_LIMITS } from "../../../src/security/defaults.js";
import { checkToolArguments, type ToolCallSite } from "../../../src/security/toolArguments.js";
import type { ToolArgumentLimits } from "../../../src/security/types.js";

const SECRET = "s3cr3t-VALUE";
const WHERE: ToolCallSite = { serverName: "github", toolName: "search" };
const BIG: ToolArgumentLimits = {
  maxDepth: 100,
  maxKeys: 100_000,
  maxItems: 100_000,
  maxStringLength: 100_000_000,
  maxSize: 100_000_000,
};

function limits(overrides: Partial<ToolArgumentLimits> = {}): ToolArgumentLimits {
  return { ...BIG, ...overrides };
}

function refusal(args: unknown, l: ToolArgumentLimits = BIG, where = WHERE): MCPValidationError {
  try {
    checkToolArguments(args, l, where);
  } catch (error) {
    expect(error).toBeInstanceOf(MCPValidationError);
    return error as MCPValidationError;
  }
  throw new Error("expected the arguments to be refused");
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

function nest(depth: number): Record<string, unknown> {
  // The innermost value sits at `depth`.
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { k: value };
  return value as Record<string, unknown>;
}

describe("checkToolArguments", () => {
  it("returns {} for undefined and a plain JSON copy otherwise", () => {
    expect(checkToolArguments(undefined, BIG, WHERE)).toEqual({});
    const input = { a: 1, b: [true, null, "x"], c: { d: -0 } };
    const copy = checkToolArguments(input, BIG, WHERE);
    expect(copy).toEqual({ a: 1, b: [true, null, "x"], c: { d: 0 } });
    expect(copy).not.toBe(input);
    expect(copy.b).not.toBe(input.b);
    expect(Object.is((copy.c as { d: number }).d, 0)).toBe(true);
  });

  it("accepts objects without a prototype", () => {
    const input = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(checkToolArguments(input, BIG, WHERE)).toEqual({ a: 1 });
  });

  it("converts Dates to ISO strings, drops undefined properties and nulls undefined items", () => {
    const date = new Date("2024-01-02T03:04:05.006Z");
    // eslint-disable-next-line no-sparse-arrays
    const copy = checkToolArguments({ when: date, gone: undefined, list: [1, undefined, , 3] }, BIG, WHERE);
    expect(copy).toEqual({ when: "2024-01-02T03:04:05.006Z", list: [1, null, null, 3] });
    expect("gone" in copy).toBe(false);
  });

  it.each([
    ["null", null],
    ["an array", [1]],
    ["a string", "{}"],
    ["a number", 5],
    ["a Map", new Map()],
    ["a class instance", new (class Point {})()],
  ])("refuses %s at the top level with toolArgs.type", (_label, args) => {
    const error = refusal(args);
    expect(error.rule).toBe("toolArgs.type");
    expect(error.code).toBe("POLICY_VIOLATION");
    expect(error.field).toBe("arguments");
  });

  it("allows values at max_depth and refuses one level deeper", () => {
    expect(() => checkToolArguments(nest(5), DEFAULT_TOOL_ARGUMENT_LIMITS.strict, WHERE)).not.toThrow();
    const error = refusal(nest(6), DEFAULT_TOOL_ARGUMENT_LIMITS.strict);
    expect(error.rule).toBe("toolArgs.depth");
    expect(error.field).toBe("arguments.k.k.k.k.k.k");
    expect(error.message).toContain("security.tool_arguments.max_depth");
    expect(error.message).toContain("(5)");
    // Arrays count as levels too, and so do leaves.
    expect(() => checkToolArguments({ a: [[1]] }, limits({ maxDepth: 3 }), WHERE)).not.toThrow();
    expect(refusal({ a: [[[1]]] }, limits({ maxDepth: 3 })).field).toBe("arguments.a[0][0][0]");
    expect(refusal({ a: [[undefined]] }, limits({ maxDepth: 2 })).rule).toBe("toolArgs.depth");
    expect(() => checkToolArguments({}, limits({ maxDepth: 0 }), WHERE)).not.toThrow();
    expect(refusal({ a: 1 }, limits({ maxDepth: 0 })).rule).toBe("toolArgs.depth");
  });

  it("allows max_keys keys and refuses one more, at any level", () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(() => checkToolArguments(keys(100), DEFAULT_TOOL_ARGUMENT_LIMITS.strict, WHERE)).not.toThrow();
    const top = refusal(keys(101), limits({ maxKeys: 100 }));
    expect(top.rule).toBe("toolArgs.keys");
    expect(top.field).toBe("arguments");
    expect(top.message).toContain("security.tool_arguments.max_keys");
    const nested = refusal({ inner: keys(4) }, limits({ maxKeys: 3 }));
    expect(nested.field).toBe("arguments.inner");
  });

  it("allows max_items items and refuses one more", () => {
    const items = (n: number) => Array.from({ length: n }, () => 0);
    expect(() => checkToolArguments({ list: items(1000) }, limits({ maxItems: 1000 }), WHERE)).not.toThrow();
    const error = refusal({ list: items(1001) }, limits({ maxItems: 1000 }));
    expect(error.rule).toBe("toolArgs.items");
    expect(error.field).toBe("arguments.list");
    expect(error.message).toContain("security.tool_arguments.max_items");
  });

  it("allows strings of max_string_length and refuses one character more", () => {
    expect(() =>
      checkToolArguments({ s: "x".repeat(10_000) }, DEFAULT_TOOL_ARGUMENT_LIMITS.strict, WHERE),
    ).toThrow(
      MCPValidationError, // the 10 000-byte size limit is hit by the quotes and key
    );
    expect(() =>
      checkToolArguments({ s: "x".repeat(100) }, limits({ maxStringLength: 100 }), WHERE),
    ).not.toThrow();
    const error = refusal({ items: [0, 1, 2, { name: "x".repeat(101) }] }, limits({ maxStringLength: 100 }));
    expect(error.rule).toBe("toolArgs.string");
    expect(error.field).toBe("arguments.items[3].name");
    expect(error.message).toContain("security.tool_arguments.max_string_length");
  });

  const samples: Array<[string, Record<string, unknown>]> = [
    ["empty", {}],
    ["scalars", { a: 1, b: -2.5, c: 1e21, d: 0.1, e: true, f: false, g: null, h: "" }],
    ["escapes", { 'q"\\': 'say "hi"\\\n\t\r\b\f\u0001\u001f\u007f' }],
    ["unicode", { é: "café ☃ 日本語 😀 \u0800 \u07ff \uffff" }],
    ["lone surrogates", { s: "a\ud800b\udc00c\ud83d" }],
    ["nested", { list: [[], {}, [1, [2, [3]]], { a: { b: [null] } }], n: -0 }],
    ["undefined", { a: undefined, b: [undefined, 1], c: 2 }],
    ["date", { d: new Date(0) }],
    ["long ASCII", { s: "lorem ipsum ".repeat(100) }],
    ["long non-ASCII", { s: "café ☃ 日本語 ".repeat(100) }],
    ["long with a quote at the end", { s: `${"x".repeat(1000)}"` }],
    ["long with a control character", { s: `${"x".repeat(1000)}\u0002` }],
    ["long with emoji", { s: "😀é".repeat(300) }],
    ["long with a lone surrogate", { s: `${"x".repeat(1000)}\udc00` }],
  ];

  it.each(samples)("counts the exact UTF-8 size of the JSON (%s)", (_label, value) => {
    const size = jsonBytes(value);
    expect(() => checkToolArguments(value, limits({ maxSize: size }), WHERE)).not.toThrow();
    const error = refusal(value, limits({ maxSize: size - 1 }));
    expect(error.rule).toBe("toolArgs.size");
    expect(error.message).toContain("security.tool_arguments.max_size");
    expect(error.message).toContain(`(${size - 1} bytes`);
  });

  it("matches JSON.stringify on a larger generated value", () => {
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      value[`key-${i}-ü`] = i % 3 === 0 ? { n: i * 1.5, s: "x\n".repeat(i) } : [i, `😀${i}`, i % 2 === 0];
    }
    const size = jsonBytes(value);
    expect(() => checkToolArguments(value, limits({ maxSize: size }), WHERE)).not.toThrow();
    expect(refusal(value, limits({ maxSize: size - 1 })).rule).toBe("toolArgs.size");
  });

  it("refuses an oversized input without walking all of it", () => {
    const list: string[] = Array.from({ length: 100 }, () => "x".repeat(100));
    Object.defineProperty(list, 99, {
      get() {
        throw new Error("read too far");
      },
    });
    expect(refusal({ list }, limits({ maxSize: 500 })).rule).toBe("toolArgs.size");
    // A huge string is refused by its length before it is scanned.
    expect(refusal({ s: "x".repeat(5_000_000) }, limits({ maxSize: 1000 })).rule).toBe("toolArgs.size");
  });

  it.each([
    ["a function", () => 1],
    ["a symbol", Symbol("s")],
    ["a bigint", 10n],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["-Infinity", Number.NEGATIVE_INFINITY],
    ["a Map", new Map([["a", 1]])],
    ["a Set", new Set([1])],
    ["a Buffer", Buffer.from("x")],
    ["a typed array", new Uint8Array(2)],
    ["a boxed string", new String("x")],
    ["a class instance", new (class Thing {})()],
    ["a RegExp", /x/],
    ["an invalid Date", new Date(Number.NaN)],
    ["an Error", new Error("x")],
  ])("refuses %s with toolArgs.value", (_label, value) => {
    const error = refusal({ nested: { value } });
    expect(error.rule).toBe("toolArgs.value");
    expect(error.field).toBe("arguments.nested.value");
  });

  it("refuses cycles but accepts shared references", () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    const error = refusal(loop);
    expect(error.rule).toBe("toolArgs.value");
    expect(error.message).toContain("circular");
    const list: unknown[] = [];
    list.push(list);
    expect(refusal({ list }).rule).toBe("toolArgs.value");
    const shared = { x: 1 };
    expect(checkToolArguments({ a: shared, b: [shared, shared] }, BIG, WHERE)).toEqual({
      a: { x: 1 },
      b: [{ x: 1 }, { x: 1 }],
    });
  });

  it("keeps a __proto__ key as data without touching prototypes", () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = checkToolArguments(input, BIG, WHERE);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(["__proto__", "a"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(copy)).toBe(JSON.stringify(input));
  });

  it("turns a throwing getter into toolArgs.value with the cause", () => {
    const input = {
      get bad(): unknown {
        throw new Error("boom");
      },
    };
    const error = refusal(input);
    expect(error.rule).toBe("toolArgs.value");
    expect((error.cause as Error).message).toBe("boom");
  });

  it("formats field paths for odd keys", () => {
    expect(refusal({ "a b": { "": [1, "x".repeat(11)] } }, limits({ maxStringLength: 10 })).field).toBe(
      'arguments["a b"][""][1]',
    );
  });

  it("names the tool, the server, the rule and the setting, but never the values", () => {
    const error = refusal({ token: `${SECRET}${"x".repeat(200)}` }, limits({ maxStringLength: 100 }));
    expect(error.serverName).toBe("github");
    expect(error.message).toContain('tool "search"');
    expect(error.message).toContain('server "github"');
    expect(error.message).toContain("toolArgs.string");
    expect(error.message).toContain("(100)");
    expect(error.message).not.toContain(SECRET);
    expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);

    for (const [value, l] of [
      [{ a: SECRET }, limits({ maxSize: 5 })],
      [{ a: [SECRET, SECRET] }, limits({ maxItems: 1 })],
      [{ a: { b: SECRET } }, limits({ maxDepth: 1 })],
      [{ a: SECRET, b: 1 }, limits({ maxKeys: 1 })],
    ] as const) {
      const e = refusal(value, l);
      expect(e.message).not.toContain(SECRET);
      expect(JSON.stringify(e.toJSON())).not.toContain(SECRET);
    }

    const noServer = refusal(null, BIG, { toolName: "search" });
    expect(noServer.serverName).toBeUndefined();
    expect(noServer.message).toContain('tool "search"');
    expect(noServer.message).not.toContain("server");
  });

  it("is fast on a moderate-sized argument", () => {
    const value = {
      rows: Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ["a", "b"], ok: true })),
    };
    const started = performance.now();
    for (let i = 0; i < 10; i++) checkToolArguments(value, DEFAULT_TOOL_ARGUMENT_LIMITS.permissive, WHERE);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

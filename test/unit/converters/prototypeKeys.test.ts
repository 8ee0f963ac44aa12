import type { CallToolResult } from "@modelcontextprotocol/client";
import { dynamicTool, generateText, jsonSchema } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";

import { toAISdkTools } from "../../../src/converters/aiSdk.js";
import { resolveNameRules } from "../../../src/converters/names.js";
import { restoreStrictArguments, simplifySchema } from "../../../src/converters/schema.js";
import type { ToolSource, ToolSourceEntry } from "../../../src/converters/toolSource.js";

/**
 * Property and tool names come from the server. A property called `__proto__` must stay a property
 * (`obj[name] = v` would make it the prototype and drop it), and `constructor` or `toString` must not
 * be mistaken for an existing entry (`name in obj` finds inherited members).
 */

/** Parsed from JSON, as a tool list from a server is: `__proto__` is an own key. */
const schema = (text: string) => JSON.parse(text) as Record<string, unknown>;

const PROPERTIES = `{
  "__proto__": {"type": "string", "description": "a property really called __proto__"},
  "constructor": {"type": "number"},
  "toString": {"type": "boolean"}
}`;

describe("schema conversion keeps properties named __proto__, constructor, toString", () => {
  for (const target of ["json", "openai-strict", "gemini"] as const) {
    it(`target ${target}`, () => {
      const input = schema(`{"type": "object", "properties": ${PROPERTIES}, "required": ["__proto__"]}`);
      const { schema: out } = simplifySchema(input, target);
      const properties = out["properties"] as Record<string, unknown>;
      expect(Object.keys(properties)).toEqual(["__proto__", "constructor", "toString"]);
      expect(Object.getPrototypeOf(properties)).toBe(Object.prototype);
      expect(JSON.stringify(out)).toContain('"__proto__":{');
      expect(out["required"]).toEqual(
        target === "openai-strict" ? ["__proto__", "constructor", "toString"] : ["__proto__"],
      );
    });
  }

  it("a top-level anyOf keeps variant properties named like Object.prototype members", () => {
    const input = schema(`{"anyOf": [
      {"type": "object", "properties": {"constructor": {"type": "string"}, "toString": {"type": "string"}}},
      {"type": "object", "properties": {"__proto__": {"type": "string"}}}
    ]}`);
    const { schema: out } = simplifySchema(input, "json");
    expect(Object.keys(out["properties"] as object)).toEqual(["constructor", "toString", "__proto__"]);
  });

  it("allOf parts merge by own keys: no false conflict for constructor, no lost __proto__", () => {
    const input = schema(`{"type": "object", "properties": {"a": {"allOf": [
      {"type": "object", "properties": {"constructor": {"type": "string"}}},
      {"properties": {"__proto__": {"type": "string"}}}
    ]}}}`);
    const strict = simplifySchema(input, "openai-strict");
    expect(strict.strict).toBe(true);
    const a = (strict.schema["properties"] as Record<string, Record<string, unknown>>)["a"]!;
    expect(Object.keys(a["properties"] as object)).toEqual(["constructor", "__proto__"]);
    const gemini = simplifySchema(input, "gemini");
    const geminiA = (gemini.schema["properties"] as Record<string, Record<string, unknown>>)["a"]!;
    expect(Object.keys(geminiA["properties"] as object)).toEqual(["constructor", "__proto__"]);
  });

  it("gemini: a required name without a property is dropped even when it is toString", () => {
    const input = schema(
      `{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a", "toString", "constructor"]}`,
    );
    const { schema: out } = simplifySchema(input, "gemini");
    // normaliseRoot drops them for every target; a nested object shows Gemini's own filter.
    expect(out["required"]).toEqual(["a"]);
    const nested = schema(`{"type": "object", "properties": {"o": {"type": "object",
      "properties": {"a": {"type": "string"}}, "required": ["a", "toString", "hasOwnProperty"]}}}`);
    const o = (
      simplifySchema(nested, "gemini").schema["properties"] as Record<string, Record<string, unknown>>
    )["o"]!;
    expect(o["required"]).toEqual(["a"]);
  });

  it("strict mode's nulls are removed from arguments without dropping a __proto__ argument", () => {
    const input = schema(`{"type": "object", "properties": {
      "__proto__": {"type": "object", "properties": {"inner": {"type": "string"}}},
      "constructor": {"type": "string"}
    }, "required": ["__proto__"]}`);
    const simplified = simplifySchema(input, "openai-strict");
    expect(simplified.strict).toBe(true);
    const args = JSON.parse(`{"__proto__": {"inner": null}, "constructor": null}`) as Record<string, unknown>;
    const restored = restoreStrictArguments(args, simplified);
    expect(Object.keys(restored)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(restored)).toBe(Object.prototype);
    expect(JSON.stringify(restored)).toBe('{"__proto__":{}}');
  });
});

describe("tool maps keyed by server tool names", () => {
  function source(names: string[], calls: string[]): ToolSource {
    const tools = new Map<string, ToolSourceEntry>(
      names.map((name) => [name, { name, description: `tool ${name}`, inputSchema: { type: "object" } }]),
    );
    return {
      tools,
      callTool: async (name: string): Promise<CallToolResult> => {
        calls.push(name);
        return { content: [{ type: "text", text: `ran ${name}` }] };
      },
    } as ToolSource;
  }

  it("toAISdkTools keeps a tool named __proto__ and finds no tool for inherited names", () => {
    const { tools } = toAISdkTools(source(["__proto__", "constructor", "echo"], []), { jsonSchema });
    expect(Object.keys(tools)).toEqual(["__proto__", "constructor", "echo"]);
    expect((tools as Record<string, unknown>)["toString"]).toBeUndefined();
    expect(tools["__proto__"]?.metadata["mcpTool"]).toBe("__proto__");
  });

  it("the AI SDK runs tools named __proto__ and constructor", async () => {
    const calls: string[] = [];
    const { tools } = toAISdkTools(source(["__proto__", "constructor"], calls), { jsonSchema, dynamicTool });
    let turn = 0;
    const offered: string[][] = [];
    const model = new MockLanguageModelV3({
      doGenerate: async (options) => {
        turn++;
        offered.push((options.tools ?? []).map((tool) => tool.name));
        const usage = {
          inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 1, text: 1, reasoning: undefined },
        };
        if (turn > 1) {
          return {
            content: [{ type: "text", text: "done" }],
            finishReason: { unified: "stop", raw: "stop" },
            usage,
            warnings: [],
          };
        }
        return {
          content: ["__proto__", "constructor"].map((toolName, i) => ({
            type: "tool-call" as const,
            toolCallId: `c${i}`,
            toolName,
            input: "{}",
          })),
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage,
          warnings: [],
        };
      },
    });
    const result = await generateText({ model, tools, prompt: "go" });
    // The model is offered every tool, the one named __proto__ included.
    expect(offered[0]).toEqual(["__proto__", "constructor"]);
    expect(result.steps[0]!.toolResults.map((r) => r.toolName)).toEqual(["__proto__", "constructor"]);
    expect(calls).toEqual(["__proto__", "constructor"]);
  });

  it("name rules are looked up by own key: an inherited member is an unknown rule set", () => {
    expect(() => resolveNameRules("toString" as never)).toThrow(RangeError);
    expect(() => resolveNameRules("constructor" as never)).toThrow(RangeError);
  });
});

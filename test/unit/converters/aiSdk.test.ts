import { dynamicTool, generateText, jsonSchema, stepCountIs, type ToolSet } from "ai";
import { MockLanguageModelV3 } from "ai/test";
import { describe, expect, it } from "vitest";

import { toAISdkTools } from "../../../src/converters/aiSdk.js";
import { fakeSource } from "../../fakes/fakeSource.js";

// The provider-spec types, taken from the mock so that the test needs only `ai` itself.
type LanguageModelV3CallOptions = Parameters<MockLanguageModelV3["doGenerate"]>[0];
type LanguageModelV3GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

/** A model that asks for `calls` on its first turn and answers "done" on the next. */
function scriptedModel(calls: Array<{ id: string; name: string; input: string }>) {
  const prompts: LanguageModelV3CallOptions[] = [];
  const model = new MockLanguageModelV3({
    doGenerate: async (options): Promise<LanguageModelV3GenerateResult> => {
      prompts.push(options);
      if (prompts.length === 1) {
        return {
          content: calls.map((c) => ({
            type: "tool-call",
            toolCallId: c.id,
            toolName: c.name,
            input: c.input,
          })),
          finishReason: { unified: "tool-calls", raw: "tool_calls" },
          usage,
          warnings: [],
        };
      }
      return {
        content: [{ type: "text", text: "done" }],
        finishReason: { unified: "stop", raw: "stop" },
        usage,
        warnings: [],
      };
    },
  });
  return { model, prompts };
}

function toolResults(options: LanguageModelV3CallOptions) {
  return options.prompt.flatMap((message) =>
    message.role === "tool" ? message.content.filter((part) => part.type === "tool-result") : [],
  );
}

describe("toAISdkTools", () => {
  it("builds a ToolSet with ai's own dynamicTool and jsonSchema", () => {
    const { tools, report } = toAISdkTools(fakeSource(), { jsonSchema, dynamicTool });
    const set: ToolSet = tools;
    expect(Object.keys(set)).toContain("mcp__files__read_file");
    for (const [name, tool] of Object.entries(set)) {
      expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/);
      expect(tool.type).toBe("dynamic");
    }
    expect(report.format).toBe("ai-sdk");
    expect(set["mcp__files__read_file"]!.title).toBe("Read file");
  });

  it("builds the same plain objects without dynamicTool", () => {
    const withFactory = toAISdkTools(fakeSource(), { jsonSchema, dynamicTool }).tools["mcp__demo__echo"]!;
    const plain = toAISdkTools(fakeSource(), { jsonSchema }).tools["mcp__demo__echo"]!;
    const set: ToolSet = { echo: plain };
    expect(set["echo"]!.type).toBe("dynamic");
    expect(Object.keys(plain).sort()).toEqual(Object.keys(withFactory).sort());
  });

  it("runs the model's tool calls through generateText and feeds the results back", async () => {
    const source = fakeSource();
    const { tools } = toAISdkTools(source, { jsonSchema, dynamicTool });
    const { model, prompts } = scriptedModel([
      { id: "c1", name: "mcp__files__read_file", input: '{"path":"notes.txt"}' },
      { id: "c2", name: "mcp__demo__fail", input: "{}" },
      { id: "c3", name: "mcp__demo__search", input: '{"query":"q"}' },
    ]);
    const result = await generateText({ model, tools, prompt: "go", stopWhen: stepCountIs(3) });
    expect(result.text).toBe("done");
    expect(source.calls.map((c) => [c.name, c.args])).toEqual([
      ["mcp__files__read.file", { path: "notes.txt" }],
      ["mcp__demo__fail", {}],
      ["mcp__demo__search", { query: "q" }],
    ]);
    // The model saw the tools under their provider names, with the simplified schemas.
    const sent = prompts[0]!.tools!.filter((t) => t.type === "function");
    expect(sent.find((t) => t.name === "mcp__demo__echo")!.inputSchema).toEqual({
      type: "object",
      properties: { message: { type: "string" } },
      required: ["message"],
    });
    // And the results came back as text, error-text and JSON, not as a dump of the object.
    expect(toolResults(prompts[1]!).map((part) => [part.toolName, part.output])).toEqual([
      ["mcp__files__read_file", { type: "text", value: "read notes.txt" }],
      ["mcp__demo__fail", { type: "error-text", value: "Tool failed: on purpose" }],
      ["mcp__demo__search", { type: "json", value: { args: { query: "q" } } }],
    ]);
  });

  it("passes the AI SDK's abort signal and the timeout to the call", async () => {
    const source = fakeSource();
    const { tools } = toAISdkTools(source, { jsonSchema }, { timeout: 3 });
    const controller = new AbortController();
    await tools["mcp__demo__echo"]!.execute(
      { message: "x" },
      { toolCallId: "t", abortSignal: controller.signal },
    );
    expect(source.calls[0]!.options).toEqual({ signal: controller.signal, timeout: 3 });
  });

  it("reports a thrown tool error to the model as a tool error", async () => {
    const { tools } = toAISdkTools(fakeSource(), { jsonSchema, dynamicTool });
    const { model, prompts } = scriptedModel([{ id: "c1", name: "mcp__demo__boom", input: "{}" }]);
    await generateText({ model, tools, prompt: "go", stopWhen: stepCountIs(2) });
    const [part] = toolResults(prompts[1]!);
    expect(part!.output).toEqual({
      type: "error-text",
      value: 'tools/call "boom" on server "demo" failed: Internal error',
    });
  });

  it("needs jsonSchema and a client", () => {
    expect(() => toAISdkTools(fakeSource(), {} as never)).toThrow(/jsonSchema/);
    expect(() => toAISdkTools({} as never, { jsonSchema })).toThrow(TypeError);
  });
});

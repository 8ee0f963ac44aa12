import { describe, expect, it } from "vitest";

import { MCPClient } from "../../../src/client/mcpClient.js";
import {
  convertTools,
  formatConversionReport,
  MCPFunction,
  toAnthropicTools,
  toFunctions,
  toGeminiFunctionDeclarations,
  toGeminiTools,
  toOpenAIChatTools,
  toOpenAIResponsesTools,
} from "../../../src/converters/formats.js";
import type { ToolSource } from "../../../src/converters/toolSource.js";
import { MCPValidationError } from "../../../src/errors/errors.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { fakeSource, LONG_TOOL_NAME } from "../../fakes/fakeSource.js";
import { expectProviderFormat, strictRequiredViolations } from "../../helpers/providerFormats.js";
import { demoStdio } from "../../helpers/servers.js";

describe("converters produce each provider's documented format", () => {
  it("OpenAI Chat Completions, non-strict and strict", () => {
    for (const strict of [false, true]) {
      const { tools } = toOpenAIChatTools(fakeSource(), { strict });
      expect(tools).toHaveLength(7);
      for (const tool of tools) {
        expectProviderFormat("openaiChatTool", tool);
        if (tool.function.strict) expect(strictRequiredViolations(tool.function.parameters)).toEqual([]);
      }
    }
  });

  it("OpenAI Responses, non-strict and strict, with strict always explicit", () => {
    for (const strict of [false, true]) {
      const { tools } = toOpenAIResponsesTools(fakeSource(), { strict });
      for (const tool of tools) {
        expectProviderFormat("openaiResponsesTool", tool);
        expect(typeof tool.strict).toBe("boolean");
      }
    }
  });

  it("Anthropic", () => {
    for (const tool of toAnthropicTools(fakeSource()).tools) expectProviderFormat("anthropicTool", tool);
  });

  it("Gemini, with parameters (OpenAPI subset) or parametersJsonSchema", () => {
    for (const geminiSchema of ["openapi", "json-schema"] as const) {
      const { tools } = toGeminiFunctionDeclarations(fakeSource(), { geminiSchema });
      for (const tool of tools) expectProviderFormat("geminiFunctionDeclaration", tool);
    }
  });

  it("MassGen-style functions in all three of MassGen's formats, plus Gemini", () => {
    const { functions } = toFunctions(fakeSource());
    for (const fn of functions) {
      expectProviderFormat("openaiResponsesTool", fn.toOpenAIFormat());
      expectProviderFormat("openaiChatTool", fn.toChatCompletionsFormat());
      expectProviderFormat("anthropicTool", fn.toClaudeFormat());
      expectProviderFormat("geminiFunctionDeclaration", fn.toGeminiFormat());
    }
  });
});

describe("names and report", () => {
  it("rewrites names the provider refuses and maps them back through a table", () => {
    const { tools, names, report } = toOpenAIChatTools(fakeSource());
    const provided = tools.map((t) => t.function.name);
    expect(provided).toContain("mcp__files__read_file");
    expect(names.toOriginal.get("mcp__files__read_file")).toBe("mcp__files__read.file");
    const long = names.toProvider.get(LONG_TOOL_NAME)!;
    expect(long).toHaveLength(64);
    expect(names.toOriginal.get(long)).toBe(LONG_TOOL_NAME);
    const changes = report.changed.filter((r) => r.nameChange).map((r) => [r.tool, r.nameChange!.reasons]);
    expect(changes).toEqual([
      ["mcp__files__read.file", ["characters"]],
      [LONG_TOOL_NAME, ["length"]],
    ]);
    expect(report.tools.find((r) => r.tool === "mcp__files__read.file")!.server).toBe("files");
  });

  it("keeps the dotted name for Gemini, which allows dots", () => {
    const { names } = toGeminiFunctionDeclarations(fakeSource());
    expect(names.toProvider.get("mcp__files__read.file")).toBe("mcp__files__read.file");
  });

  it("reports schema changes per tool and counts warnings", () => {
    const { report, names } = toOpenAIChatTools(fakeSource(), { strict: true });
    const search = report.tools.find((r) => r.tool === "mcp__demo__search")!;
    expect(search.strict).toBe(true);
    expect(search.schemaChanges.map((c) => c.rule)).toEqual(
      expect.arrayContaining(["ref.inlined", "strict.nullable", "strict.additionalProperties"]),
    );
    const boom = report.tools.find((r) => r.tool === "mcp__demo__boom")!;
    expect(boom.strict).toBe(true);
    const slow = report.tools.find((r) => r.tool === "mcp__demo__slow")!;
    expect(slow.schemaChanges.map((c) => c.rule)).toContain("root.type");
    const text = formatConversionReport(report);
    expect(text.split("\n")[0]).toBe(
      `openai-chat: 7 tool(s), ${report.changed.length} changed, ${report.warnings} warning(s)`,
    );
    expect(text).toContain(
      `"${LONG_TOOL_NAME}" → "${names.toProvider.get(LONG_TOOL_NAME)!}" (length) [strict]`,
    );
    expect(text).toMatch(/info #\/properties\/filter: Inlined \$ref "#\/\$defs\/filter"/);
  });

  it("the report quotes the servers' tool names and paths through the server-text gate", () => {
    const token = "ghp_reportLeakToken0123456789abcdefABC";
    const hostile = `t\x1b]0;pwned\x07\x1b[2J\u202e api_key=${token}`;
    const { report } = toOpenAIChatTools(
      [{ name: hostile, inputSchema: { type: "object", properties: { [hostile]: { type: "string" } } } }],
      { strict: true },
    );
    const text = formatConversionReport(report);
    // The raw name and the path built from the property name are gated; the routed name keeps only
    // [A-Za-z0-9_-] of what the server chose.
    expect(text).toContain('  "t api_key=[REDACTED]" → "t__0_pwned');
    expect(text).toContain("info #/properties/t api_key=[REDACTED]: Optional property");
    expect(text).not.toContain(`=${token}`);
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it("sets strict: true only on tools that could be made strict", () => {
    const source = fakeSource();
    source.tools.set("mcp__demo__free", {
      description: "Free-form.",
      inputSchema: { type: "object", properties: { meta: { type: "object" } } },
    });
    const { tools, report } = toOpenAIChatTools(source, { strict: true });
    expect(tools.find((t) => t.function.name === "mcp__demo__free")!.function.strict).toBe(false);
    expect(tools.find((t) => t.function.name === "mcp__demo__echo")!.function.strict).toBe(true);
    const free = report.tools.find((r) => r.tool === "mcp__demo__free")!;
    expect(free.schemaChanges.find((c) => c.rule === "strict.unavailable")!.message).toContain(
      "#/properties/meta",
    );
  });

  it("leaves strict out of Chat Completions tools unless asked", () => {
    for (const tool of toOpenAIChatTools(fakeSource()).tools)
      expect(tool.function).not.toHaveProperty("strict");
  });

  it("uses the description, else the title, else 'MCP tool: <name>'", () => {
    const { tools } = toAnthropicTools([
      { name: "a", description: "Does A.", title: "A" },
      { name: "b", title: "Bee" },
      { name: "c" },
    ]);
    expect(tools.map((t) => t.description)).toEqual(["Does A.", "Bee", "MCP tool: c"]);
    expect(tools[2]!.input_schema).toEqual({ type: "object", properties: {} });
  });

  it("omits Gemini parameters for a tool without arguments", () => {
    const { tools } = toGeminiFunctionDeclarations(fakeSource());
    const fail = tools.find((t) => t.name === "mcp__demo__fail")!;
    expect(fail).toEqual({ name: "mcp__demo__fail", description: "Fails." });
    expect(tools.find((t) => t.name === "mcp__demo__echo")!.parameters).toEqual({
      type: "OBJECT",
      properties: { message: { type: "STRING" } },
      required: ["message"],
    });
  });

  it("wraps Gemini declarations in one tools entry, and gives no entry for no tools", () => {
    const { tools } = toGeminiTools(fakeSource());
    expect(tools).toHaveLength(1);
    expect(tools[0]!.functionDeclarations).toHaveLength(7);
    expect(toGeminiTools([]).tools).toEqual([]);
  });

  it("filters tools", () => {
    const { tools } = convertTools(fakeSource(), "anthropic", { filter: (t) => t.server === "files" });
    expect(tools.map((t) => t.name)).toEqual(["mcp__files__read_file"]);
  });

  it("refuses an unknown format with the list of supported ones", () => {
    expect(() => convertTools(fakeSource(), "mistral" as never)).toThrow(
      /openai-chat, openai-responses, anthropic, gemini/,
    );
  });

  it("accepts an MCPClient and a MultiMCPClient as they are (type-level and before connecting)", () => {
    const client: ToolSource = new MCPClient(demoStdio());
    const multi: ToolSource = new MultiMCPClient([demoStdio()]);
    expect(toOpenAIChatTools(client).tools).toEqual([]);
    expect(toOpenAIChatTools(multi).tools).toEqual([]);
  });
});

describe("MCPFunction", () => {
  it("has MassGen's defaults and shapes (reference §7.2)", () => {
    const fn = new MCPFunction({ entrypoint: async () => ({ content: [] }) });
    expect(fn.name).toBe("unknown_function");
    expect(fn.description).toBe("Function: unknown_function");
    expect(fn.parameters).toEqual({ type: "object", properties: {} });
    expect(fn.toOpenAIFormat()).toEqual({
      type: "function",
      name: "unknown_function",
      description: "Function: unknown_function",
      parameters: { type: "object", properties: {} },
      strict: false,
    });
    expect(fn.toChatCompletionsFormat()).toEqual({
      type: "function",
      function: {
        name: "unknown_function",
        description: "Function: unknown_function",
        parameters: { type: "object", properties: {} },
      },
    });
    expect(fn.toClaudeFormat()).toEqual({
      name: "unknown_function",
      description: "Function: unknown_function",
      input_schema: { type: "object", properties: {} },
    });
  });

  it("calls the real tool with parsed arguments from its entrypoint", async () => {
    const source = fakeSource();
    const { functions } = toFunctions(source);
    const read = functions.find((f) => f.toolName === "mcp__files__read.file")!;
    expect(read.name).toBe("mcp__files__read_file");
    expect(read.server).toBe("files");
    const result = await read.entrypoint('{"path": "a.txt"}');
    expect(result.content).toEqual([{ type: "text", text: "read a.txt" }]);
    expect(source.calls).toEqual([
      { name: "mcp__files__read.file", args: { path: "a.txt" }, options: undefined },
    ]);
  });

  it("rejects bad JSON with an MCPValidationError naming the tool, and calls nothing", async () => {
    const source = fakeSource();
    const echo = toFunctions(source).functions.find((f) => f.name === "mcp__demo__echo")!;
    const error = await echo.entrypoint("{message: hi}").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPValidationError);
    expect((error as MCPValidationError).message).toContain(
      'Invalid JSON arguments for tool "mcp__demo__echo"',
    );
    expect((error as MCPValidationError).rule).toBe("json.parse");
    expect((error as MCPValidationError).serverName).toBe("demo");
    expect(source.calls).toEqual([]);
  });

  it("uses portable names, valid for every provider at once", () => {
    const source = fakeSource();
    source.tools.set("3d.render", { inputSchema: { type: "object" } });
    const names = toFunctions(source).functions.map((f) => f.name);
    expect(names).toContain("_3d_render");
    for (const name of names) expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_-]{0,63}$/);
  });
});

import type { CallToolResult } from "@modelcontextprotocol/client";
import { dynamicTool, generateText, jsonSchema, stepCountIs } from "ai";
import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import { toAISdkTools } from "../../src/converters/aiSdk.js";
import type { ToolFormat } from "../../src/converters/formats.js";
import { TOOL_FORMATS } from "../../src/converters/formats.js";
import { createToolset } from "../../src/converters/toolset.js";
import type { ToolSource, ToolSourceEntry } from "../../src/converters/toolSource.js";
import { MCPCancelledError, MCPServerError, MCPValidationError } from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { toolCallingModel } from "../fakes/scriptedModels.js";
import { isAlive } from "../helpers/processes.js";
import type { ProviderFormat } from "../helpers/providerFormats.js";
import { expectProviderFormat, strictRequiredViolations } from "../helpers/providerFormats.js";
import { demoStdio } from "../helpers/servers.js";

const clients: MCPClient[] = [];

async function connect(): Promise<MCPClient> {
  const client = new MCPClient(demoStdio());
  clients.push(client);
  await client.connect();
  return client;
}

afterEach(async () => {
  const pids = clients.map((c) => c.getDiagnostics().pid).filter((pid): pid is number => pid !== undefined);
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});

const TOOL_SCHEMA: Record<ToolFormat, ProviderFormat> = {
  "openai-chat": "openaiChatTool",
  "openai-responses": "openaiResponsesTool",
  anthropic: "anthropicTool",
  gemini: "geminiFunctionDeclaration",
};
const RESULT_SCHEMA: Record<ToolFormat, ProviderFormat> = {
  "openai-chat": "openaiChatToolMessage",
  "openai-responses": "openaiResponsesFunctionCallOutput",
  anthropic: "anthropicToolResult",
  gemini: "geminiFunctionResponsePart",
};

function definitions(format: ToolFormat, tools: readonly unknown[]): unknown[] {
  return format === "gemini"
    ? (tools as Array<{ functionDeclarations: unknown[] }>).flatMap((t) => t.functionDeclarations)
    : [...tools];
}

/** The text the model gets, whatever the format. */
function modelText(format: ToolFormat, output: unknown): string {
  const o = output as Record<string, unknown>;
  switch (format) {
    case "openai-chat":
      return o["content"] as string;
    case "openai-responses":
      return o["output"] as string;
    case "anthropic":
      return o["content"] as string;
    default:
      return JSON.stringify((o["functionResponse"] as { response: unknown }).response);
  }
}

/** A client that (unlike the demo's) names tools `mcp__demo__…`, shaped like MultiMCPClient. */
function prefixed(client: MCPClient): ToolSource {
  const entries = () =>
    new Map<string, ToolSourceEntry>(
      [...client.tools].map(([raw, tool]) => [
        `mcp__demo__${raw}`,
        {
          name: `mcp__demo__${raw}`,
          server: "demo",
          rawName: raw,
          description: tool.description,
          inputSchema: tool.inputSchema,
          annotations: tool.annotations,
          tool,
        },
      ]),
    );
  let cached = entries();
  return {
    get tools() {
      if (cached.size !== client.tools.size) cached = entries();
      return cached;
    },
    callTool: (name, args, options) => client.callTool(cached.get(name)!.rawName!, args, options),
  };
}

describe("createToolset against the demo server", () => {
  for (const format of TOOL_FORMATS) {
    describe(format, () => {
      it("offers every tool in the provider's documented format", async () => {
        const client = await connect();
        const toolset = createToolset(client, { format, strict: true });
        const defs = definitions(format, toolset.tools);
        expect(defs).toHaveLength(client.tools.size);
        for (const def of defs) expectProviderFormat(TOOL_SCHEMA[format], def);
        expect(toolset.report.tools.map((t) => t.tool).sort()).toEqual([...client.tools.keys()].sort());
      });

      it("runs model-style calls: JSON strings, objects, structured and error results", async () => {
        const client = await connect();
        const toolset = createToolset(client, { format });
        const callId = "call_1";
        const echo = await toolset.execute("echo", '{"message":"hello"}', { callId });
        expectProviderFormat(RESULT_SCHEMA[format], echo.output);
        expect(modelText(format, echo.output)).toContain("Echo: hello");
        expect(echo.isError).toBe(false);

        const add = await toolset.execute("add", { a: 2, b: 3 }, { callId });
        expect(add.result.structuredContent).toEqual({ result: 5 });
        expect(modelText(format, add.output)).toContain(
          format === "gemini" ? '{"output":{"result":5}}' : "2 + 3 = 5",
        );

        const fail = await toolset.execute("fail_tool", '{"reason":"no disk"}', { callId });
        expectProviderFormat(RESULT_SCHEMA[format], fail.output);
        expect(fail.isError).toBe(true);
        const failText = modelText(format, fail.output);
        if (format === "openai-chat" || format === "openai-responses")
          expect(failText).toBe("Error: Tool failed: no disk");
        if (format === "anthropic")
          expect(fail.output).toMatchObject({ is_error: true, content: "Tool failed: no disk" });
        if (format === "gemini") expect(failText).toBe('{"error":"Tool failed: no disk"}');
      });

      it("refuses bad JSON and wrong argument types with MCPValidationError naming the tool", async () => {
        const client = await connect();
        const toolset = createToolset(client, { format });
        const badJson = await toolset
          .execute("add", '{"a": 1, "b": ', { callId: "c" })
          .catch((e: unknown) => e);
        expect(badJson).toBeInstanceOf(MCPValidationError);
        expect(badJson).toMatchObject({ rule: "json.parse", serverName: "demo" });
        expect((badJson as Error).message).toContain('tool "add"');

        const wrongType = await toolset
          .execute("add", '{"a": "two", "b": 3}', { callId: "c" })
          .catch((e: unknown) => e);
        expect(wrongType).toBeInstanceOf(MCPValidationError);
        expect(wrongType).toMatchObject({ code: "INVALID_ARGUMENTS", rule: "schema" });
        expect((wrongType as Error).message).toContain('tool "add"');

        const notObject = await toolset
          .execute("echo", '["hello"]', { callId: "c" })
          .catch((e: unknown) => e);
        expect(notObject).toMatchObject({ rule: "json.object" });
        // The server is still fine afterwards.
        expect((await toolset.execute("echo", '{"message":"still here"}', { callId: "c" })).isError).toBe(
          false,
        );
      });
    });
  }

  it("throws a JSON-RPC error as MCPServerError, or returns it as an error result with onError: result", async () => {
    const client = await connect();
    const throwing = createToolset(client, { format: "openai-chat" });
    await expect(
      throwing.execute("rpc_error", '{"code": -32603, "message": "kaput"}', { callId: "c" }),
    ).rejects.toBeInstanceOf(MCPServerError);
    const reporting = createToolset(client, { format: "openai-chat", onError: "result" });
    const run = await reporting.execute("rpc_error", '{"code": -32603, "message": "kaput"}', { callId: "c" });
    expect(run.error).toBeInstanceOf(MCPServerError);
    expect(run.output.content).toMatch(/^Error: .*kaput/);
    const bad = await reporting.execute("add", '{"a": "x"}', { callId: "c2" });
    expect(bad.output.content).toMatch(/^Error: Invalid arguments for tool "add"/);
  });

  it("strict mode: optional arguments the model sends as null are left out, so the server applies its defaults", async () => {
    const client = await connect();
    const toolset = createToolset(client, { format: "openai-responses", strict: true });
    const slow = toolset.resolve("slow_task")!;
    expect(slow.schema.strict).toBe(true);
    expect(strictRequiredViolations(slow.schema.schema)).toEqual([]);
    const run = await toolset.execute("slow_task", '{"seconds": 0, "steps": null}', { callId: "c" });
    expect(run.arguments).toEqual({ seconds: 0 });
    expect(run.output.output).toBe("Completed 5 steps in 0 seconds");
  });

  it("cancels a running call through the caller's signal", async () => {
    const client = await connect();
    const toolset = createToolset(client, { format: "gemini" });
    const controller = new AbortController();
    const running = toolset.execute(
      "slow_task",
      { seconds: 6, steps: 60 },
      {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      },
    );
    await expect(running).rejects.toBeInstanceOf(MCPCancelledError);
  });

  it("follows list_changed: a tool added at runtime shows up under a provider-safe name and runs", async () => {
    const client = await connect();
    const toolset = createToolset(client, { format: "anthropic" });
    expect(toolset.resolve("dyn.tool")).toBeUndefined();
    const changed = new Promise<void>((resolve) =>
      client.on("listChanged", (e) => e.kind === "tools" && resolve()),
    );
    await toolset.execute("add_tool", '{"name":"dyn.tool"}', { callId: "c" });
    await changed;
    const added = toolset.tools.find((t) => t.name === "dyn_tool");
    expect(added).toBeDefined();
    expectProviderFormat("anthropicTool", added);
    expect(toolset.report.changed.find((r) => r.tool === "dyn.tool")!.nameChange!.reasons).toEqual([
      "characters",
    ]);
    const run = await toolset.execute("dyn_tool", '{"x": 1}', { callId: "c" });
    expect(run.tool).toBe("dyn.tool");
    expect(JSON.parse(run.output.content as string)).toEqual({ x: 1 });
  });

  it("works with a multi-server-shaped client: prefixed names in, raw names called", async () => {
    const client = await connect();
    const toolset = createToolset(prefixed(client), { format: "gemini" });
    const names = toolset.tools[0]!.functionDeclarations.map((d) => d.name);
    expect(names).toContain("mcp__demo__echo");
    expect(toolset.report.tools.every((r) => r.server === "demo")).toBe(true);
    const run = await toolset.execute("mcp__demo__echo", { message: "multi" }, { callId: "fc_1" });
    expect(run.output).toEqual({
      functionResponse: { id: "fc_1", name: "mcp__demo__echo", response: { output: "Echo: multi" } },
    });
  });
});

describe("createToolset with a MultiMCPClient", () => {
  it("converts prefixed names and calls each tool on its server", async () => {
    const multi = new MultiMCPClient([demoStdio({ name: "one" }), demoStdio({ name: "two" })]);
    try {
      await multi.connect();
      const toolset = createToolset(multi, { format: "openai-chat", strict: true });
      const names = toolset.tools.map((t) => t.function.name);
      expect(names).toEqual(expect.arrayContaining(["mcp__one__echo", "mcp__two__echo"]));
      for (const tool of toolset.tools) expectProviderFormat("openaiChatTool", tool);
      expect(toolset.report.tools.find((r) => r.tool === "mcp__two__add")!.server).toBe("two");
      const run = await toolset.execute("mcp__two__echo", '{"message":"via two"}', { callId: "c" });
      expect(run).toMatchObject({ tool: "mcp__two__echo", server: "two", isError: false });
      expect(run.output.content).toBe("Echo: via two");
    } finally {
      await multi.disconnect();
    }
  });
});

describe("toAISdkTools against the demo server", () => {
  it("lets generateText call the demo's tools and feeds back text, JSON and errors", async () => {
    const client = await connect();
    const { tools } = toAISdkTools(client, { jsonSchema, dynamicTool });
    const model = toolCallingModel(
      [
        { toolCallId: "c1", toolName: "echo", input: '{"message":"hi"}' },
        { toolCallId: "c2", toolName: "add", input: '{"a":1,"b":2}' },
        { toolCallId: "c3", toolName: "fail_tool", input: "{}" },
        { toolCallId: "c4", toolName: "add", input: '{"a":"one","b":2}' },
      ],
      "ok",
    );
    const result = await generateText({ model, tools, prompt: "go", stopWhen: stepCountIs(3) });
    expect(result.text).toBe("ok");
    const secondPrompt = model.doGenerateCalls[1]!.prompt;
    const outputs = secondPrompt.flatMap((m) =>
      m.role === "tool"
        ? m.content.flatMap((p) => (p.type === "tool-result" ? [[p.toolCallId, p.output]] : []))
        : [],
    );
    expect(Object.fromEntries(outputs)).toEqual({
      c1: { type: "text", value: "Echo: hi" },
      c2: { type: "json", value: { result: 3 } },
      c3: { type: "error-text", value: "Tool failed: requested failure" },
      c4: { type: "error-text", value: expect.stringContaining('Invalid arguments for tool "add"') },
    });
    const first = result.steps[0]!.toolResults.find((r) => r.toolCallId === "c1")!;
    expect((first.output as CallToolResult).content).toEqual([{ type: "text", text: "Echo: hi" }]);
  });
});

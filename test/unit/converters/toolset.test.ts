import { describe, expect, it } from "vitest";

import { createToolset } from "../../../src/converters/toolset.js";
import {
  MCPCancelledError,
  MCPError,
  MCPServerError,
  MCPValidationError,
} from "../../../src/errors/errors.js";
import { fakeSource, LONG_TOOL_NAME } from "../../fakes/fakeSource.js";
import { expectProviderFormat } from "../../helpers/providerFormats.js";

describe("createToolset: execute()", () => {
  it("maps a rewritten provider name back to the real tool through the table", async () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "openai-chat" });
    const longName = toolset.resolve(LONG_TOOL_NAME)!.name;
    expect(longName).toHaveLength(64);
    const run = await toolset.execute(longName, "{}", { callId: "call_1" });
    expect(run.tool).toBe(LONG_TOOL_NAME);
    expect(run.name).toBe(longName);
    const read = await toolset.execute("mcp__files__read_file", '{"path":"a"}', { callId: "call_2" });
    expect(read.tool).toBe("mcp__files__read.file");
    expect(read.server).toBe("files");
    expect(source.calls.map((c) => c.name)).toEqual([LONG_TOOL_NAME, "mcp__files__read.file"]);
  });

  it("parses JSON strings and takes argument objects as they are", async () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "anthropic" });
    await toolset.execute("mcp__demo__echo", '  {"message":"a"} ', { callId: "t1" });
    await toolset.execute("mcp__demo__echo", { message: "b" }, { callId: "t2" });
    await toolset.execute("mcp__demo__fail", "", { callId: "t3" });
    await toolset.execute("mcp__demo__fail", "null", { callId: "t4" });
    expect(source.calls.map((c) => c.args)).toEqual([{ message: "a" }, { message: "b" }, {}, {}]);
  });

  it("refuses bad JSON with an MCPValidationError naming the tool, without calling it", async () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "openai-responses" });
    const error = await toolset
      .execute("mcp__demo__echo", '{"message": "s3cr3t"', { callId: "c" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPValidationError);
    expect(error).toMatchObject({
      code: "INVALID_ARGUMENTS",
      rule: "json.parse",
      field: "arguments",
      serverName: "demo",
    });
    expect((error as Error).message).toMatch(/^Invalid JSON arguments for tool "mcp__demo__echo": /);
    // The arguments may hold user data: the message says where JSON broke, not what it said.
    expect((error as Error).message).not.toContain("s3cr3t");
    // Node quotes the input in some JSON.parse messages ("s3cr3t" is not valid JSON): not here.
    const quoted = await toolset
      .execute("mcp__demo__echo", "s3cr3t", { callId: "c" })
      .catch((e: unknown) => e);
    expect((quoted as Error).message).toContain(": syntax error in 6 characters.");
    expect((quoted as Error).message).not.toContain("s3cr3t");
    expect(source.calls).toEqual([]);
  });

  it("refuses JSON that is not an object", async () => {
    const toolset = createToolset(fakeSource(), { format: "gemini" });
    for (const args of ["[1,2]", '"text"', "42", [1]]) {
      await expect(toolset.execute("mcp__demo__echo", args)).rejects.toMatchObject({
        name: "MCPValidationError",
        rule: "json.object",
      });
    }
  });

  it("reports an unknown tool as NOT_FOUND with a suggestion", async () => {
    const toolset = createToolset(fakeSource(), { format: "openai-chat" });
    const error = await toolset.execute("mcp__demo__ecko", "{}", { callId: "c" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPError);
    expect((error as MCPError).code).toBe("NOT_FOUND");
    expect((error as MCPError).message).toContain('Did you mean "mcp__demo__echo"?');
  });

  it("needs a callId for the formats whose result message carries one", async () => {
    for (const format of ["openai-chat", "openai-responses", "anthropic"] as const) {
      const source = fakeSource();
      const toolset = createToolset(source, { format });
      await expect(
        (toolset.execute as unknown as (n: string, a: unknown) => Promise<unknown>)("mcp__demo__echo", "{}"),
      ).rejects.toThrow(/needs \{ callId \}/);
      expect(source.calls).toEqual([]);
    }
    await expect(
      createToolset(fakeSource(), { format: "gemini" }).execute("mcp__demo__fail", "{}"),
    ).resolves.toBeDefined();
  });

  it("returns the output in each format's documented result shape", async () => {
    const chat = await createToolset(fakeSource(), { format: "openai-chat" }).execute(
      "mcp__demo__echo",
      '{"message":"x"}',
      {
        callId: "call_9",
      },
    );
    expect(chat.output).toEqual({ role: "tool", tool_call_id: "call_9", content: "Echo: x" });
    expectProviderFormat("openaiChatToolMessage", chat.output);
    const responses = await createToolset(fakeSource(), { format: "openai-responses" }).execute(
      "mcp__demo__fail",
      "{}",
      {
        callId: "fc_1",
      },
    );
    expect(responses.output).toEqual({
      type: "function_call_output",
      call_id: "fc_1",
      output: "Error: Tool failed: on purpose",
    });
    expect(responses.isError).toBe(true);
    const anthropic = await createToolset(fakeSource(), { format: "anthropic" }).execute(
      "mcp__demo__fail",
      "{}",
      {
        callId: "toolu_1",
      },
    );
    expect(anthropic.output).toMatchObject({ type: "tool_result", tool_use_id: "toolu_1", is_error: true });
    expectProviderFormat("anthropicToolResult", anthropic.output);
    const gemini = await createToolset(fakeSource(), { format: "gemini" }).execute(
      "mcp__demo__search",
      { query: "q" },
      {
        callId: "g1",
      },
    );
    expect(gemini.output).toEqual({
      functionResponse: {
        id: "g1",
        name: "mcp__demo__search",
        response: { output: { args: { query: "q" } } },
      },
    });
    expectProviderFormat("geminiFunctionResponsePart", gemini.output);
  });

  it("removes strict mode's nulls for optional arguments before calling", async () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "openai-chat", strict: true });
    expect(toolset.resolve("mcp__demo__search")!.schema.strict).toBe(true);
    await toolset.execute("mcp__demo__search", '{"query":"q","limit":null,"filter":{"tag":"t"}}', {
      callId: "c",
    });
    await toolset.execute("mcp__demo__search", '{"query":"q","limit":5,"filter":null}', { callId: "c" });
    expect(source.calls.map((c) => c.args)).toEqual([
      { query: "q", filter: { tag: "t" } },
      { query: "q", limit: 5 },
    ]);
  });

  it("leaves null alone when strict mode is off", async () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "openai-chat" });
    await toolset.execute("mcp__demo__search", '{"query":"q","limit":null}', { callId: "c" });
    expect(source.calls[0]!.args).toEqual({ query: "q", limit: null });
  });

  it("passes signal, timeout and progress through, the call's timeout over the toolset's", async () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "gemini", timeout: 7 });
    const controller = new AbortController();
    const onProgress = () => undefined;
    await toolset.execute("mcp__demo__fail", {}, { signal: controller.signal, onProgress });
    await toolset.execute("mcp__demo__fail", {}, { timeout: 2 });
    expect(source.calls[0]!.options).toEqual({ signal: controller.signal, timeout: 7, onProgress });
    expect(source.calls[1]!.options).toMatchObject({ timeout: 2 });
  });

  it("throws tool-call errors by default", async () => {
    const toolset = createToolset(fakeSource(), { format: "openai-chat" });
    await expect(toolset.execute("mcp__demo__boom", "{}", { callId: "c" })).rejects.toBeInstanceOf(
      MCPServerError,
    );
  });

  it('with onError: "result", turns mcp-tools errors into an error result the model can read', async () => {
    const toolset = createToolset(fakeSource(), { format: "anthropic", onError: "result" });
    const boom = await toolset.execute("mcp__demo__boom", "{}", { callId: "t1" });
    expect(boom.isError).toBe(true);
    expect(boom.error).toBeInstanceOf(MCPServerError);
    expect(boom.output).toEqual({
      type: "tool_result",
      tool_use_id: "t1",
      content: 'tools/call "boom" on server "demo" failed: Internal error',
      is_error: true,
    });
    const badJson = await toolset.execute("mcp__demo__echo", "{", { callId: "t2" });
    expect(badJson.error).toBeInstanceOf(MCPValidationError);
    expect(badJson.output.content).toMatch(/Invalid JSON arguments for tool "mcp__demo__echo"/);
    const unknown = await toolset.execute("nope", "{}", { callId: "t3" });
    expect(unknown.error?.code).toBe("NOT_FOUND");
    expect(unknown.tool).toBe("nope");
  });

  it('still throws a caller\'s abort with onError: "result"', async () => {
    const toolset = createToolset(fakeSource(), { format: "gemini", onError: "result" });
    const controller = new AbortController();
    const running = toolset.execute("mcp__demo__slow", {}, { signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toBeInstanceOf(MCPCancelledError);
  });

  it('lets non-mcp-tools errors through with onError: "result"', async () => {
    const source = fakeSource();
    source.tools.set("ghost", { inputSchema: { type: "object" } });
    const toolset = createToolset(source, { format: "gemini", onError: "result" });
    await expect(toolset.execute("ghost", {})).rejects.toThrow("fake: no tool ghost");
  });
});

describe("createToolset: tools", () => {
  it("gives what each API's tools field takes", () => {
    const source = fakeSource();
    const chat = createToolset(source, { format: "openai-chat" }).tools;
    for (const tool of chat) expectProviderFormat("openaiChatTool", tool);
    const gemini = createToolset(source, { format: "gemini" }).tools;
    expect(gemini).toHaveLength(1);
    for (const declaration of gemini[0]!.functionDeclarations)
      expectProviderFormat("geminiFunctionDeclaration", declaration);
  });

  it("re-converts when the client's tool list changes, and only then", () => {
    const source = fakeSource();
    const toolset = createToolset(source, { format: "anthropic" });
    const first = toolset.tools;
    expect(toolset.tools).toBe(first);
    source.tools.set("mcp__demo__new.tool", { inputSchema: { type: "object" } });
    const second = toolset.tools;
    expect(second).not.toBe(first);
    expect(second.map((t) => t.name)).toContain("mcp__demo__new_tool");
    expect(toolset.resolve("mcp__demo__new_tool")!.source.name).toBe("mcp__demo__new.tool");
    expect(toolset.report.tools).toHaveLength(8);
  });

  it("refuses an unknown format and a source that cannot call tools", () => {
    expect(() => createToolset(fakeSource(), { format: "cohere" as never })).toThrow(RangeError);
    expect(() => createToolset({ tools: new Map() } as never, { format: "gemini" })).toThrow(TypeError);
  });
});

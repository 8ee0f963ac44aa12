/**
 * The README's agent-loop examples, one per API, compiled and run against scripted model
 * responses. Between the `// README` markers is the code the README shows; the fake clients below
 * mirror the request and response shapes of the official SDKs (openai, @anthropic-ai/sdk,
 * @google/genai) closely enough that the same code type-checks against them, and check every
 * request's `tools` against the providers' documented formats.
 */
import { dynamicTool, generateText, jsonSchema, stepCountIs } from "ai";
import { describe, expect, it } from "vitest";

import { toAISdkTools } from "../../../src/converters/aiSdk.js";
import type {
  AnthropicTool,
  GeminiTool,
  OpenAIChatTool,
  OpenAIResponsesTool,
} from "../../../src/converters/formats.js";
import type {
  AnthropicToolResultBlock,
  GeminiFunctionResponsePart,
  OpenAIChatToolMessage,
  OpenAIResponsesFunctionCallOutput,
} from "../../../src/converters/results.js";
import { createToolset } from "../../../src/converters/toolset.js";
import { fakeSource } from "../../fakes/fakeSource.js";
import { chatToolCallReplies, scripted, toolCallingModel } from "../../fakes/scriptedModels.js";

// ---------------------------------------------------------------------------------------------
// Fake SDK clients (request/response subsets of the official SDKs)

// openai: chat.completions
type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[] }
  | OpenAIChatToolMessage;
type ChatToolCall =
  | { id: string; type: "function"; function: { name: string; arguments: string } }
  | { id: string; type: "custom"; custom: { name: string; input: string } };
interface ChatCompletion {
  choices: Array<{ message: { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[] } }>;
}

// openai: responses
type ResponseInputItem = { role: "user"; content: string } | OpenAIResponsesFunctionCallOutput;
type ResponseOutputItem =
  | { type: "function_call"; call_id: string; name: string; arguments: string }
  | { type: "message"; content: Array<{ type: "output_text"; text: string }> };
interface OpenAIResponse {
  id: string;
  output: ResponseOutputItem[];
  output_text: string;
}

// @anthropic-ai/sdk: messages
type AnthropicContentBlock =
  { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };
type AnthropicMessageParam =
  | { role: "user"; content: string | AnthropicToolResultBlock[] }
  | { role: "assistant"; content: AnthropicContentBlock[] };
interface AnthropicMessage {
  content: AnthropicContentBlock[];
  stop_reason: "end_turn" | "tool_use";
}

// @google/genai: models.generateContent
type GeminiPart = { text: string } | { functionCall: GeminiFunctionCall } | GeminiFunctionResponsePart;
interface GeminiFunctionCall {
  id?: string;
  name?: string;
  args?: Record<string, unknown>;
}
interface GeminiContent {
  role?: string;
  parts?: GeminiPart[];
}
interface GeminiResponse {
  candidates?: Array<{ content?: GeminiContent }>;
  functionCalls: GeminiFunctionCall[] | undefined;
  text: string | undefined;
}

const chatReplies: ChatCompletion[] = chatToolCallReplies(
  { id: "call_1", name: "mcp__demo__echo", arguments: '{"message":"hello"}' },
  "It said: Echo: hello",
);

describe("README agent loops", () => {
  it("OpenAI Chat Completions", async () => {
    const client = fakeSource();
    const completions = scripted<
      { model: string; messages: ChatMessage[]; tools: OpenAIChatTool[] },
      ChatCompletion
    >("openaiChatTool", (r) => r.tools, chatReplies);
    const openai = { chat: { completions } };

    // README (OpenAI Chat Completions)
    const toolset = createToolset(client, { format: "openai-chat" });
    const messages: ChatMessage[] = [{ role: "user", content: "Echo hello" }];
    for (;;) {
      const reply = (
        await openai.chat.completions.create({ model: "gpt-4.1", messages, tools: toolset.tools })
      ).choices[0]!.message;
      messages.push(reply);
      if (!reply.tool_calls?.length) break;
      for (const call of reply.tool_calls) {
        if (call.type !== "function") continue;
        const run = await toolset.execute(call.function.name, call.function.arguments, { callId: call.id });
        messages.push(run.output);
      }
    }
    // README end

    expect(messages[2]).toEqual({ role: "tool", tool_call_id: "call_1", content: "Echo: hello" });
    expect(messages.at(-1)).toMatchObject({ content: "It said: Echo: hello" });
    expect(completions.requests[1]!.messages).toHaveLength(3);
  });

  it("OpenAI Responses", async () => {
    const client = fakeSource();
    const responses = scripted<
      {
        model: string;
        input: ResponseInputItem[];
        previous_response_id?: string;
        tools: OpenAIResponsesTool[];
      },
      OpenAIResponse
    >("openaiResponsesTool", (r) => r.tools, [
      {
        id: "resp_1",
        output: [
          { type: "function_call", call_id: "fc_1", name: "mcp__demo__echo", arguments: '{"message":"hi"}' },
        ],
        output_text: "",
      },
      {
        id: "resp_2",
        output: [{ type: "message", content: [{ type: "output_text", text: "Done" }] }],
        output_text: "Done",
      },
    ]);
    const openai = { responses };

    // README (OpenAI Responses)
    const toolset = createToolset(client, { format: "openai-responses" });
    let response = await openai.responses.create({
      model: "gpt-4.1",
      input: [{ role: "user", content: "Echo hi" }],
      tools: toolset.tools,
    });
    while (response.output.some((item) => item.type === "function_call")) {
      const input: ResponseInputItem[] = [];
      for (const item of response.output) {
        if (item.type === "function_call")
          input.push((await toolset.execute(item.name, item.arguments, { callId: item.call_id })).output);
      }
      response = await openai.responses.create({
        model: "gpt-4.1",
        previous_response_id: response.id,
        input,
        tools: toolset.tools,
      });
    }
    // README end

    expect(response.output_text).toBe("Done");
    expect(responses.requests[1]!.input).toEqual([
      { type: "function_call_output", call_id: "fc_1", output: "Echo: hi" },
    ]);
  });

  it("Anthropic Messages", async () => {
    const client = fakeSource();
    const messagesApi = scripted<
      { model: string; max_tokens: number; messages: AnthropicMessageParam[]; tools: AnthropicTool[] },
      AnthropicMessage
    >("anthropicTool", (r) => r.tools, [
      {
        content: [
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_1", name: "mcp__demo__fail", input: {} },
        ],
        stop_reason: "tool_use",
      },
      { content: [{ type: "text", text: "The tool failed." }], stop_reason: "end_turn" },
    ]);
    const anthropic = { messages: messagesApi };

    // README (Anthropic)
    const toolset = createToolset(client, { format: "anthropic" });
    const messages: AnthropicMessageParam[] = [{ role: "user", content: "Try the failing tool" }];
    for (;;) {
      const reply = await anthropic.messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 1024,
        messages,
        tools: toolset.tools,
      });
      messages.push({ role: "assistant", content: reply.content });
      if (reply.stop_reason !== "tool_use") break;
      const results: AnthropicToolResultBlock[] = [];
      for (const block of reply.content) {
        if (block.type === "tool_use")
          results.push((await toolset.execute(block.name, block.input, { callId: block.id })).output);
      }
      messages.push({ role: "user", content: results });
    }
    // README end

    expect(messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "Tool failed: on purpose", is_error: true },
      ],
    });
  });

  it("Google Gemini", async () => {
    const client = fakeSource();
    const call: GeminiFunctionCall = { id: "fc_1", name: "mcp__demo__search", args: { query: "mcp" } };
    const models = {
      ...scripted<
        { model: string; contents: GeminiContent[]; config: { tools: GeminiTool[] } },
        GeminiResponse
      >("geminiFunctionDeclaration", (r) => r.config.tools.flatMap((t) => t.functionDeclarations), [
        {
          candidates: [{ content: { role: "model", parts: [{ functionCall: call }] } }],
          functionCalls: [call],
          text: undefined,
        },
        {
          candidates: [{ content: { role: "model", parts: [{ text: "Found it." }] } }],
          functionCalls: undefined,
          text: "Found it.",
        },
      ]),
    };
    const ai = { models: { generateContent: models.create } };

    // README (Gemini)
    const toolset = createToolset(client, { format: "gemini" });
    const contents: GeminiContent[] = [{ role: "user", parts: [{ text: "Search for mcp" }] }];
    for (;;) {
      const response = await ai.models.generateContent({
        model: "gemini-2.5-flash",
        contents,
        config: { tools: toolset.tools },
      });
      const content = response.candidates?.[0]?.content;
      if (!content || !response.functionCalls?.length) break;
      contents.push(content);
      const parts: GeminiPart[] = [];
      for (const fc of response.functionCalls) {
        parts.push((await toolset.execute(fc.name ?? "", fc.args, { callId: fc.id })).output);
      }
      contents.push({ role: "user", parts });
    }
    // README end

    expect(contents[2]).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            id: "fc_1",
            name: "mcp__demo__search",
            response: { output: { args: { query: "mcp" } } },
          },
        },
      ],
    });
  });

  it("Vercel AI SDK", async () => {
    const client = fakeSource();
    const model = toolCallingModel(
      [{ toolCallId: "c1", toolName: "mcp__demo__echo", input: '{"message":"hey"}' }],
      "Echoed.",
    );

    // README (Vercel AI SDK)
    const { tools } = toAISdkTools(client, { jsonSchema, dynamicTool });
    const { text, steps } = await generateText({
      model,
      tools,
      prompt: "Echo hey",
      stopWhen: stepCountIs(5),
    });
    // README end

    expect(text).toBe("Echoed.");
    expect(steps[0]!.toolResults.map((r) => r.output)).toEqual([
      { content: [{ type: "text", text: "Echo: hey" }] },
    ]);
  });
});

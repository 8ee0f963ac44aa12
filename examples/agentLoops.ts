/*
 * The LLM SDKs are not dependencies of mcp-tools; these declarations give the few fields the loops
 * read the types the SDKs give them (openai, @anthropic-ai/sdk, @google/genai), so the calls into
 * mcp-tools are checked. The AI SDK (`ai`) is a devDependency and is checked for real.
 */
import type { LanguageModel } from "ai";
import { createToolset, type MCPClient, toAISdkTools } from "mcp-tools";

declare const client: MCPClient;
declare const model: LanguageModel;
declare const messages: unknown[];
declare const contents: unknown[];
interface OpenAIToolCall {
  id: string;
  type: "function" | "custom";
  function: { name: string; arguments: string };
}
type OpenAIResponseItem =
  { type: "function_call"; name: string; arguments: string; call_id: string } | { type: "message" };
declare const openai: {
  chat: {
    completions: {
      create(request: { model: string; messages: unknown[]; tools: readonly unknown[] }): Promise<{
        choices: Array<{ message: { role: "assistant"; tool_calls?: OpenAIToolCall[] } }>;
      }>;
    };
  };
  responses: {
    create(request: {
      model: string;
      input: unknown[];
      previous_response_id?: string;
      tools: readonly unknown[];
    }): Promise<{ id: string; output: OpenAIResponseItem[] }>;
  };
};
type AnthropicBlock =
  { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: unknown };
declare const anthropic: {
  messages: {
    create(request: {
      model: string;
      max_tokens: number;
      messages: unknown[];
      tools: readonly unknown[];
    }): Promise<{ content: AnthropicBlock[]; stop_reason: "end_turn" | "tool_use" | "max_tokens" }>;
  };
};
declare const ai: {
  models: {
    generateContent(request: {
      model: string;
      contents: unknown[];
      config: { tools: readonly unknown[] };
    }): Promise<{
      candidates?: Array<{ content?: { role?: string; parts?: unknown[] } }>;
      functionCalls?: Array<{ id?: string; name?: string; args?: Record<string, unknown> }>;
    }>;
  };
};

// #region readme
// OpenAI Chat Completions
const chatToolset = createToolset(client, { format: "openai-chat" });
for (;;) {
  const reply = (
    await openai.chat.completions.create({ model: "gpt-4.1", messages, tools: chatToolset.tools })
  ).choices[0]!.message;
  messages.push(reply);
  if (!reply.tool_calls?.length) break;
  for (const call of reply.tool_calls) {
    if (call.type !== "function") continue;
    messages.push(
      (await chatToolset.execute(call.function.name, call.function.arguments, { callId: call.id })).output,
    );
  }
}

// OpenAI Responses
const responsesToolset = createToolset(client, { format: "openai-responses" });
let response = await openai.responses.create({
  model: "gpt-4.1",
  input: [{ role: "user", content: "Echo hi" }],
  tools: responsesToolset.tools,
});
while (response.output.some((item) => item.type === "function_call")) {
  const input = [];
  for (const item of response.output)
    if (item.type === "function_call")
      input.push(
        (await responsesToolset.execute(item.name, item.arguments, { callId: item.call_id })).output,
      );
  response = await openai.responses.create({
    model: "gpt-4.1",
    previous_response_id: response.id,
    input,
    tools: responsesToolset.tools,
  });
}

// Anthropic
const anthropicToolset = createToolset(client, { format: "anthropic" });
for (;;) {
  const reply = await anthropic.messages.create({
    model: "claude-sonnet-4-5",
    max_tokens: 1024,
    messages,
    tools: anthropicToolset.tools,
  });
  messages.push({ role: "assistant", content: reply.content });
  if (reply.stop_reason !== "tool_use") break;
  const results = [];
  for (const block of reply.content)
    if (block.type === "tool_use")
      results.push((await anthropicToolset.execute(block.name, block.input, { callId: block.id })).output);
  messages.push({ role: "user", content: results });
}

// Google Gemini (@google/genai)
const geminiToolset = createToolset(client, { format: "gemini" });
for (;;) {
  const response = await ai.models.generateContent({
    model: "gemini-2.5-flash",
    contents,
    config: { tools: geminiToolset.tools },
  });
  const content = response.candidates?.[0]?.content;
  if (!content || !response.functionCalls?.length) break;
  contents.push(content);
  const parts = [];
  for (const fc of response.functionCalls)
    parts.push((await geminiToolset.execute(fc.name ?? "", fc.args, { callId: fc.id })).output);
  contents.push({ role: "user", parts });
}

// Vercel AI SDK (`ai` is not a dependency of mcp-tools: pass its functions in)
import { dynamicTool, generateText, jsonSchema, stepCountIs } from "ai";
const { tools } = toAISdkTools(client, { jsonSchema, dynamicTool });
const { text } = await generateText({ model, tools, prompt: "Echo hey", stopWhen: stepCountIs(5) });
// #endregion readme

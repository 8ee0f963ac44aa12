/**
 * Scripted model replies for tests of the converters' agent loops: a fake LLM SDK method that
 * checks every request's tools against the provider's documented format, and an AI SDK mock
 * model that makes the given tool calls, then answers with text.
 */
import { MockLanguageModelV3 } from "ai/test";

import { expectProviderFormat, type ProviderFormat } from "../helpers/providerFormats.js";

/** A fake SDK method: records each request, checks its tools against `format`, answers `replies` in order. */
export function scripted<Req, Res>(
  format: ProviderFormat,
  tools: (request: Req) => unknown[],
  replies: Res[],
) {
  const requests: Req[] = [];
  const create = async (request: Req): Promise<Res> => {
    requests.push(structuredClone(request));
    for (const tool of tools(request)) expectProviderFormat(format, tool);
    const reply = replies[requests.length - 1];
    if (!reply) throw new Error("fake model: no more scripted replies");
    return reply;
  };
  return { create, requests };
}

/** The two replies of an OpenAI chat completion loop: one function call, then `text`. */
export function chatToolCallReplies(call: { id: string; name: string; arguments: string }, text: string) {
  return [
    {
      choices: [
        {
          message: {
            role: "assistant" as const,
            content: null,
            tool_calls: [
              {
                id: call.id,
                type: "function" as const,
                function: { name: call.name, arguments: call.arguments },
              },
            ],
          },
        },
      ],
    },
    { choices: [{ message: { role: "assistant" as const, content: text } }] },
  ];
}

const USAGE = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

/** An AI SDK model whose first step makes `toolCalls` and whose second answers `text`. */
export function toolCallingModel(
  toolCalls: ReadonlyArray<{ toolCallId: string; toolName: string; input: string }>,
  text: string,
): MockLanguageModelV3 {
  return new MockLanguageModelV3({
    doGenerate: [
      {
        content: toolCalls.map((call) => ({ type: "tool-call" as const, ...call })),
        finishReason: { unified: "tool-calls", raw: undefined },
        usage: USAGE,
        warnings: [],
      },
      {
        content: [{ type: "text", text }],
        finishReason: { unified: "stop", raw: undefined },
        usage: USAGE,
        warnings: [],
      },
    ],
  });
}

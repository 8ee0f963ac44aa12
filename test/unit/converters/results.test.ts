import type { CallToolResult } from "@modelcontextprotocol/client";
import { describe, expect, it } from "vitest";

import { nestsDeeperThan } from "../../../src/common/jsonDepth.js";
import {
  toAISdkToolOutput,
  toAnthropicToolResult,
  toGeminiFunctionResponse,
  toolResultMedia,
  toolResultToText,
  toOpenAIChatImageMessage,
  toOpenAIChatToolMessage,
  toOpenAIResponsesOutput,
} from "../../../src/converters/results.js";
import { expectProviderFormat } from "../../helpers/providerFormats.js";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const PDF = Buffer.from("%PDF-1.4 tiny").toString("base64");
const WAV = Buffer.alloc(2048).toString("base64");

const text: CallToolResult = { content: [{ type: "text", text: "Echo: hi" }] };
const structured: CallToolResult = {
  content: [{ type: "text", text: "Result: 2 + 3 = 5" }],
  structuredContent: { result: 5 },
};
const structuredOnly: CallToolResult = { content: [], structuredContent: { result: 5, items: ["a"] } };
const failed: CallToolResult = { content: [{ type: "text", text: "Tool failed: nope" }], isError: true };
const empty: CallToolResult = { content: [] };
const mixed: CallToolResult = {
  content: [
    { type: "text", text: "Here is the chart." },
    { type: "image", data: PNG, mimeType: "image/png" },
    { type: "audio", data: WAV, mimeType: "audio/wav" },
    {
      type: "resource_link",
      uri: "file:///docs/readme.md",
      name: "readme",
      mimeType: "text/markdown",
      description: "Project readme",
    },
    {
      type: "resource",
      resource: { uri: "demo://config.json", mimeType: "application/json", text: '{"a":1}' },
    },
    { type: "resource", resource: { uri: "file:///tmp/report.pdf", mimeType: "application/pdf", blob: PDF } },
    { type: "resource", resource: { uri: "demo://logo.svg", mimeType: "image/svg+xml", blob: PNG } },
  ],
};
const all = { text, structured, structuredOnly, failed, empty, mixed };

describe("toolResultToText", () => {
  it("gives text as text, and describes links, resources and media without dumping objects", () => {
    const out = toolResultToText(mixed);
    expect(out).toBe(
      [
        "Here is the chart.",
        "[Image: image/png, 70 bytes]",
        "[Audio: audio/wav, 2.0 KB]",
        "[Resource link: readme <file:///docs/readme.md> (text/markdown) — Project readme]",
        '[Resource <demo://config.json> (application/json)]\n{"a":1}',
        "[File resource <file:///tmp/report.pdf>: application/pdf, 13 bytes]",
        "[Image resource <demo://logo.svg>: image/svg+xml, 70 bytes]",
      ].join("\n"),
    );
  });

  it("uses structuredContent as JSON only when the server sent no text", () => {
    expect(toolResultToText(structured)).toBe("Result: 2 + 3 = 5");
    expect(toolResultToText(structuredOnly)).toBe('{"result":5,"items":["a"]}');
  });

  it("leaves out content meant for the user only (annotations.audience)", () => {
    const result: CallToolResult = {
      content: [
        { type: "text", text: "for the model", annotations: { audience: ["assistant"] } },
        { type: "text", text: "for the user", annotations: { audience: ["user"] } },
        { type: "text", text: "for both", annotations: { audience: ["user", "assistant"] } },
      ],
    };
    expect(toolResultToText(result)).toBe("for the model\nfor both");
  });

  it("says so when there is no content", () => {
    expect(toolResultToText(empty)).toBe("The tool returned no content.");
    expect(toolResultToText({ content: [], isError: true })).toBe(
      "The tool reported an error without details.",
    );
  });

  it("names unknown content types instead of printing them", () => {
    const odd = { content: [{ type: "hologram", payload: { secret: 1 } }] } as unknown as CallToolResult;
    expect(toolResultToText(odd)).toBe('[Unsupported content of type "hologram"]');
  });

  it("never produces a debug dump", () => {
    for (const result of Object.values(all)) {
      const rendered = JSON.stringify([
        toolResultToText(result),
        toOpenAIChatToolMessage(result, "c"),
        toOpenAIResponsesOutput(result, "c"),
        toAnthropicToolResult(result, "c"),
        toGeminiFunctionResponse(result, "t"),
      ]);
      expect(rendered).not.toMatch(/\[object Object\]|TextContent\(|structuredContent=|isError=/);
    }
  });
});

describe("toOpenAIChatToolMessage", () => {
  it("builds the documented tool message for every kind of result", () => {
    for (const result of Object.values(all))
      expectProviderFormat("openaiChatToolMessage", toOpenAIChatToolMessage(result, "call_1"));
  });

  it("carries the call id and the text", () => {
    expect(toOpenAIChatToolMessage(text, "call_1")).toEqual({
      role: "tool",
      tool_call_id: "call_1",
      content: "Echo: hi",
    });
  });

  it("prefixes error results with Error: (the API has no flag), once", () => {
    expect(toOpenAIChatToolMessage(failed, "c").content).toBe("Error: Tool failed: nope");
    const already: CallToolResult = { content: [{ type: "text", text: "Error: disk full" }], isError: true };
    expect(toOpenAIChatToolMessage(already, "c").content).toBe("Error: disk full");
  });

  it("offers the images as a user message for after the tool messages", () => {
    const message = toOpenAIChatImageMessage(toolResultMedia(mixed));
    expectProviderFormat("openaiChatUserMessage", message);
    expect(message!.content.filter((part) => part.type === "image_url")).toHaveLength(2);
    expect(toOpenAIChatImageMessage(toolResultMedia(text))).toBeUndefined();
  });
});

describe("toOpenAIResponsesOutput", () => {
  it("builds the documented function_call_output for every kind of result", () => {
    for (const result of Object.values(all)) {
      expectProviderFormat("openaiResponsesFunctionCallOutput", toOpenAIResponsesOutput(result, "call_1"));
    }
  });

  it("uses a string for text-only results", () => {
    expect(toOpenAIResponsesOutput(text, "call_1")).toEqual({
      type: "function_call_output",
      call_id: "call_1",
      output: "Echo: hi",
    });
    expect(toOpenAIResponsesOutput(failed, "c").output).toBe("Error: Tool failed: nope");
  });

  it("sends images as input_image and PDFs as input_file, other media as notes", () => {
    const output = toOpenAIResponsesOutput(mixed, "c").output;
    expect(Array.isArray(output)).toBe(true);
    const parts = output as Array<Record<string, unknown>>;
    expect(parts.map((p) => p["type"])).toEqual([
      "input_text",
      "input_image",
      "input_text",
      "input_file",
      "input_image",
    ]);
    expect(parts[1]).toEqual({
      type: "input_image",
      image_url: `data:image/png;base64,${PNG}`,
      detail: "auto",
    });
    expect(parts[3]).toEqual({
      type: "input_file",
      file_data: `data:application/pdf;base64,${PDF}`,
      filename: "report.pdf",
    });
    expect(parts[2]!["text"]).toContain("[Audio: audio/wav, 2.0 KB]");
  });

  it("prefixes the first text of an error result that carries media", () => {
    const result: CallToolResult = {
      content: [
        { type: "text", text: "Render failed" },
        { type: "image", data: PNG, mimeType: "image/png" },
      ],
      isError: true,
    };
    const parts = toOpenAIResponsesOutput(result, "c").output as Array<Record<string, unknown>>;
    expect(parts[0]).toEqual({ type: "input_text", text: "Error: Render failed" });
  });
});

describe("toAnthropicToolResult", () => {
  it("builds the documented tool_result block for every kind of result", () => {
    for (const result of Object.values(all))
      expectProviderFormat("anthropicToolResult", toAnthropicToolResult(result, "toolu_1"));
  });

  it("sets is_error for error results only", () => {
    expect(toAnthropicToolResult(failed, "t")).toEqual({
      type: "tool_result",
      tool_use_id: "t",
      content: "Tool failed: nope",
      is_error: true,
    });
    expect(toAnthropicToolResult(text, "t")).not.toHaveProperty("is_error");
  });

  it("sends supported images as image blocks, PDFs as documents, the rest as notes", () => {
    const content = toAnthropicToolResult(mixed, "t").content as Array<Record<string, unknown>>;
    expect(content.map((c) => c["type"])).toEqual([
      "text",
      "image",
      "text",
      "text",
      "text",
      "document",
      "text",
    ]);
    expect(content[1]).toEqual({
      type: "image",
      source: { type: "base64", media_type: "image/png", data: PNG },
    });
    expect(content[6]!["text"]).toContain("image/svg+xml");
  });
});

describe("toGeminiFunctionResponse", () => {
  it("builds the documented functionResponse part for every kind of result", () => {
    for (const result of Object.values(all)) {
      expectProviderFormat("geminiFunctionResponsePart", toGeminiFunctionResponse(result, "echo", "fc_1"));
    }
  });

  it("answers with output (structuredContent when there is one) or error", () => {
    expect(toGeminiFunctionResponse(text, "echo")).toEqual({
      functionResponse: { name: "echo", response: { output: "Echo: hi" } },
    });
    expect(toGeminiFunctionResponse(structured, "add", "id1")).toEqual({
      functionResponse: { id: "id1", name: "add", response: { output: { result: 5 } } },
    });
    expect(toGeminiFunctionResponse(failed, "fail").functionResponse.response).toEqual({
      error: "Tool failed: nope",
    });
  });
});

describe("toAISdkToolOutput", () => {
  it("maps each kind of result to the matching ToolResultOutput", () => {
    expect(toAISdkToolOutput(text)).toEqual({ type: "text", value: "Echo: hi" });
    expect(toAISdkToolOutput(structured)).toEqual({ type: "json", value: { result: 5 } });
    expect(toAISdkToolOutput(failed)).toEqual({ type: "error-text", value: "Tool failed: nope" });
    const content = toAISdkToolOutput(mixed);
    expect(content.type).toBe("content");
    expect((content as { value: Array<{ type: string }> }).value.map((v) => v.type)).toEqual([
      "text",
      "image-data",
      "file-data",
      "text",
      "text",
      "file-data",
      "image-data",
    ]);
  });
});

describe("structuredContent nested far too deep", () => {
  let value: unknown = { leaf: true };
  for (let i = 0; i < 20_000; i++) value = { a: value };
  const deep: CallToolResult = { content: [], structuredContent: value as Record<string, unknown> };
  const marker = "[nested more than 100 levels deep: not shown]";

  it("text outputs are the JSON of its first 100 levels, cut with a marker, never a RangeError", () => {
    const text = toolResultToText(deep);
    expect(text.startsWith('{"a":{"a":')).toBe(true);
    expect(text).toContain(marker);
    expect(toOpenAIChatToolMessage(deep, "c1").content).toBe(text);
    expect(toOpenAIResponsesOutput(deep, "c1").output).toBe(text);
    expect(toAnthropicToolResult(deep, "u1").content).toBe(text);
  });

  it("outputs that carry the value carry the cut copy, which any serialiser takes", () => {
    const gemini = toGeminiFunctionResponse(deep, "tool").functionResponse.response as { output: unknown };
    const ai = toAISdkToolOutput(deep);
    expect(ai.type).toBe("json");
    for (const carried of [gemini.output, (ai as { value: unknown }).value]) {
      expect(nestsDeeperThan(carried, 100)).toBe(false);
      expect(JSON.stringify(carried)).toContain(marker);
    }
  });

  it("a shallow value is handed on as it is", () => {
    const gemini = toGeminiFunctionResponse(structuredOnly, "tool").functionResponse.response as {
      output: unknown;
    };
    expect(gemini.output).toBe(structuredOnly.structuredContent);
  });
});

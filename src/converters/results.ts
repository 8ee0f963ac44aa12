import type { CallToolResult } from "@modelcontextprotocol/client";

import { clipDepth } from "../common/jsonDepth.js";

/**
 * Tool results (`CallToolResult`) → the tool-result message each LLM API expects.
 *
 * MassGen sent the model `str(result)`, a Python repr of the whole object, and treated `isError`
 * results as successes. Here the model gets the content itself (test/unit/converters/results.test.ts,
 * "never produces a debug dump" and the error flag of each format): text as
 * text, images and PDFs as the API's own media blocks where it has them (a short note where it does
 * not), resource links and embedded resources described, `structuredContent` as JSON when the
 * server sent no text for it, and `isError` mapped to the API's error flag (or an `Error:` prefix
 * where there is none). Content annotated for the user only (`audience: ["user"]`) is left out.
 */

/** Binary content of a result: an image, audio, or an embedded binary resource. */
export interface ToolMedia {
  readonly kind: "image" | "audio" | "file";
  readonly mimeType: string;
  /** Base64. */
  readonly data: string;
  /** The resource URI, for embedded resources. */
  readonly uri?: string | undefined;
}

/** The result in order: text pieces and media (each media item with a text note to use instead). */
type Piece = { type: "text"; text: string } | { type: "media"; media: ToolMedia; note: string };

type ContentItem = NonNullable<CallToolResult["content"]>[number];

/** Image types the Messages API accepts in base64 image blocks. */
export type AnthropicImageMediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp";
const ANTHROPIC_IMAGE_TYPES: ReadonlySet<string> = new Set<AnthropicImageMediaType>([
  "image/jpeg",
  "image/png",
  "image/gif",
  "image/webp",
]);

function isAnthropicImage(mimeType: string): mimeType is AnthropicImageMediaType {
  return ANTHROPIC_IMAGE_TYPES.has(mimeType);
}

const PDF = "application/pdf";
/**
 * Deepest nesting of `structuredContent` handed on (the value is level 0), as JSON text or as the
 * value itself. `JSON.stringify` and the LLM SDKs that serialise the value recurse once per level,
 * so a value nested some thousands of levels deep failed with a bare RangeError (stack overflow);
 * real results stay far below this. Deeper parts become `TOO_DEEP`.
 */
const MAX_STRUCTURED_DEPTH = 100;
const TOO_DEEP = `[nested more than ${MAX_STRUCTURED_DEPTH} levels deep: not shown]`;

/** The result's `structuredContent`, with whatever nests deeper than `MAX_STRUCTURED_DEPTH` cut. */
function structuredOf(result: CallToolResult): unknown {
  return clipDepth(
    (result as { structuredContent?: unknown }).structuredContent,
    MAX_STRUCTURED_DEPTH,
    TOO_DEEP,
  );
}
const NO_CONTENT = "The tool returned no content.";
const NO_ERROR_DETAILS = "The tool reported an error without details.";

function byteSize(base64: string): string {
  const padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
  const bytes = Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function kindOf(mimeType: string): ToolMedia["kind"] {
  if (mimeType.startsWith("image/")) return "image";
  if (mimeType.startsWith("audio/")) return "audio";
  return "file";
}

function label(kind: ToolMedia["kind"]): string {
  return kind === "image" ? "Image" : kind === "audio" ? "Audio" : "File";
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function describeItem(item: ContentItem): Piece {
  const block = item as Record<string, unknown> & { type?: unknown };
  switch (block.type) {
    case "text":
      return { type: "text", text: typeof block["text"] === "string" ? block["text"] : "" };
    case "image":
    case "audio": {
      const mimeType = str(block["mimeType"]) ?? (block.type === "image" ? "image/png" : "audio/wav");
      const data = typeof block["data"] === "string" ? block["data"] : "";
      const media: ToolMedia = { kind: block.type, mimeType, data };
      return { type: "media", media, note: `[${label(media.kind)}: ${mimeType}, ${byteSize(data)}]` };
    }
    case "resource_link": {
      const uri = str(block["uri"]) ?? "(no uri)";
      const name = str(block["title"]) ?? str(block["name"]);
      const mime = str(block["mimeType"]);
      const description = str(block["description"]);
      return {
        type: "text",
        text: `[Resource link: ${name ? `${name} ` : ""}<${uri}>${mime ? ` (${mime})` : ""}${description ? ` — ${description}` : ""}]`,
      };
    }
    case "resource": {
      const resource = (
        typeof block["resource"] === "object" && block["resource"] !== null ? block["resource"] : {}
      ) as Record<string, unknown>;
      const uri = str(resource["uri"]) ?? "(no uri)";
      const mime = str(resource["mimeType"]);
      if (typeof resource["text"] === "string") {
        return { type: "text", text: `[Resource <${uri}>${mime ? ` (${mime})` : ""}]\n${resource["text"]}` };
      }
      if (typeof resource["blob"] === "string") {
        const mimeType = mime ?? "application/octet-stream";
        const media: ToolMedia = { kind: kindOf(mimeType), mimeType, data: resource["blob"], uri };
        return {
          type: "media",
          media,
          note: `[${label(media.kind)} resource <${uri}>: ${mimeType}, ${byteSize(resource["blob"])}]`,
        };
      }
      return { type: "text", text: `[Resource <${uri}>${mime ? ` (${mime})` : ""}]` };
    }
    default:
      return { type: "text", text: `[Unsupported content of type "${String(block.type)}"]` };
  }
}

/** MCP content annotated `audience: ["user"]` is meant for the user, not the model. */
function forModel(item: ContentItem): boolean {
  const audience = (item as { annotations?: { audience?: unknown } }).annotations?.audience;
  return !Array.isArray(audience) || audience.includes("assistant");
}

function pieces(result: CallToolResult): Piece[] {
  const content = Array.isArray(result.content) ? result.content : [];
  const out = content
    .filter(forModel)
    .map(describeItem)
    .filter((piece) => piece.type !== "text" || piece.text.length > 0);
  const structured = structuredOf(result);
  // MCP asks servers to mirror structuredContent as text; use the JSON only when they did not.
  if (structured !== undefined && structured !== null && !out.some((piece) => piece.type === "text")) {
    out.unshift({ type: "text", text: JSON.stringify(structured) });
  }
  return out;
}

function isErrorResult(result: CallToolResult): boolean {
  return result.isError === true;
}

function withErrorPrefix(text: string): string {
  return /^error\b/i.test(text) ? text : `Error: ${text}`;
}

function joinText(list: Piece[], emptyText: string): string {
  const text = list.map((piece) => (piece.type === "text" ? piece.text : piece.note)).join("\n");
  return text.length > 0 ? text : emptyText;
}

function dataUrl(media: ToolMedia): string {
  return `data:${media.mimeType};base64,${media.data}`;
}

function fileName(media: ToolMedia): string {
  const last = media.uri?.split(/[/\\]/).pop();
  if (last && /\.[A-Za-z0-9]+$/.test(last)) return last;
  return media.mimeType === PDF ? "document.pdf" : "file";
}

/** The media (images, audio, binary resources) of a result, in order. */
export function toolResultMedia(result: CallToolResult): ToolMedia[] {
  return pieces(result).flatMap((piece) => (piece.type === "media" ? [piece.media] : []));
}

/**
 * The result as plain text: text blocks as they are, resources and links described, media as a
 * short note (`[Image: image/png, 1.2 KB]`), `structuredContent` as JSON when there is no text.
 * Error results are not prefixed (check `result.isError`).
 */
export function toolResultToText(result: CallToolResult): string {
  return joinText(pieces(result), isErrorResult(result) ? NO_ERROR_DETAILS : NO_CONTENT);
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions

/** A `role: "tool"` message of the Chat Completions API. */
export interface OpenAIChatToolMessage {
  role: "tool";
  tool_call_id: string;
  content: string;
}

/** A user message carrying images (Chat Completions tool messages carry text only). */
export interface OpenAIChatImageMessage {
  role: "user";
  content: Array<{ type: "text"; text: string } | { type: "image_url"; image_url: { url: string } }>;
}

/**
 * The tool message for a Chat Completions `tool_calls` entry. Tool messages carry text only, so
 * media appear as notes; pass the media to `toOpenAIChatImageMessage` (after all tool messages of
 * the turn) to show images to the model. Error results start with `Error:` (the API has no flag).
 */
export function toOpenAIChatToolMessage(result: CallToolResult, toolCallId: string): OpenAIChatToolMessage {
  const error = isErrorResult(result);
  const text = joinText(pieces(result), error ? NO_ERROR_DETAILS : NO_CONTENT);
  return { role: "tool", tool_call_id: toolCallId, content: error ? withErrorPrefix(text) : text };
}

/**
 * A user message showing `media`'s images to a Chat Completions model, or `undefined` when there
 * are none. Append it after every tool message of the turn (a user message between tool messages
 * breaks the tool-call sequence).
 */
export function toOpenAIChatImageMessage(
  media: readonly ToolMedia[],
  text = "Images returned by the tool calls above:",
): OpenAIChatImageMessage | undefined {
  const images = media.filter((m) => m.kind === "image");
  if (images.length === 0) return undefined;
  return {
    role: "user",
    content: [
      { type: "text", text },
      ...images.map((m) => ({ type: "image_url" as const, image_url: { url: dataUrl(m) } })),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// OpenAI Responses

export type OpenAIResponsesOutputContent =
  | { type: "input_text"; text: string }
  | { type: "input_image"; image_url: string; detail: "auto" }
  | { type: "input_file"; file_data: string; filename: string };

/** A `function_call_output` input item of the Responses API. */
export interface OpenAIResponsesFunctionCallOutput {
  type: "function_call_output";
  call_id: string;
  output: string | OpenAIResponsesOutputContent[];
}

/**
 * The `function_call_output` item for a Responses `function_call`. Text-only results give a
 * string; images (and PDFs) go in as `input_image` / `input_file` parts. Error results start with
 * `Error:` (the API has no flag).
 */
export function toOpenAIResponsesOutput(
  result: CallToolResult,
  callId: string,
): OpenAIResponsesFunctionCallOutput {
  const error = isErrorResult(result);
  const list = pieces(result);
  const carried = (piece: Piece) =>
    piece.type === "media" && (piece.media.kind === "image" || piece.media.mimeType === PDF);
  if (!list.some(carried)) {
    const text = joinText(list, error ? NO_ERROR_DETAILS : NO_CONTENT);
    return { type: "function_call_output", call_id: callId, output: error ? withErrorPrefix(text) : text };
  }
  const output: OpenAIResponsesOutputContent[] = [];
  const pushText = (text: string) => {
    const last = output[output.length - 1];
    if (last?.type === "input_text") last.text = `${last.text}\n${text}`;
    else output.push({ type: "input_text", text });
  };
  let rest = list;
  if (error) {
    const first = list[0];
    if (first?.type === "text") {
      pushText(withErrorPrefix(first.text));
      rest = list.slice(1);
    } else {
      pushText("Error:");
    }
  }
  for (const piece of rest) {
    if (piece.type === "text") pushText(piece.text);
    else if (piece.media.kind === "image")
      output.push({ type: "input_image", image_url: dataUrl(piece.media), detail: "auto" });
    else if (piece.media.mimeType === PDF) {
      output.push({ type: "input_file", file_data: dataUrl(piece.media), filename: fileName(piece.media) });
    } else pushText(piece.note);
  }
  return { type: "function_call_output", call_id: callId, output };
}

// ---------------------------------------------------------------------------------------------
// Anthropic

export type AnthropicToolResultContent =
  | { type: "text"; text: string }
  | { type: "image"; source: { type: "base64"; media_type: AnthropicImageMediaType; data: string } }
  | { type: "document"; source: { type: "base64"; media_type: "application/pdf"; data: string } };

/** A `tool_result` content block of the Messages API (goes in the next user message). */
export interface AnthropicToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content: string | AnthropicToolResultContent[];
  is_error?: boolean;
}

/**
 * The `tool_result` block for a Messages API `tool_use` block. JPEG/PNG/GIF/WebP images become
 * image blocks and PDFs document blocks; other media become notes. Error results set `is_error`.
 */
export function toAnthropicToolResult(result: CallToolResult, toolUseId: string): AnthropicToolResultBlock {
  const error = isErrorResult(result);
  const list = pieces(result);
  const block: AnthropicToolResultBlock = { type: "tool_result", tool_use_id: toolUseId, content: "" };
  if (error) block.is_error = true;
  const carried = (piece: Piece) =>
    piece.type === "media" &&
    (ANTHROPIC_IMAGE_TYPES.has(piece.media.mimeType) || piece.media.mimeType === PDF);
  if (!list.some(carried)) {
    block.content = joinText(list, error ? NO_ERROR_DETAILS : NO_CONTENT);
    return block;
  }
  const content: AnthropicToolResultContent[] = [];
  for (const piece of list) {
    if (piece.type === "text") content.push({ type: "text", text: piece.text });
    else if (isAnthropicImage(piece.media.mimeType)) {
      content.push({
        type: "image",
        source: { type: "base64", media_type: piece.media.mimeType, data: piece.media.data },
      });
    } else if (piece.media.mimeType === PDF) {
      content.push({ type: "document", source: { type: "base64", media_type: PDF, data: piece.media.data } });
    } else content.push({ type: "text", text: piece.note });
  }
  block.content = content;
  return block;
}

// ---------------------------------------------------------------------------------------------
// Gemini

/** A `functionResponse` part of the Gemini API (goes in the next user content). */
export interface GeminiFunctionResponsePart {
  functionResponse: {
    id?: string;
    name: string;
    response: { output: unknown } | { error: string };
  };
}

/**
 * The `functionResponse` part answering a Gemini `functionCall`. Gemini documents `output` and
 * `error` keys: successful results give `output` (the `structuredContent` object when there is one,
 * else the text), error results give `error` with the text. Media appear as notes in the text;
 * `toolResultMedia` returns them.
 *
 * @param name The function name the model called (the provider-facing name).
 * @param id The `functionCall.id`, when the model sent one.
 */
export function toGeminiFunctionResponse(
  result: CallToolResult,
  name: string,
  id?: string,
): GeminiFunctionResponsePart {
  const error = isErrorResult(result);
  const text = joinText(pieces(result), error ? NO_ERROR_DETAILS : NO_CONTENT);
  const structured = structuredOf(result);
  const response = error ? { error: text } : { output: structured ?? text };
  return { functionResponse: { ...(id === undefined ? {} : { id }), name, response } };
}

// ---------------------------------------------------------------------------------------------
// Vercel AI SDK

/** A JSON value, as the AI SDK's `JSONValue`. */
export type JsonValue =
  null | string | number | boolean | JsonValue[] | { [key: string]: JsonValue | undefined };

/** The subset of the AI SDK's `ToolResultOutput` this package produces (`toModelOutput`'s return). */
export type AISdkToolResultOutput =
  | { type: "text"; value: string }
  | { type: "json"; value: JsonValue }
  | { type: "error-text"; value: string }
  | {
      type: "content";
      value: Array<
        | { type: "text"; text: string }
        | { type: "image-data"; data: string; mediaType: string }
        | { type: "file-data"; data: string; mediaType: string; filename?: string }
      >;
    };

/**
 * The AI SDK `toModelOutput` value for a result: `error-text` for error results, `content` parts
 * when there are media, `json` for `structuredContent`, else `text`.
 */
export function toAISdkToolOutput(result: CallToolResult): AISdkToolResultOutput {
  const error = isErrorResult(result);
  const list = pieces(result);
  if (error) return { type: "error-text", value: joinText(list, NO_ERROR_DETAILS) };
  if (list.some((piece) => piece.type === "media")) {
    return {
      type: "content",
      value: list.map((piece) => {
        if (piece.type === "text") return { type: "text" as const, text: piece.text };
        if (piece.media.kind === "image") {
          return { type: "image-data" as const, data: piece.media.data, mediaType: piece.media.mimeType };
        }
        return {
          type: "file-data" as const,
          data: piece.media.data,
          mediaType: piece.media.mimeType,
          filename: fileName(piece.media),
        };
      }),
    };
  }
  const structured = structuredOf(result);
  if (structured !== undefined && structured !== null)
    return { type: "json", value: structured as JsonValue };
  return { type: "text", value: joinText(list, NO_CONTENT) };
}

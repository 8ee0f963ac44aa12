import type { CallToolResult, GetPromptResult, ReadResourceResult } from "@modelcontextprotocol/client";

import { stripControlCharacters } from "../errors/serverText.js";
import { type Output, printableJson } from "./output.js";

type Block = CallToolResult["content"][number];

/** Human-readable size of base64 data. */
function base64Size(data: string | undefined): string {
  if (!data) return "0 B";
  const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Server text for the terminal: escape codes and control characters removed (a tool result must not
 * move the cursor, retitle the window or write the clipboard); newlines and tabs stay. `--json` keeps
 * the exact text.
 */
const plain = (text: unknown): string => stripControlCharacters(String(text));

/** One content block as text for a terminal: text as is, binary data described, never dumped. */
export function renderBlock(block: Block, output: Output): string {
  switch (block.type) {
    case "text":
      return plain(block.text);
    case "image":
      return output.style(`[image ${plain(block.mimeType)}, ${base64Size(block.data)}]`, "dim");
    case "audio":
      return output.style(`[audio ${plain(block.mimeType)}, ${base64Size(block.data)}]`, "dim");
    case "resource_link":
      return output.style(`[link ${block.name ? `${plain(block.name)} ` : ""}${plain(block.uri)}]`, "cyan");
    case "resource": {
      const resource = block.resource as { uri: string; text?: string; blob?: string; mimeType?: string };
      if (typeof resource.text === "string") return plain(resource.text);
      return output.style(
        `[resource ${plain(resource.uri)}${resource.mimeType ? ` ${plain(resource.mimeType)}` : ""}, ${base64Size(resource.blob)}]`,
        "dim",
      );
    }
    default:
      return output.style(`[${plain((block as { type: string }).type)} content]`, "dim");
  }
}

/** Prints a tool result; structured content is shown when the text does not already carry it. */
export function printToolResult(result: CallToolResult, output: Output): void {
  const texts = result.content.map((block) => renderBlock(block, output));
  for (const text of texts) output.print(text);
  if (result.structuredContent !== undefined) {
    const json = printableJson(result.structuredContent, 2);
    const compact = printableJson(result.structuredContent);
    if (!texts.some((t) => t.includes(compact) || t.includes(json))) {
      output.print(output.style("structured content:", "dim"));
      output.print(json);
    }
  }
}

export function printResource(result: ReadResourceResult, output: Output): void {
  for (const content of result.contents) {
    const item = content as { uri: string; text?: string; blob?: string; mimeType?: string };
    if (result.contents.length > 1)
      output.print(
        output.style(`── ${plain(item.uri)}${item.mimeType ? ` (${plain(item.mimeType)})` : ""}`, "dim"),
      );
    if (typeof item.text === "string") output.print(plain(item.text));
    else
      output.print(
        output.style(
          `[binary ${plain(item.mimeType ?? "data")}, ${base64Size(item.blob)}] — use --json to get the base64 data`,
          "dim",
        ),
      );
  }
}

export function printPrompt(result: GetPromptResult, output: Output): void {
  if (result.description) output.print(output.style(plain(result.description), "dim"));
  for (const message of result.messages) {
    output.print(
      `${output.style(`${plain(message.role)}:`, "bold")} ${renderBlock(message.content as Block, output)}`,
    );
  }
}

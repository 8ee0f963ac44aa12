import type { CallToolResult } from "@modelcontextprotocol/client";

import { emptyRecord } from "../common/objects.js";
import { parseToolArguments } from "./arguments.js";
import type { ConversionReport, ConvertOptions } from "./formats.js";
import { convertEntries } from "./formats.js";
import type { NameTable } from "./names.js";
import type { AISdkToolResultOutput, JsonValue } from "./results.js";
import { toAISdkToolOutput } from "./results.js";
import type { ToolSource } from "./toolSource.js";
import { isToolSource } from "./toolSource.js";

/**
 * Adapter to the Vercel AI SDK's `tools` object (`generateText({ tools })`), without depending on
 * the `ai` package: the caller passes `ai`'s own `jsonSchema` (and optionally `dynamicTool`), so
 * the schemas carry the marker of the caller's copy of `ai` and this package loads nothing from it.
 *
 * ```ts
 * import { dynamicTool, jsonSchema } from "ai";
 * const { tools } = toAISdkTools(client, { jsonSchema, dynamicTool });
 * await generateText({ model, tools, prompt, stopWhen: stepCountIs(5) });
 * ```
 */

/** The options the AI SDK passes to `execute` (the part this adapter uses). */
export interface AISdkToolExecutionOptions {
  toolCallId: string;
  abortSignal?: AbortSignal | undefined;
}

/** What this adapter hands to `dynamicTool` (and what it returns as is without one). */
export interface AISdkDynamicToolDefinition<S> {
  description: string;
  title?: string;
  /** Not sent to the model; the AI SDK copies it onto tool-call parts (`toolMetadata`). */
  metadata: { [key: string]: JsonValue };
  inputSchema: S;
  execute: (input: unknown, options: AISdkToolExecutionOptions) => Promise<CallToolResult>;
  toModelOutput: (options: { toolCallId: string; input: unknown; output: unknown }) => AISdkToolResultOutput;
}

/** A dynamic tool as a plain object, the shape `dynamicTool()` returns. */
export type AISdkPlainTool<S> = AISdkDynamicToolDefinition<S> & { type: "dynamic" };

export interface AISdkFactories<S, T> {
  /** `jsonSchema` from `ai` (wraps a JSON Schema for the AI SDK). */
  jsonSchema: (schema: Record<string, unknown>) => S;
  /** `dynamicTool` from `ai`. Without it, the plain objects it would return are built here. */
  dynamicTool?: ((definition: AISdkDynamicToolDefinition<S>) => T) | undefined;
}

export interface AISdkToolsOptions extends Pick<ConvertOptions, "names" | "filter"> {
  /** Seconds; per-call timeout (else the client's). */
  timeout?: number | undefined;
}

function isCallToolResult(value: unknown): value is CallToolResult {
  return (
    typeof value === "object" &&
    value !== null &&
    (Array.isArray((value as { content?: unknown }).content) ||
      (value as { structuredContent?: unknown }).structuredContent !== undefined)
  );
}

/**
 * The client's tools as an AI SDK `tools` object. Keys follow the portable name rules (valid for
 * every provider the AI SDK may talk to) and map to the real tools through a table; `execute` calls
 * the tool (the AI SDK's abort signal cancels it) and returns the `CallToolResult`; `toModelOutput`
 * turns it into text, JSON, media parts or `error-text` for `isError` results. Errors (invalid
 * arguments, timeouts, …) are thrown, and the AI SDK reports them to the model as tool errors.
 */
export function toAISdkTools<S, T = AISdkPlainTool<S>>(
  source: ToolSource,
  factories: AISdkFactories<S, T>,
  options: AISdkToolsOptions = {},
): { tools: Record<string, T>; report: ConversionReport; names: NameTable } {
  if (!isToolSource(source)) {
    throw new TypeError(
      "toAISdkTools() needs a client: an object with a `tools` Map and a `callTool` method.",
    );
  }
  if (typeof factories?.jsonSchema !== "function") {
    throw new TypeError('toAISdkTools() needs `jsonSchema` from "ai": toAISdkTools(client, { jsonSchema }).');
  }
  const { entries, report, names } = convertEntries(
    source,
    "ai-sdk",
    options.names ?? "portable",
    "json",
    options.filter,
  );
  // Keys are tool names from the server: without a prototype, a tool called `__proto__` stays a key
  // and a model asking for `toString` finds no tool instead of Object.prototype.toString.
  const tools = emptyRecord<T>();
  for (const entry of entries) {
    const tool = entry.source;
    const definition: AISdkDynamicToolDefinition<S> = {
      description: entry.description,
      metadata: { mcpTool: tool.name, ...(tool.server === undefined ? {} : { mcpServer: tool.server }) },
      inputSchema: factories.jsonSchema(entry.schema.schema),
      execute: async (input, executionOptions) =>
        source.callTool(tool.name, parseToolArguments(tool.name, input, tool.server), {
          signal: executionOptions?.abortSignal,
          timeout: options.timeout,
        }),
      toModelOutput: ({ output }) =>
        isCallToolResult(output)
          ? toAISdkToolOutput(output)
          : { type: "json", value: (output ?? null) as JsonValue },
    };
    if (tool.title !== undefined) definition.title = tool.title;
    tools[entry.name] = factories.dynamicTool
      ? factories.dynamicTool(definition)
      : ({ ...definition, type: "dynamic" } as T);
  }
  return { tools, report, names };
}

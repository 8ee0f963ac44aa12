import type { CallToolResult, Progress } from "@modelcontextprotocol/client";

import { suggestNames } from "../client/names.js";
import { isMCPError, MCPCancelledError, MCPError } from "../errors/errors.js";
import { parseToolArguments } from "./arguments.js";
import type {
  ConversionReport,
  ConvertedTool,
  ConvertedTools,
  ConvertOptions,
  ToolFormat,
  ToolsByFormat,
} from "./formats.js";
import { convertTools, TOOL_FORMATS } from "./formats.js";
import type {
  AnthropicToolResultBlock,
  GeminiFunctionResponsePart,
  OpenAIChatToolMessage,
  OpenAIResponsesFunctionCallOutput,
  ToolMedia,
} from "./results.js";
import {
  toAnthropicToolResult,
  toGeminiFunctionResponse,
  toolResultMedia,
  toOpenAIChatToolMessage,
  toOpenAIResponsesOutput,
} from "./results.js";
import { restoreStrictArguments } from "./schema.js";
import type { ToolSource, ToolSourceEntry } from "./toolSource.js";
import { isToolSource } from "./toolSource.js";

/** What `execute()` returns in `output`, per format: the item to append to the conversation. */
export interface ToolOutputByFormat {
  /** Append to `messages`. */
  "openai-chat": OpenAIChatToolMessage;
  /** Append to `input`. */
  "openai-responses": OpenAIResponsesFunctionCallOutput;
  /** Put in the `content` of the next user message. */
  anthropic: AnthropicToolResultBlock;
  /** Put in the `parts` of the next user content. */
  gemini: GeminiFunctionResponsePart;
}

export interface ToolsetOptions<F extends ToolFormat> extends ConvertOptions {
  format: F;
  /**
   * What `execute()` does when a call fails with an mcp-tools error (bad JSON, unknown tool, invalid
   * arguments, timeout, server or connection error): `"throw"` it, or return it as an error result
   * (`isError: true`, the error's message as text) for the model to read and retry. A caller's
   * abort always throws. @default "throw"
   */
  onError?: "throw" | "result" | undefined;
  /** Seconds; default per-call timeout (else the client's). */
  timeout?: number | undefined;
}

interface BaseExecuteOptions {
  signal?: AbortSignal | undefined;
  /** Seconds; overrides the toolset's and the client's timeout for this call. */
  timeout?: number | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
}

/**
 * Options of one `execute()`. `callId` is the id of the model's tool call, which the result
 * message must carry: required for the OpenAI and Anthropic formats, optional for Gemini
 * (`functionCall.id`, when the model sent one).
 */
export type ExecuteOptions<F extends ToolFormat> = BaseExecuteOptions &
  (F extends "gemini" ? { callId?: string | undefined } : { callId: string });

export interface ToolExecution<F extends ToolFormat> {
  /** The name the model used. */
  readonly name: string;
  /** The name the tool was called with (raw, or prefixed for multi-server clients). */
  readonly tool: string;
  readonly server: string | undefined;
  /** The arguments sent to the tool. */
  readonly arguments: Record<string, unknown>;
  readonly result: CallToolResult;
  readonly isError: boolean;
  /** With `onError: "result"`: the error that became `result`. */
  readonly error: MCPError | undefined;
  /** Images, audio and binary resources of the result (e.g. for `toOpenAIChatImageMessage`). */
  readonly media: ToolMedia[];
  /** The result in the format's tool-result shape, ready to append to the conversation. */
  readonly output: ToolOutputByFormat[F];
}

export interface Toolset<F extends ToolFormat> {
  readonly format: F;
  /** What the API's `tools` field takes. Re-converted when the client's tool list changes. */
  readonly tools: ToolsByFormat[F];
  /** What the conversion changed (names, schemas, strict mode). */
  readonly report: ConversionReport;
  /** The tool a provider-facing name (or a real name) refers to. */
  resolve(name: string): ConvertedTool | undefined;
  /**
   * Runs one tool call from the model: maps the provider-facing name to the tool through the name
   * table, parses the arguments (a JSON string or an object), undoes strict mode's nulls, calls the
   * tool and converts the result.
   *
   * @throws MCPValidationError naming the tool for bad JSON (rule `json.parse`) or non-object
   *   arguments (`json.object`); MCPError `NOT_FOUND` for an unknown name; whatever the client's
   *   `callTool` throws. With `onError: "result"`, these become an error result instead.
   */
  execute(
    name: string,
    args: unknown,
    ...options: F extends "gemini" ? [options?: ExecuteOptions<F>] : [options: ExecuteOptions<F>]
  ): Promise<ToolExecution<F>>;
}

interface Snapshot<F extends ToolFormat> {
  map: ReadonlyMap<string, ToolSourceEntry>;
  keys: string[];
  values: ToolSourceEntry[];
  converted: ConvertedTools<ToolsByFormat[F][number]>;
  byName: Map<string, ConvertedTool>;
  byTool: Map<string, ConvertedTool>;
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function toOutput<F extends ToolFormat>(
  format: F,
  result: CallToolResult,
  name: string,
  callId: string | undefined,
): ToolOutputByFormat[F] {
  switch (format) {
    case "openai-chat":
      return toOpenAIChatToolMessage(result, callId!) as ToolOutputByFormat[F];
    case "openai-responses":
      return toOpenAIResponsesOutput(result, callId!) as ToolOutputByFormat[F];
    case "anthropic":
      return toAnthropicToolResult(result, callId!) as ToolOutputByFormat[F];
    default:
      return toGeminiFunctionResponse(result, name, callId) as ToolOutputByFormat[F];
  }
}

/**
 * A client's tools in one API's format, plus `execute()` that runs the model's tool calls, so an
 * agent loop needs three lines of glue:
 *
 * ```ts
 * const toolset = createToolset(client, { format: "openai-chat" });
 * // every turn: pass `tools: toolset.tools`, then answer each tool call the model made
 * const run = await toolset.execute(call.function.name, call.function.arguments, { callId: call.id });
 * messages.push(run.output);
 * ```
 *
 * @param source An `MCPClient`, a `MultiMCPClient`, or anything with a `tools` map and `callTool`.
 */
export function createToolset<F extends ToolFormat>(
  source: ToolSource,
  options: ToolsetOptions<F>,
): Toolset<F> {
  const format = options.format;
  if (!TOOL_FORMATS.includes(format)) {
    throw new RangeError(
      `Unsupported tool format "${String(format)}"; use one of ${TOOL_FORMATS.join(", ")}.`,
    );
  }
  if (!isToolSource(source)) {
    throw new TypeError(
      "createToolset() needs a client: an object with a `tools` Map and a `callTool` method.",
    );
  }
  const needsCallId = format !== "gemini";
  let snapshot: Snapshot<F> | undefined;

  const current = (): Snapshot<F> => {
    const map = source.tools;
    const keys = [...map.keys()];
    const values = [...map.values()];
    if (
      snapshot &&
      snapshot.map === map &&
      sameList(snapshot.keys, keys) &&
      sameList(snapshot.values, values)
    ) {
      return snapshot;
    }
    const converted = convertTools(source, format, options);
    snapshot = {
      map,
      keys,
      values,
      converted,
      byName: new Map(converted.entries.map((entry) => [entry.name, entry])),
      byTool: new Map(converted.entries.map((entry) => [entry.source.name, entry])),
    };
    return snapshot;
  };

  const resolve = (name: string): ConvertedTool | undefined => {
    const { byName, byTool } = current();
    return byName.get(name) ?? byTool.get(name);
  };

  const execute = async (
    name: string,
    args: unknown,
    executeOptions?: ExecuteOptions<F>,
  ): Promise<ToolExecution<F>> => {
    const callOptions: BaseExecuteOptions & { callId?: string | undefined } = executeOptions ?? {};
    if (needsCallId && typeof callOptions.callId !== "string") {
      throw new TypeError(
        `execute() needs { callId } for format "${format}": the id of the model's tool call, which the result message must carry.`,
      );
    }
    const entry = resolve(name);
    let toolArguments: Record<string, unknown> = {};
    let result: CallToolResult;
    let error: MCPError | undefined;
    try {
      if (!entry) {
        const available = [...current().byName.keys()];
        throw new MCPError(
          `Tool "${name}" is not in this toolset (format ${format}).${suggestNames(name, available)}`,
          { code: "NOT_FOUND", context: { tool: name, availableTools: available.slice(0, 50) } },
        );
      }
      const parsed = parseToolArguments(entry.source.name, args, entry.source.server);
      toolArguments = entry.schema.strict ? restoreStrictArguments(parsed, entry.schema) : parsed;
      result = await source.callTool(entry.source.name, toolArguments, {
        signal: callOptions.signal,
        timeout: callOptions.timeout ?? options.timeout,
        onProgress: callOptions.onProgress,
      });
    } catch (caught) {
      if (options.onError !== "result" || !isMCPError(caught) || caught instanceof MCPCancelledError)
        throw caught;
      error = caught;
      result = { content: [{ type: "text", text: caught.message }], isError: true };
    }
    return {
      name,
      tool: entry?.source.name ?? name,
      server: entry?.source.server,
      arguments: toolArguments,
      result,
      isError: result.isError === true,
      error,
      media: toolResultMedia(result),
      // Gemini matches a functionResponse to its functionCall by the name the model used.
      output: toOutput(format, result, name, callOptions.callId),
    };
  };

  return {
    format,
    get tools() {
      return current().converted.tools as ToolsByFormat[F];
    },
    get report() {
      return current().converted.report;
    },
    resolve,
    execute: execute as Toolset<F>["execute"],
  };
}

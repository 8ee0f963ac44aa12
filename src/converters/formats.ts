import type { CallToolResult } from "@modelcontextprotocol/client";

import { quoteServerText, sanitizeServerText } from "../errors/serverText.js";
import { parseToolArguments } from "./arguments.js";
import type { NameChange, NameRules, NameRuleSet, NameTable } from "./names.js";
import { assignProviderNames, resolveNameRules } from "./names.js";
import type { SchemaChange, SchemaTarget, SimplifiedSchema } from "./schema.js";
import { simplifySchema } from "./schema.js";
import type { SourceTool, ToolListInput, ToolSource } from "./toolSource.js";
import { listSourceTools } from "./toolSource.js";

/**
 * MCP tools → the tool definitions of LLM APIs. Each converter applies its API's name rules and
 * schema subset (see `names.ts`, `schema.ts`) and returns a report of everything it changed.
 */

/** The tool formats `convertTools` and `createToolset` produce. */
export type ToolFormat = "openai-chat" | "openai-responses" | "anthropic" | "gemini";

export const TOOL_FORMATS: readonly ToolFormat[] = Object.freeze([
  "openai-chat",
  "openai-responses",
  "anthropic",
  "gemini",
]);

/** A JSON Schema whose root is an object, as every API requires for tool parameters. */
export interface ObjectSchema {
  type: "object";
  properties?: Record<string, unknown>;
  required?: string[];
  [keyword: string]: unknown;
}

/** A Chat Completions `tools` entry. */
export interface OpenAIChatTool {
  type: "function";
  function: {
    name: string;
    description: string;
    parameters: ObjectSchema;
    strict?: boolean;
  };
}

/** A Responses API `tools` entry (function tool). `strict` is explicit: the API defaults it to true. */
export interface OpenAIResponsesTool {
  type: "function";
  name: string;
  description: string;
  parameters: ObjectSchema;
  strict: boolean;
}

/** A Messages API `tools` entry (client tool). */
export interface AnthropicTool {
  name: string;
  description: string;
  input_schema: ObjectSchema;
}

/** A Gemini function declaration: `parameters` (OpenAPI subset) or `parametersJsonSchema`. */
export interface GeminiFunctionDeclaration {
  name: string;
  description: string;
  /** The OpenAPI-subset schema (upper-case types). */
  parameters?: Record<string, unknown>;
  parametersJsonSchema?: ObjectSchema;
}

/** A Gemini `tools` entry. */
export interface GeminiTool {
  functionDeclarations: GeminiFunctionDeclaration[];
}

export interface ConvertOptions {
  /** Name rules to apply. @default the format's own rules */
  names?: NameRuleSet | NameRules | undefined;
  /**
   * OpenAI formats: use strict mode (Structured Outputs) where the schema allows it; tools whose
   * schema cannot be made strict are sent non-strict and reported. @default false
   */
  strict?: boolean | undefined;
  /**
   * Gemini: `"openapi"` sends `parameters` (the OpenAPI subset every Gemini API version accepts);
   * `"json-schema"` sends `parametersJsonSchema` (JSON Schema, newer API versions). @default "openapi"
   */
  geminiSchema?: "openapi" | "json-schema" | undefined;
  /** Keeps only the tools for which it returns true. */
  filter?: ((tool: SourceTool) => boolean) | undefined;
}

/** What happened to one tool. */
export interface ToolReport {
  /** The name the tool is called with (raw, or prefixed for multi-server clients). */
  readonly tool: string;
  /** The name the provider sees. */
  readonly name: string;
  readonly server: string | undefined;
  /** Set when the provider name differs from `tool`. */
  readonly nameChange: NameChange | undefined;
  readonly schemaChanges: readonly SchemaChange[];
  /** OpenAI formats: whether the tool is sent in strict mode. */
  readonly strict: boolean;
}

export interface ConversionReport {
  readonly format: string;
  readonly tools: readonly ToolReport[];
  /** Tools whose name or schema changed. */
  readonly changed: readonly ToolReport[];
  /** Number of changes with severity "warning" (the model sees something looser or different). */
  readonly warnings: number;
}

/** One converted tool, with what the dispatcher needs to call it. */
export interface ConvertedTool {
  readonly source: SourceTool;
  /** The provider-facing name. */
  readonly name: string;
  readonly description: string;
  readonly schema: SimplifiedSchema;
  readonly report: ToolReport;
}

export interface ConvertedTools<T> {
  /** The definitions, ready for the API's `tools` field (Gemini: wrap them, see `toGeminiTools`). */
  readonly tools: T[];
  readonly report: ConversionReport;
  /** Provider name ↔ name to call with. */
  readonly names: NameTable;
  readonly entries: readonly ConvertedTool[];
}

const DEFAULT_NAME_RULES: Readonly<Record<ToolFormat | "function", NameRuleSet>> = {
  "openai-chat": "openai",
  "openai-responses": "openai",
  anthropic: "anthropic",
  gemini: "gemini",
  function: "portable",
};

/** The description sent to the model: the tool's description, else its title, else a fallback. */
export function describeTool(tool: SourceTool): string {
  const text = tool.description?.trim() || tool.title?.trim();
  return text || `MCP tool: ${tool.name}`;
}

/** Converts every tool with the given name rules and schema target (the shared part of all formats). */
export function convertEntries(
  input: ToolListInput,
  format: string,
  rules: NameRuleSet | NameRules,
  target: SchemaTarget,
  filter?: ((tool: SourceTool) => boolean) | undefined,
): { entries: ConvertedTool[]; report: ConversionReport; names: NameTable } {
  const tools = listSourceTools(input).filter((tool) => !filter || filter(tool));
  const names = assignProviderNames(
    tools.map((tool) => tool.name),
    resolveNameRules(rules),
  );
  const changes = new Map(names.changes.map((change) => [change.original, change]));
  const entries = tools.map((tool): ConvertedTool => {
    const name = names.toProvider.get(tool.name)!;
    const schema = simplifySchema(tool.inputSchema, target);
    return {
      source: tool,
      name,
      description: describeTool(tool),
      schema,
      report: {
        tool: tool.name,
        name,
        server: tool.server,
        nameChange: changes.get(tool.name),
        schemaChanges: schema.changes,
        strict: schema.strict,
      },
    };
  });
  const reports = entries.map((entry) => entry.report);
  const report: ConversionReport = {
    format,
    tools: reports,
    changed: reports.filter((r) => r.nameChange !== undefined || r.schemaChanges.length > 0),
    warnings: reports.reduce(
      (sum, r) => sum + r.schemaChanges.filter((change) => change.severity === "warning").length,
      0,
    ),
  };
  return { entries, report, names };
}

/** The converted schema of a "json" or "openai-strict" target, whose root is always a plain object. */
function objectSchema(entry: ConvertedTool): ObjectSchema {
  return entry.schema.schema as ObjectSchema;
}

function openAITarget(options: ConvertOptions): SchemaTarget {
  return options.strict ? "openai-strict" : "json";
}

/** Chat Completions `tools`. */
export function toOpenAIChatTools(
  input: ToolListInput,
  options: ConvertOptions = {},
): ConvertedTools<OpenAIChatTool> {
  const converted = convertEntries(
    input,
    "openai-chat",
    options.names ?? DEFAULT_NAME_RULES["openai-chat"],
    openAITarget(options),
    options.filter,
  );
  const tools = converted.entries.map((entry): OpenAIChatTool => ({
    type: "function",
    function: {
      name: entry.name,
      description: entry.description,
      parameters: objectSchema(entry),
      ...(options.strict ? { strict: entry.schema.strict } : {}),
    },
  }));
  return { tools, ...converted };
}

/** Responses API `tools` (function tools). */
export function toOpenAIResponsesTools(
  input: ToolListInput,
  options: ConvertOptions = {},
): ConvertedTools<OpenAIResponsesTool> {
  const converted = convertEntries(
    input,
    "openai-responses",
    options.names ?? DEFAULT_NAME_RULES["openai-responses"],
    openAITarget(options),
    options.filter,
  );
  const tools = converted.entries.map((entry): OpenAIResponsesTool => ({
    type: "function",
    name: entry.name,
    description: entry.description,
    parameters: objectSchema(entry),
    strict: entry.schema.strict,
  }));
  return { tools, ...converted };
}

/** Messages API `tools` (`input_schema`). */
export function toAnthropicTools(
  input: ToolListInput,
  options: ConvertOptions = {},
): ConvertedTools<AnthropicTool> {
  const converted = convertEntries(
    input,
    "anthropic",
    options.names ?? DEFAULT_NAME_RULES.anthropic,
    "json",
    options.filter,
  );
  const tools = converted.entries.map((entry): AnthropicTool => ({
    name: entry.name,
    description: entry.description,
    input_schema: objectSchema(entry),
  }));
  return { tools, ...converted };
}

/** Gemini function declarations (put them in `tools: [{ functionDeclarations }]`, or use `toGeminiTools`). */
export function toGeminiFunctionDeclarations(
  input: ToolListInput,
  options: ConvertOptions = {},
): ConvertedTools<GeminiFunctionDeclaration> {
  const jsonSchema = options.geminiSchema === "json-schema";
  const converted = convertEntries(
    input,
    "gemini",
    options.names ?? DEFAULT_NAME_RULES.gemini,
    jsonSchema ? "json" : "gemini",
    options.filter,
  );
  const tools = converted.entries.map((entry): GeminiFunctionDeclaration => {
    const declaration: GeminiFunctionDeclaration = { name: entry.name, description: entry.description };
    // Gemini: "For a function with no parameters, this can be left unset".
    if (!entry.schema.empty) {
      if (jsonSchema) declaration.parametersJsonSchema = objectSchema(entry);
      else declaration.parameters = entry.schema.schema;
    }
    return declaration;
  });
  return { tools, ...converted };
}

/** Gemini `tools`: one entry holding every function declaration (none when there are no tools). */
export function toGeminiTools(
  input: ToolListInput,
  options: ConvertOptions = {},
): ConvertedTools<GeminiTool> {
  const converted = toGeminiFunctionDeclarations(input, options);
  // No tools: no entry at all, rather than a tool with an empty declaration list.
  const tools = converted.tools.length === 0 ? [] : [{ functionDeclarations: converted.tools }];
  return { ...converted, tools };
}

/** The definitions each format's `tools` field takes. */
export interface ToolsByFormat {
  "openai-chat": OpenAIChatTool[];
  "openai-responses": OpenAIResponsesTool[];
  anthropic: AnthropicTool[];
  gemini: GeminiTool[];
}

/** Converts to any format by name: what the API's `tools` field takes. */
export function convertTools<F extends ToolFormat>(
  input: ToolListInput,
  format: F,
  options: ConvertOptions = {},
): ConvertedTools<ToolsByFormat[F][number]> {
  switch (format) {
    case "openai-chat":
      return toOpenAIChatTools(input, options) as ConvertedTools<ToolsByFormat[F][number]>;
    case "openai-responses":
      return toOpenAIResponsesTools(input, options) as ConvertedTools<ToolsByFormat[F][number]>;
    case "anthropic":
      return toAnthropicTools(input, options) as ConvertedTools<ToolsByFormat[F][number]>;
    case "gemini":
      return toGeminiTools(input, options) as ConvertedTools<ToolsByFormat[F][number]>;
    default:
      throw new RangeError(
        `Unsupported tool format "${String(format)}"; use one of ${TOOL_FORMATS.join(", ")}.`,
      );
  }
}

/** The report as readable lines: one header, then each changed tool and its changes. */
export function formatConversionReport(report: ConversionReport): string {
  const lines = [
    `${report.format}: ${report.tools.length} tool(s), ${report.changed.length} changed, ${report.warnings} warning(s)`,
  ];
  for (const tool of report.changed) {
    // Text for people: the server's tool names and the paths built from its property names are
    // quoted through the server-text gate (messages already passed it).
    const renamed = tool.nameChange ? ` → "${tool.name}" (${tool.nameChange.reasons.join(", ")})` : "";
    lines.push(`  ${quoteServerText(tool.tool, 200)}${renamed}${tool.strict ? " [strict]" : ""}`);
    for (const change of tool.schemaChanges) {
      lines.push(`    ${change.severity} ${sanitizeServerText(change.path)}: ${change.message}`);
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
// MassGen-style Function

export interface MCPFunctionInit {
  name?: string | undefined;
  description?: string | undefined;
  parameters?: ObjectSchema | undefined;
  /** Receives the arguments as a JSON string, as a model produced them. */
  entrypoint: (argumentsJson: string) => Promise<CallToolResult>;
  /** The name the tool is called with, when `name` is a provider-safe rewrite of it. */
  toolName?: string | undefined;
  server?: string | undefined;
}

/**
 * A tool as one callable function with its definition, like MassGen's `backend_utils.Function`:
 * `entrypoint(argumentsJson)` plus converters to each API's tool format (test/unit/converters/
 * formats.test.ts, `MCPFunction`).
 * Defaults follow MassGen: name `unknown_function`, description `Function: <name>`, parameters an
 * empty object schema. (Named `MCPFunction` so that it does not shadow the global `Function`.)
 */
export class MCPFunction {
  readonly name: string;
  readonly description: string;
  readonly parameters: ObjectSchema;
  /** The name the tool is called with (raw, or prefixed for multi-server clients). */
  readonly toolName: string;
  readonly server: string | undefined;
  private readonly run: (argumentsJson: string) => Promise<CallToolResult>;

  constructor(init: MCPFunctionInit) {
    this.name = init.name ?? "unknown_function";
    this.description = init.description ?? `Function: ${this.name}`;
    this.parameters = init.parameters ?? { type: "object", properties: {} };
    this.toolName = init.toolName ?? this.name;
    this.server = init.server;
    this.run = init.entrypoint;
  }

  /** Calls the tool with arguments as a JSON string. */
  entrypoint(argumentsJson: string): Promise<CallToolResult> {
    return this.run(argumentsJson);
  }

  /** Responses API format: `{ type, name, description, parameters, strict: false }`. */
  toOpenAIFormat(): OpenAIResponsesTool {
    return {
      type: "function",
      name: this.name,
      description: this.description,
      parameters: this.parameters,
      strict: false,
    };
  }

  /** Chat Completions format: `{ type, function: { name, description, parameters } }`. */
  toChatCompletionsFormat(): OpenAIChatTool {
    return {
      type: "function",
      function: { name: this.name, description: this.description, parameters: this.parameters },
    };
  }

  /** Messages API format: `{ name, description, input_schema }`. */
  toClaudeFormat(): AnthropicTool {
    return { name: this.name, description: this.description, input_schema: this.parameters };
  }

  /** Gemini format, with the JSON Schema in `parametersJsonSchema`. */
  toGeminiFormat(): GeminiFunctionDeclaration {
    return { name: this.name, description: this.description, parametersJsonSchema: this.parameters };
  }
}

/**
 * One `MCPFunction` per tool of a client (MassGen's `convert_tools_to_functions`). Names follow
 * the portable rules (valid for every API); `entrypoint` parses the JSON (bad JSON →
 * `MCPValidationError` naming the tool) and calls the tool by its real name.
 */
export function toFunctions(
  source: ToolSource,
  options: Pick<ConvertOptions, "names" | "filter"> = {},
): { functions: MCPFunction[]; report: ConversionReport; names: NameTable } {
  const { entries, report, names } = convertEntries(
    source,
    "function",
    options.names ?? DEFAULT_NAME_RULES.function,
    "json",
    options.filter,
  );
  const functions = entries.map(
    (entry) =>
      new MCPFunction({
        name: entry.name,
        description: entry.description,
        parameters: objectSchema(entry),
        toolName: entry.source.name,
        server: entry.source.server,
        entrypoint: async (argumentsJson) =>
          source.callTool(
            entry.source.name,
            parseToolArguments(entry.source.name, argumentsJson, entry.source.server),
          ),
      }),
  );
  return { functions, report, names };
}

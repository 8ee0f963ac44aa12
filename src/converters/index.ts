// `mcp-tools/converters`: MCP tools and results in the shapes of LLM APIs (OpenAI Chat and Responses,
// Anthropic, Gemini, the Vercel AI SDK). A subpath of its own, so that `import("mcp-tools")` does not
// load it; every name is exported one by one (no `export *`).

export type {
  AISdkDynamicToolDefinition,
  AISdkFactories,
  AISdkPlainTool,
  AISdkToolExecutionOptions,
  AISdkToolsOptions,
} from "./aiSdk.js";
export { toAISdkTools } from "./aiSdk.js";
export { parseToolArguments } from "./arguments.js";
export type {
  AnthropicTool,
  ConversionReport,
  ConvertedTool,
  ConvertedTools,
  ConvertOptions,
  GeminiFunctionDeclaration,
  GeminiTool,
  MCPFunctionInit,
  ObjectSchema,
  OpenAIChatTool,
  OpenAIResponsesTool,
  ToolFormat,
  ToolReport,
  ToolsByFormat,
} from "./formats.js";
export {
  convertTools,
  formatConversionReport,
  MCPFunction,
  toAnthropicTools,
  toFunctions,
  toGeminiFunctionDeclarations,
  toGeminiTools,
  TOOL_FORMATS,
  toOpenAIChatTools,
  toOpenAIResponsesTools,
} from "./formats.js";
export type { NameChange, NameChangeReason, NameRules, NameRuleSet, NameTable } from "./names.js";
export {
  assignProviderNames,
  isValidProviderName,
  PROVIDER_NAME_RULES,
  sanitizeProviderName,
} from "./names.js";
export type {
  AISdkToolResultOutput,
  AnthropicImageMediaType,
  AnthropicToolResultBlock,
  AnthropicToolResultContent,
  GeminiFunctionResponsePart,
  JsonValue,
  OpenAIChatImageMessage,
  OpenAIChatToolMessage,
  OpenAIResponsesFunctionCallOutput,
  OpenAIResponsesOutputContent,
  ToolMedia,
} from "./results.js";
export {
  toAISdkToolOutput,
  toAnthropicToolResult,
  toGeminiFunctionResponse,
  toolResultMedia,
  toolResultToText,
  toOpenAIChatImageMessage,
  toOpenAIChatToolMessage,
  toOpenAIResponsesOutput,
} from "./results.js";
export type {
  SchemaChange,
  SchemaChangeRule,
  SchemaChangeSeverity,
  SchemaTarget,
  SimplifiedSchema,
  SimplifyOptions,
} from "./schema.js";
export { restoreStrictArguments, simplifySchema } from "./schema.js";
export type {
  ExecuteOptions,
  ToolExecution,
  ToolOutputByFormat,
  Toolset,
  ToolsetOptions,
} from "./toolset.js";
export { createToolset } from "./toolset.js";
export type {
  SourceTool,
  ToolListInput,
  ToolSource,
  ToolSourceCallOptions,
  ToolSourceEntry,
} from "./toolSource.js";

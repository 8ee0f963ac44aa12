// The public API of mcp-tools. Every export here is a promise to users: add names deliberately,
// one by one (no `export *`), and keep internals out.

// Client
export type {
  ClientEventName,
  ClientEvents,
  ConnectionState,
  StatusEvent,
  Unsubscribe,
} from "./client/events.js";
export type {
  CallToolOptions,
  ClientDiagnostics,
  MCPClientOptions,
  ReconnectOptions,
  RequestCallOptions,
} from "./client/mcpClient.js";
export { CLIENT_INFO, MCPClient } from "./client/mcpClient.js";

// Config
export type { ValidatedBackendConfig } from "./config/backendConfig.js";
export { expandString } from "./config/expandVariables.js";
export type { ConfigShape, LoadConfigOptions, LoadedConfig } from "./config/loadConfig.js";
export { loadConfig } from "./config/loadConfig.js";
export type {
  CircuitBreakerConfig,
  CircuitBreakerInput,
  HttpServerConfig,
  SecurityInput,
  ServerConfig,
  ServerConfigInput,
  StdioServerConfig,
  ToolArgumentLimitsInput,
  TransportType,
} from "./config/types.js";
export { MCPConfigValidator } from "./config/validator.js";

// Security
export type { EnvPolicy, SecurityLevel, SecurityPolicy, ToolArgumentLimits } from "./security/types.js";

// Errors
export type { ErrorCode } from "./errors/codes.js";
export type {
  ConfigIssue,
  ErrorClassByCode,
  MCPErrorCauseJSON,
  MCPErrorJSON,
  MCPErrorOptions,
  ProcessExitInfo,
} from "./errors/errors.js";
export {
  isMCPError,
  MCPAuthenticationError,
  MCPCancelledError,
  MCPCircuitOpenError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPError,
  MCPResourceError,
  MCPServerError,
  MCPTimeoutError,
  MCPValidationError,
} from "./errors/errors.js";
export { redact, redactCommandLine } from "./errors/redact.js";

// Protocol types users handle in results (re-exported so they need not depend on the SDK directly).
export type {
  CallToolResult,
  GetPromptResult,
  Progress,
  Prompt,
  ReadResourceResult,
  Resource,
  Tool,
} from "@modelcontextprotocol/client";

// Authorization and client-side handlers
export type { LoopbackRedirect, LoopbackRedirectOptions } from "./auth/loopbackRedirect.js";
export { startLoopbackRedirect } from "./auth/loopbackRedirect.js";
export { FileTokenStore, MemoryTokenStore } from "./auth/tokenStore.js";
export type { AuthOptions, AuthorizationCallback, StoredAuthState, TokenStore } from "./auth/types.js";
export type { ClientHandlers, HandlerContext } from "./client/handlers.js";
export type {
  AuthConfig,
  AuthFlow,
  AuthInput,
  IdpConfig,
  IdpInput,
  TokenEndpointAuthMethod,
  TokenStoreKind,
} from "./config/authTypes.js";
export type {
  CreateMessageRequestParams,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitResult,
  Root,
} from "@modelcontextprotocol/client";

// Multi-server client and resilience
export type {
  ConcurrencyConfig,
  ConcurrencyInput,
  HealthCheckConfig,
  HealthCheckInput,
  ReconnectConfig,
  ReconnectInput,
} from "./config/types.js";
export { MultiMCPClient } from "./multi/multiClient.js";
export type {
  ConnectSummary,
  HealthCheckOptions,
  MultiClientEventName,
  MultiClientEvents,
  MultiConnectOptions,
  MultiMCPClientOptions,
  MultiPromptEntry,
  MultiToolEntry,
  MultiToolHandle,
  NameCollisionEvent,
  ReconnectServerOptions,
  ServerConnectOutcome,
  ServerState,
  ServerStatus,
} from "./multi/options.js";
export type { ServerConfigsCheck, ServerConfigsInput } from "./multi/serverConfigs.js";
export { checkServerConfigs, parseServerConfigs } from "./multi/serverConfigs.js";
export type { AcquireOptions, ConnectionPoolOptions, PoolEvents, PoolStats } from "./pool/connectionPool.js";
export { MCPConnectionPool } from "./pool/connectionPool.js";
export type { BreakerPolicy } from "./resilience/breakerPolicies.js";
export { ConsecutiveFailurePolicy } from "./resilience/breakerPolicies.js";
export type {
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitState,
  CircuitStateChange,
  IsolationHandle,
} from "./resilience/circuitBreaker.js";
export { CircuitBreaker } from "./resilience/circuitBreaker.js";
export type { Clock, ClockTimer, ClockTimerOptions } from "./resilience/clock.js";
export { ManualClock, systemClock } from "./resilience/clock.js";
export type { HealthState } from "./resilience/healthMonitor.js";
export type { Outcome } from "./resilience/outcome.js";
export { classifyOutcome } from "./resilience/outcome.js";
export type { ResourceEntry } from "./routing/resourceIndex.js";
export { prefixedName, ROUTED_NAME_PATTERN, sanitizeNamePart } from "./routing/routedNames.js";

// Converters for LLM APIs
export type {
  AISdkDynamicToolDefinition,
  AISdkFactories,
  AISdkPlainTool,
  AISdkToolExecutionOptions,
  AISdkToolsOptions,
} from "./converters/aiSdk.js";
export { toAISdkTools } from "./converters/aiSdk.js";
export { parseToolArguments } from "./converters/arguments.js";
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
} from "./converters/formats.js";
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
} from "./converters/formats.js";
export type { NameChange, NameChangeReason, NameRules, NameRuleSet, NameTable } from "./converters/names.js";
export {
  assignProviderNames,
  isValidProviderName,
  PROVIDER_NAME_RULES,
  sanitizeProviderName,
} from "./converters/names.js";
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
} from "./converters/results.js";
export {
  toAISdkToolOutput,
  toAnthropicToolResult,
  toGeminiFunctionResponse,
  toolResultMedia,
  toolResultToText,
  toOpenAIChatImageMessage,
  toOpenAIChatToolMessage,
  toOpenAIResponsesOutput,
} from "./converters/results.js";
export type {
  SchemaChange,
  SchemaChangeRule,
  SchemaChangeSeverity,
  SchemaTarget,
  SimplifiedSchema,
  SimplifyOptions,
} from "./converters/schema.js";
export { restoreStrictArguments, simplifySchema } from "./converters/schema.js";
export type {
  ExecuteOptions,
  ToolExecution,
  ToolOutputByFormat,
  Toolset,
  ToolsetOptions,
} from "./converters/toolset.js";
export { createToolset } from "./converters/toolset.js";
export type {
  SourceTool,
  ToolListInput,
  ToolSource,
  ToolSourceCallOptions,
  ToolSourceEntry,
} from "./converters/toolSource.js";

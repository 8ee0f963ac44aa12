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
export { expandString } from "./config/expandVariables.js";
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
export type { ConfigIssue, MCPErrorJSON, MCPErrorOptions, ProcessExitInfo } from "./errors/errors.js";
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
export { redact } from "./errors/redact.js";

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

// The public API of mcp-tools. Every export here is a promise to users: add names deliberately,
// one by one (no `export *`), and keep internals out.
// Deliberately not exported: the converters for LLM APIs (they are `mcp-tools/converters`, so that
// the root does not load them), `ManualClock` (`mcp-tools/testing`), `CLIENT_INFO`, `expandString`,
// the breaker's outcome policy (`classifyOutcome`, `Outcome`), the routing helpers (`prefixedName`,
// `ROUTED_NAME_PATTERN`, `sanitizeNamePart`: routed names are documented as `mcp__{server}__{tool}`),
// `checkServerConfigs` / `parseServerConfigs` (`MCPConfigValidator` and `loadConfig` validate
// configs) and `ErrorClassByCode`.

// Client
export type { ClientEventName, ClientEvents, ConnectionState, StatusEvent } from "./client/events.js";
export { MCPClient } from "./client/mcpClient.js";
export type {
  CallToolOptions,
  ClientDiagnostics,
  MCPClientOptions,
  ReconnectOptions,
  RequestCallOptions,
} from "./client/options.js";
export type { Unsubscribe } from "./common/events.js";

// Config
export type { ValidatedBackendConfig } from "./config/backendConfig.js";
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
export type { ServerConfigsInput } from "./multi/serverConfigs.js";
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
export { systemClock } from "./resilience/clock.js";
export type { HealthState } from "./resilience/healthMonitor.js";
export type { ResourceEntry } from "./routing/resourceIndex.js";

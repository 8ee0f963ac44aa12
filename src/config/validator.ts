import type { ValidatedBackendConfig } from "./backendConfig.js";
import { validateBackendMcpConfig, validateMcpIntegration } from "./backendConfig.js";
import { configurationError, sanitizeIssues } from "./issues.js";
import { checkServerConfig } from "./serverConfig.js";
import type { ServerConfig } from "./types.js";

// Kept for modules that import these helpers from here.
export { configurationError, formatIssues, prefixIssues } from "./issues.js";

function describeServer(raw: unknown): { subject: string; serverName?: string } {
  // An own data property only: an inherited `name` (a replaced prototype) is not what the user
  // configured, and a getter is not called a second time (validation read it once already).
  let name: unknown;
  try {
    if (typeof raw === "object" && raw !== null) name = Object.getOwnPropertyDescriptor(raw, "name")?.value;
  } catch {
    // A Proxy whose trap throws: validation reported it already.
  }
  return typeof name === "string" && name.trim()
    ? { subject: `server "${name}"`, serverName: name }
    : { subject: "server (no name)" };
}

/**
 * Validation of server configs: every key of MassGen's config (snake_case or camelCase), the
 * security policy, and all problems reported at once. Nothing is spawned or connected here.
 */
export class MCPConfigValidator {
  /**
   * Validates one server config and returns the normalised, typed config.
   * @throws MCPConfigurationError listing every problem with its key path (env and header values never appear).
   */
  static validateServerConfig(raw: unknown): ServerConfig {
    const { config, issues, warnings } = checkServerConfig(raw);
    if (config && issues.length === 0) return config;
    const { subject, serverName } = describeServer(raw);
    throw configurationError(subject, issues, warnings, serverName === undefined ? {} : { serverName });
  }

  /** Like `validateServerConfig` but never throws: returns the config (if valid), issues and warnings. */
  static checkServerConfig(raw: unknown): ReturnType<typeof checkServerConfig> {
    const checked = checkServerConfig(raw);
    // Handed back as data, not inside an error (whose constructor cleans them): cleaned here.
    return { ...checked, issues: sanitizeIssues(checked.issues), warnings: sanitizeIssues(checked.warnings) };
  }

  /**
   * MassGen's `validate_backend_mcp_config`: validates `mcp_servers` (list, or map keyed by name),
   * duplicate names and the backend-level tool filters; returns a copy with the validated list.
   */
  static validateBackendMcpConfig(backend: unknown): ValidatedBackendConfig {
    return validateBackendMcpConfig(backend);
  }

  /** MassGen's `validate_mcp_integration`: every agent's backend, or one config with `mcp_servers`. */
  static validateMcpIntegration(config: unknown): Record<string, unknown> {
    return validateMcpIntegration(config);
  }
}

/** Security levels. `strict` is the default; an unknown level is a config error (never silently strict). */
export type SecurityLevel = "strict" | "moderate" | "permissive";

export const SECURITY_LEVELS: readonly SecurityLevel[] = ["strict", "moderate", "permissive"];

/** Environment-variable policy for stdio servers (`security.env`). */
export interface EnvPolicy {
  /** Level whose default deny-list applies; defaults to `security.level`. */
  level: SecurityLevel;
  /** `denylist` (default): refuse listed names. `allowlist`: refuse names not listed in `allowedVars`. */
  mode: "denylist" | "allowlist";
  /** Allowed names for `allowlist` mode (case-insensitive). */
  allowedVars: readonly string[];
  /** Denied names; replaces the level's default deny-list when given. */
  deniedVars: readonly string[] | undefined;
}

/** Limits checked on every tool call's arguments before anything is sent (`security.tool_arguments`). */
export interface ToolArgumentLimits {
  /** Deepest allowed nesting; the top-level object is depth 0. */
  maxDepth: number;
  /** Most keys in one object. */
  maxKeys: number;
  /** Most items in one array. */
  maxItems: number;
  /** Longest string, in characters. */
  maxStringLength: number;
  /** Largest total size of the arguments serialised as JSON, in UTF-8 bytes. */
  maxSize: number;
}

/** The normalised `security` section of a server config. */
export interface SecurityPolicy {
  level: SecurityLevel;
  /** Replaces the level's executable allow-list when given (case-insensitive base names). */
  allowedExecutables: readonly string[] | undefined;
  /** Permit inline-exec flags such as `sh -c` or `node -e` (refused under strict and moderate). */
  allowInlineExec: boolean;
  env: EnvPolicy;
  /** HTTP: allow `localhost` and loopback addresses. */
  allowLocalhost: boolean;
  /** HTTP: allow private, link-local and other non-public addresses (loopback still needs `allowLocalhost`). */
  allowPrivateIps: boolean;
  /** HTTP: allow plain `http://` to non-loopback hosts (refused under strict). */
  allowInsecureHttp: boolean;
  /** HTTP: resolve the host name before connecting and apply the address rules to every result. */
  resolveDns: boolean;
  /** HTTP: exact host names that skip the host/address checks (the port check still applies). */
  allowedHostnames: readonly string[];
  toolArguments: ToolArgumentLimits;
}

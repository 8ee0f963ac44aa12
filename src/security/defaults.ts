/**
 * The security defaults: limits, per-level tables and the default policy. This is the single place
 * these values live; every check in `src/security/` reads them from here.
 *
 * Values follow MassGen's `security.py` (its `validate_server_security` and level tables), so
 * configs written for it keep their meaning; where a value differs, the reason is noted next to it.
 */
import type { SecurityLevel, SecurityPolicy, ToolArgumentLimits } from "./types.js";
import { SECURITY_LEVELS } from "./types.js";

/** Longest `command` string, in characters. */
export const MAX_COMMAND_LENGTH = 1000;
/** Longest single argument (and single word of a `command` string), in characters. */
export const MAX_ARG_LENGTH = 500;
/** Most words in a `command` string, and most arguments passed to the executable in total. */
export const MAX_ARGS_COUNT = 50;
/** Longest `url`, in characters. */
export const MAX_URL_LENGTH = 2048;
/** Longest environment-variable name, in characters. */
export const MAX_ENV_KEY_LENGTH = 100;
/** Longest environment-variable value, in characters. */
export const MAX_ENV_VALUE_LENGTH = 1000;
/** Longest header name, in characters. */
export const MAX_HEADER_KEY_LENGTH = 100;
/** Longest header value, in characters. */
export const MAX_HEADER_VALUE_LENGTH = 1000;
/** Longest `cwd`, in characters. */
export const MAX_CWD_LENGTH = 500;

/** Ports an HTTP server URL may never use (SSH, Telnet, SMTP, DNS, SMB/RPC, databases, RDP, Redis). */
export const BLOCKED_PORTS: readonly number[] = Object.freeze([
  22, 23, 25, 53, 135, 139, 445, 1433, 1521, 3306, 3389, 5432, 6379,
]);

const BASE_EXECUTABLES = [
  "python",
  "python3",
  "python3.8",
  "python3.9",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "py",
  "uv",
  "uvx",
  "pipx",
  "pip",
  "pip3",
  "node",
  "npm",
  "npx",
  "yarn",
  "pnpm",
  "bun",
  "deno",
  "java",
  "ruby",
  "go",
  "rust",
  "cargo",
  "fastmcp",
  "sh",
  "bash",
  "zsh",
  "fish",
  "powershell",
  "pwsh",
  "cmd",
] as const;

/**
 * Executables (lower-case base names without `.exe`/`.bat`/`.cmd`/`.ps1`) a stdio server's
 * `command` may run, per level. `security.allowed_executables` replaces the list.
 */
export const DEFAULT_ALLOWED_EXECUTABLES: Readonly<Record<SecurityLevel, readonly string[]>> = Object.freeze({
  strict: Object.freeze([...BASE_EXECUTABLES]),
  moderate: Object.freeze([...BASE_EXECUTABLES, "git", "nodejs"]),
  permissive: Object.freeze([...BASE_EXECUTABLES, "git", "curl", "wget", "nodejs"]),
});

const LOADER_VARS = ["LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "PYTHONPATH", "PWD", "OLDPWD"] as const;
// Not in MassGen: preloading a library runs code in every child at any level.
const PRELOAD_VARS = ["LD_PRELOAD", "DYLD_INSERT_LIBRARIES"] as const;

/**
 * Environment-variable names a server's `env` may not set in `denylist` mode, per level
 * (compared case-insensitively). `security.env.denied_vars` replaces the list.
 */
export const DEFAULT_DENIED_ENV_VARS: Readonly<Record<SecurityLevel, readonly string[]>> = Object.freeze({
  strict: Object.freeze([
    ...LOADER_VARS,
    "PATH",
    "HOME",
    "USER",
    "USERNAME",
    "SHELL",
    ...PRELOAD_VARS,
    "NODE_OPTIONS",
  ]),
  moderate: Object.freeze([...LOADER_VARS, ...PRELOAD_VARS, "NODE_OPTIONS"]),
  permissive: Object.freeze([...LOADER_VARS, ...PRELOAD_VARS]),
});

/** Limits on every tool call's arguments, per level (`security.tool_arguments` overrides them). */
export const DEFAULT_TOOL_ARGUMENT_LIMITS: Readonly<Record<SecurityLevel, Readonly<ToolArgumentLimits>>> =
  Object.freeze({
    // MassGen's values.
    strict: Object.freeze({
      maxDepth: 5,
      maxKeys: 100,
      maxItems: 1000,
      maxStringLength: 10_000,
      maxSize: 10_000,
    }),
    moderate: Object.freeze({
      maxDepth: 10,
      maxKeys: 1000,
      maxItems: 10_000,
      maxStringLength: 1_000_000,
      maxSize: 1024 * 1024,
    }),
    permissive: Object.freeze({
      maxDepth: 32,
      maxKeys: 10_000,
      maxItems: 100_000,
      maxStringLength: 10 * 1024 * 1024,
      maxSize: 10 * 1024 * 1024,
    }),
  });

/**
 * The full policy a server gets when its `security` section sets only `level` (or nothing: `strict`).
 * Returns a fresh object each time; the lists in it are frozen.
 *
 * @throws RangeError for a level that is not `strict`, `moderate` or `permissive`.
 */
export function defaultSecurityPolicy(level: SecurityLevel = "strict"): SecurityPolicy {
  if (!SECURITY_LEVELS.includes(level)) {
    throw new RangeError(
      `Unknown security level ${JSON.stringify(String(level))}; expected one of ${SECURITY_LEVELS.join(", ")}.`,
    );
  }
  const permissive = level === "permissive";
  return {
    level,
    allowedExecutables: undefined,
    allowInlineExec: permissive,
    env: { level, mode: "denylist", allowedVars: [], deniedVars: undefined },
    allowLocalhost: permissive,
    allowPrivateIps: permissive,
    allowInsecureHttp: level !== "strict",
    resolveDns: false,
    allowedHostnames: [],
    toolArguments: { ...DEFAULT_TOOL_ARGUMENT_LIMITS[level] },
  };
}

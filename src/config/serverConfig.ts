import type { z } from "zod";

import { renderKeyPath } from "../common/keyPath.js";
import { isPrototypeKey, ownValue } from "../common/objects.js";
import { suggest } from "../common/suggest.js";
import type { ConfigIssue } from "../errors/errors.js";
import { checkCommand } from "../security/command.js";
import { checkCwd } from "../security/cwdPolicy.js";
import { DEFAULT_TOOL_ARGUMENT_LIMITS, defaultSecurityPolicy } from "../security/defaults.js";
import { checkEnv } from "../security/env.js";
import { checkHeaders } from "../security/headers.js";
import type { SecurityPolicy, ToolArgumentLimits } from "../security/types.js";
import { checkUrl } from "../security/url.js";
import { buildAuthConfig } from "./authSchema.js";
import {
  DEFAULT_EXPECTED_EXCEPTIONS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_HEALTH_CHECK_MAX_MISSES,
  DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
  DEFAULT_HTTP_READ_TIMEOUT_SECONDS,
  DEFAULT_MAX_IN_FLIGHT,
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_QUEUE,
  DEFAULT_MAX_RETRIES,
  DEFAULT_RECONNECT_ENABLED,
  DEFAULT_RECONNECT_HEALTHY_RESET_SECONDS,
  DEFAULT_RECONNECT_MAX_ATTEMPTS,
  DEFAULT_RECONNECT_MAX_DELAY_SECONDS,
  DEFAULT_RECOVERY_TIMEOUT_SECONDS,
  DEFAULT_RETRY_DELAY_SECONDS,
  DEFAULT_SHUTDOWN_GRACE_SECONDS,
  DEFAULT_TIMEOUT_SECONDS,
} from "./defaults.js";
import { findingIssue, isPlainObject, normaliseKeys, snapshotConfig, toSnakeCase } from "./keys.js";
import { SECTIONS, shape } from "./schema.js";
import type { ServerConfig, TransportType } from "./types.js";

/** Known camelCase keys per section (from the schema). Nested sections are validated with their own key set. */
const KNOWN: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  [...SECTIONS].map(([path, section]) => [path, new Set(section.keys)]),
);

/** Accepted spellings of `type`, as written by Claude Code, VS Code, Gemini, fastmcp and MassGen. */
const TYPE_SPELLINGS: Record<string, TransportType> = {
  stdio: "stdio",
  "streamable-http": "streamable-http",
  streamablehttp: "streamable-http",
  streamable_http: "streamable-http",
  http: "streamable-http",
  sse: "sse",
};

/** The result of checking one server config without throwing. */
export interface ServerConfigCheck {
  /** The normalised config, present when there are no issues. */
  config?: ServerConfig;
  /** Problems that make the config unusable. */
  issues: ConfigIssue[];
  /** Non-fatal findings: unknown keys (with a typo suggestion), ignored keys. */
  warnings: ConfigIssue[];
}

/**
 * Normalises the keys of the server object and its sections in place, collecting unknown-key warnings
 * and snake/camel conflicts.
 */
function normaliseSections(
  raw: Record<string, unknown>,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): { value: Record<string, unknown>; extra: Record<string, unknown> } {
  const extra: Record<string, unknown> = {};
  const visit = (obj: Record<string, unknown>, section: string): Record<string, unknown> => {
    const known = KNOWN.get(section) ?? new Set<string>();
    const { value, unknown, conflicts } = normaliseKeys(obj, known);
    for (const { snake, camel } of conflicts) {
      issues.push({
        path: renderKeyPath([...sectionPath(section), toSnakeCase(camel)]),
        message: `both "${snake}" and "${camel}" are given; keep one spelling`,
        rule: "config.duplicateKey",
      });
    }
    for (const key of unknown) {
      if (section === "" && key === "shell" && value[key] !== false && value[key] !== undefined) {
        // Hosts such as Node's spawn() take `shell: true`; ignoring it would run something else than asked.
        issues.push({
          path: "shell",
          message:
            "servers are never started through a shell (rule command.shell); remove `shell` and give the executable in `command` and each argument in `args`",
          rule: "command.shell",
        });
        delete value[key];
        continue;
      }
      const hint = suggest(
        key,
        [...known].flatMap((k) => [k, toSnakeCase(k)]),
      );
      const path = renderKeyPath([...sectionPath(section), key]);
      warnings.push({
        path,
        message: hint
          ? `unknown key "${key}" is ignored; did you mean "${hint}"?`
          : `unknown key "${key}" is ignored`,
        rule: "config.unknownKey",
      });
      // Handed back to the caller: ordinary objects (this copy of ours has no prototype).
      if (section === "") extra[key] = snapshotConfig(value[key], { ordinary: true }).value;
      delete value[key];
    }
    for (const key of SECTIONS.get(section)?.children ?? []) {
      const nested = value[key];
      if (isPlainObject(nested)) value[key] = visit(nested, section ? `${section}.${key}` : key);
    }
    return value;
  };
  return { value: visit(raw, ""), extra };
}

/** `security.env` → `["security", "env"]`, in MassGen's snake_case. */
function sectionPath(section: string): string[] {
  return section === "" ? [] : section.split(".").map(toSnakeCase);
}

/** Decides the transport: explicit `type` (any accepted spelling), else inferred from the fields. */
function resolveType(value: Record<string, unknown>, issues: ConfigIssue[]): TransportType | undefined {
  const type = value.type;
  if (type === undefined) {
    if (value.command === undefined && typeof value.url === "string") {
      return /\/sse\/?$/.test(safePathname(value.url)) ? "sse" : "streamable-http";
    }
    return "stdio";
  }
  if (typeof type === "string") {
    const resolved = ownValue(TYPE_SPELLINGS, type.toLowerCase());
    if (resolved) return resolved;
  }
  issues.push({
    path: "type",
    message: `unsupported transport type ${JSON.stringify(type)}; use "stdio", "streamable-http" (or "http") or "sse"`,
    rule: "config.type",
  });
  return undefined;
}

function safePathname(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

function buildSecurityPolicy(security: z.infer<typeof shape>["security"]): SecurityPolicy {
  const level = security?.level ?? "strict";
  const base = defaultSecurityPolicy(level);
  const envLevel = security?.env?.level ?? level;
  return {
    level,
    allowedExecutables: security?.allowedExecutables ?? base.allowedExecutables,
    allowInlineExec: security?.allowInlineExec ?? base.allowInlineExec,
    env: {
      level: envLevel,
      mode: security?.env?.mode ?? base.env.mode,
      allowedVars: security?.env?.allowedVars ?? base.env.allowedVars,
      deniedVars: security?.env?.deniedVars ?? base.env.deniedVars,
    },
    allowLocalhost: security?.allowLocalhost ?? base.allowLocalhost,
    allowPrivateIps: security?.allowPrivateIps ?? base.allowPrivateIps,
    allowInsecureHttp: security?.allowInsecureHttp ?? base.allowInsecureHttp,
    resolveDns: security?.resolveDns ?? base.resolveDns,
    allowedHostnames: security?.allowedHostnames ?? base.allowedHostnames,
    toolArguments: {
      ...DEFAULT_TOOL_ARGUMENT_LIMITS[level],
      ...(definedOnly(security?.toolArguments ?? {}) as Partial<ToolArgumentLimits>),
    },
  };
}

/** Drops undefined fields so a partial section merges field by field over the defaults. */
function definedOnly<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Configs that passed validation. They are deep-frozen, so membership proves the object still holds
 * exactly what was checked (a mutation after validation could otherwise bypass the security rules).
 */
const VALIDATED = new WeakSet<object>();

/** True for a config returned by validation (and therefore frozen and safe to use as is). */
export function isValidatedConfig(value: unknown): value is ServerConfig {
  return typeof value === "object" && value !== null && VALIDATED.has(value);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function accept(config: ServerConfig): ServerConfig {
  const frozen = deepFreeze(config);
  VALIDATED.add(frozen);
  return frozen;
}

/** Checks one server config and returns the normalised config or every problem found. Never throws. */
export function checkServerConfig(raw: unknown): ServerConfigCheck {
  if (isValidatedConfig(raw)) return { config: raw, issues: [], warnings: [] };
  const issues: ConfigIssue[] = [];
  const warnings: ConfigIssue[] = [];
  // One snapshot: everything below reads our copy, never the caller's objects (a getter could
  // answer differently the second time, a prototype could hold settings). What it refused is
  // reported here once; the checks below still report every other problem.
  const scan = snapshotConfig(raw);
  for (const finding of scan.findings) issues.push(findingIssue(finding));
  if (!isPlainObject(scan.value)) {
    issues.push({ path: "", message: "a server config must be an object", rule: "config.type" });
    return { issues, warnings };
  }
  const { value, extra } = normaliseSections(scan.value, issues, warnings);
  if (typeof value.name === "string" && isPrototypeKey(value.name.trim())) {
    // Server names become keys (status maps, token stores) and tool prefixes.
    issues.push({
      path: "name",
      message: `server name "${value.name.trim()}" is reserved (rule config.reservedName): "__proto__", "constructor" and "prototype" are the prototype machinery of JavaScript objects; choose another name`,
      rule: "config.reservedName",
    });
  }
  const type = resolveType(value, issues);
  const parsed = shape.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      issues.push({
        path: renderKeyPath(issue.path.map(snakeSegment)),
        message: issue.message,
        rule: "config.schema",
      });
    }
  }
  if (!parsed.success || type === undefined) {
    // Report the policy problems of the fields that did parse too: every problem at once.
    issues.push(...policyIssuesDespiteSchemaErrors(value, type, parsed.success ? [] : parsed.error.issues));
    return { issues, warnings };
  }

  const input = parsed.data;
  const security = buildSecurityPolicy(input.security);
  const timeout = input.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  const expected = input.circuitBreaker?.expectedException;
  const retryDelay = input.retryDelay ?? DEFAULT_RETRY_DELAY_SECONDS;
  const initialDelay = input.reconnect?.initialDelay ?? retryDelay;
  const maxDelay = input.reconnect?.maxDelay ?? Math.max(DEFAULT_RECONNECT_MAX_DELAY_SECONDS, initialDelay);
  if (maxDelay < initialDelay) {
    issues.push({
      path: "reconnect.max_delay",
      message: `reconnect.max_delay (${maxDelay} s) must be ≥ reconnect.initial_delay (${initialDelay} s)`,
      rule: "config.schema",
    });
  }
  const base = {
    name: input.name,
    timeout,
    connectTimeout: input.connectTimeout ?? timeout,
    maxRetries: input.maxRetries ?? DEFAULT_MAX_RETRIES,
    retryDelay,
    security,
    allowedTools: input.allowedTools,
    excludeTools: input.excludeTools ?? [],
    circuitBreaker: {
      failureThreshold: input.circuitBreaker?.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
      recoveryTimeout: input.circuitBreaker?.recoveryTimeout ?? DEFAULT_RECOVERY_TIMEOUT_SECONDS,
      expectedException:
        expected === undefined
          ? DEFAULT_EXPECTED_EXCEPTIONS
          : typeof expected === "string"
            ? [expected]
            : expected,
    },
    reconnect: {
      enabled: input.reconnect?.enabled ?? DEFAULT_RECONNECT_ENABLED,
      maxAttempts: input.reconnect?.maxAttempts ?? DEFAULT_RECONNECT_MAX_ATTEMPTS,
      initialDelay,
      maxDelay,
      healthyReset: input.reconnect?.healthyReset ?? DEFAULT_RECONNECT_HEALTHY_RESET_SECONDS,
    },
    healthCheck: {
      interval: input.healthCheck?.interval,
      timeout: input.healthCheck?.timeout ?? DEFAULT_HEALTH_CHECK_TIMEOUT_SECONDS,
      maxMisses: input.healthCheck?.maxMisses ?? DEFAULT_HEALTH_CHECK_MAX_MISSES,
    },
    concurrency: {
      maxInFlight: input.concurrency?.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
      maxQueue: input.concurrency?.maxQueue ?? DEFAULT_MAX_QUEUE,
    },
    maxMessageBytes: input.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    description: input.description,
    extra,
  };

  if (type === "stdio") {
    for (const key of ["url", "headers", "httpReadTimeout"] as const) {
      if (input[key] !== undefined) {
        warnings.push({
          path: toSnakeCase(key),
          message: `${toSnakeCase(key)} is ignored for stdio servers`,
          rule: "config.ignoredKey",
        });
      }
    }
    if (input.auth !== undefined) {
      issues.push({
        path: "auth",
        message:
          "auth is for HTTP servers (streamable-http, sse); give a stdio server its credentials through env",
        rule: "config.transportMismatch",
      });
    }
    const command = checkCommand(input.command, input.args, security);
    issues.push(...command.issues);
    issues.push(...checkEnv(input.env ?? {}, security.env));
    if (input.cwd !== undefined) issues.push(...checkCwd(input.cwd));
    if (issues.length > 0 || command.command === undefined) return { issues, warnings };
    return {
      config: accept({
        ...base,
        type,
        command: command.command,
        args: command.args,
        env: (input.env ?? {}) as Record<string, string>,
        cwd: input.cwd,
        shutdownGrace: input.shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE_SECONDS,
      }),
      issues,
      warnings,
    };
  }

  for (const key of ["command", "args", "env", "cwd"] as const) {
    if (input[key] !== undefined) {
      issues.push({
        path: key,
        message: `${key} is a stdio setting but this server's type is "${type}"; remove it or set type: stdio`,
        rule: "config.transportMismatch",
      });
    }
  }
  if (input.url === undefined) {
    issues.push({ path: "url", message: `${type} servers need a url`, rule: "url.required" });
  } else {
    issues.push(...checkUrl(input.url, security));
  }
  issues.push(...checkHeaders(input.headers ?? {}));
  const auth = input.auth === undefined ? undefined : buildAuthConfig(input.auth, issues, warnings);
  if (auth && Object.keys(input.headers ?? {}).some((name) => name.toLowerCase() === "authorization")) {
    warnings.push({
      path: "headers.Authorization",
      message: "the Authorization header is replaced by the token of the auth section once there is one",
      rule: "auth.headerOverride",
    });
  }
  if (issues.length > 0 || input.url === undefined) return { issues, warnings };
  return {
    config: accept({
      ...base,
      type,
      url: input.url,
      headers: (input.headers ?? {}) as Record<string, string>,
      httpReadTimeout: input.httpReadTimeout ?? DEFAULT_HTTP_READ_TIMEOUT_SECONDS,
      auth,
    }),
    issues,
    warnings,
  };
}

/**
 * Runs the security checks on the fields whose structure is valid, for a config whose schema check
 * failed elsewhere (a bad `timeout` must not hide a refused command). The policy comes from the
 * `security` section if that section itself is valid, else from the strict defaults.
 */
function policyIssuesDespiteSchemaErrors(
  value: Record<string, unknown>,
  type: TransportType | undefined,
  schemaIssues: ReadonlyArray<{ path: readonly PropertyKey[] }>,
): ConfigIssue[] {
  if (type === undefined) return [];
  const failed = new Set(schemaIssues.map((issue) => String(issue.path[0])));
  const security = shape.shape.security.safeParse(value.security);
  const policy = buildSecurityPolicy(!failed.has("security") && security.success ? security.data : undefined);
  const issues: ConfigIssue[] = [];
  if (type === "stdio") {
    if (!failed.has("command") && !failed.has("args"))
      issues.push(...checkCommand(value.command, value.args, policy).issues);
    if (!failed.has("env")) issues.push(...checkEnv(value.env ?? {}, policy.env));
    if (!failed.has("cwd") && value.cwd !== undefined) issues.push(...checkCwd(value.cwd));
  } else {
    if (!failed.has("url") && value.url !== undefined) issues.push(...checkUrl(value.url, policy));
    if (!failed.has("headers")) issues.push(...checkHeaders(value.headers ?? {}));
  }
  return issues;
}

/** Shows camelCase path segments in MassGen's snake_case, except map keys (env/header names). */
function snakeSegment(segment: PropertyKey, index: number, all: readonly PropertyKey[]): string | number {
  if (typeof segment === "number") return segment;
  const parent = all[index - 1];
  if (parent === "env" || parent === "headers") return String(segment);
  return toSnakeCase(String(segment));
}

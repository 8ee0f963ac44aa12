import { z } from "zod";

import type { SecurityLevel } from "../security/types.js";
import { SECURITY_LEVELS } from "../security/types.js";
import { authShape, spelledEnum } from "./authSchema.js";
import {
  MAX_CONCURRENCY_LIMIT,
  MAX_FAILURE_THRESHOLD,
  MAX_HEALTH_CHECK_MAX_MISSES,
  MAX_MAX_MESSAGE_BYTES,
  MAX_MAX_RETRIES,
  MAX_RECONNECT_MAX_ATTEMPTS,
  MAX_RECOVERY_TIMEOUT_SECONDS,
  MAX_SCHEDULE_SECONDS,
  MAX_SERVER_NAME_LENGTH,
  MAX_SHUTDOWN_GRACE_SECONDS,
  MAX_TIMEOUT_SECONDS,
  MAX_TOOL_ARGUMENTS_MAX_DEPTH,
} from "./defaults.js";
import type { TransportType } from "./types.js";

const seconds = (key: string, max = MAX_TIMEOUT_SECONDS) =>
  z
    .number({ error: `${key} must be a number of seconds` })
    .refine((v) => Number.isFinite(v) && v > 0 && v <= max, {
      error: `${key} must be > 0 and ≤ ${max} seconds`,
    });
const stringList = (key: string) =>
  z.array(z.string({ error: `${key} entries must be strings` }), {
    error: `${key} must be a list of strings`,
  });
const flag = (key: string) => z.boolean({ error: `${key} must be true or false` });
const positiveInt = (key: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .number({ error: `${key} must be a whole number` })
    .int({ error: `${key} must be a whole number` })
    .min(1, { error: `${key} must be at least 1` })
    .max(max, { error: `${key} must be at most ${max}` });

const securityLevel = spelledEnum(z.enum(SECURITY_LEVELS as [SecurityLevel, ...SecurityLevel[]]));

/** How users spell `type` (`http`, `streamableHttp`, …); `resolveType` decides and reports it. */
type TransportTypeInput = TransportType | "http" | "streamableHttp" | (string & {});

/** Structural schema of the normalised (camelCase) object; policy checks run afterwards. */
export const shape = z.object({
  /** Any accepted spelling; checked by `resolveType` (serverConfig.ts), which also infers it. */
  type: z.custom<TransportTypeInput>().optional(),
  name: z
    .string({ error: "name is required and must be a string" })
    .trim()
    .min(1, { error: "name must not be empty" })
    .max(MAX_SERVER_NAME_LENGTH, {
      error: `name must be at most ${MAX_SERVER_NAME_LENGTH} characters (it becomes part of tool names mcp__{server}__{tool}, which LLM APIs cap at 64)`,
    })
    .regex(/^[A-Za-z0-9_-]+$/, {
      error: "name can only contain letters, digits, underscores and hyphens",
    }),
  command: z
    .union([z.string(), z.array(z.string({ error: "command list entries must be strings" })).min(1)], {
      error: "command must be a string or a non-empty list of strings",
    })
    .optional(),
  args: stringList("args").optional(),
  env: z.record(z.string(), z.unknown(), { error: "env must be a map of NAME: value" }).optional(),
  cwd: z.string({ error: "cwd must be a string" }).optional(),
  url: z.string({ error: "url must be a string" }).optional(),
  headers: z.record(z.string(), z.unknown(), { error: "headers must be a map of Name: value" }).optional(),
  timeout: seconds("timeout").optional(),
  connectTimeout: seconds("connect_timeout").optional(),
  httpReadTimeout: seconds("http_read_timeout").optional(),
  maxRetries: z
    .number({ error: "max_retries must be a whole number" })
    .int({ error: "max_retries must be a whole number" })
    .min(0, { error: "max_retries must be ≥ 0" })
    .max(MAX_MAX_RETRIES, { error: `max_retries must be ≤ ${MAX_MAX_RETRIES}` })
    .optional(),
  retryDelay: seconds("retry_delay").optional(),
  maxMessageBytes: positiveInt("max_message_bytes", MAX_MAX_MESSAGE_BYTES).optional(),
  shutdownGrace: seconds("shutdown_grace", MAX_SHUTDOWN_GRACE_SECONDS).optional(),
  allowedTools: stringList("allowed_tools").optional(),
  excludeTools: stringList("exclude_tools").optional(),
  description: z.string({ error: "description must be a string" }).optional(),
  security: z
    .object({
      level: securityLevel.optional(),
      allowedExecutables: stringList("security.allowed_executables").optional(),
      allowInlineExec: flag("security.allow_inline_exec").optional(),
      env: z
        .object({
          level: securityLevel.optional(),
          mode: z
            .enum(["denylist", "allowlist"], { error: 'security.env.mode must be "denylist" or "allowlist"' })
            .optional(),
          allowedVars: stringList("security.env.allowed_vars").optional(),
          deniedVars: stringList("security.env.denied_vars").optional(),
        })
        .loose()
        .optional(),
      allowLocalhost: flag("security.allow_localhost").optional(),
      allowPrivateIps: flag("security.allow_private_ips").optional(),
      allowInsecureHttp: flag("security.allow_insecure_http").optional(),
      resolveDns: flag("security.resolve_dns").optional(),
      allowedHostnames: stringList("security.allowed_hostnames").optional(),
      toolArguments: z
        .object({
          maxDepth: positiveInt("security.tool_arguments.max_depth", MAX_TOOL_ARGUMENTS_MAX_DEPTH).optional(),
          maxKeys: positiveInt("security.tool_arguments.max_keys").optional(),
          maxItems: positiveInt("security.tool_arguments.max_items").optional(),
          maxStringLength: positiveInt("security.tool_arguments.max_string_length").optional(),
          maxSize: positiveInt("security.tool_arguments.max_size").optional(),
        })
        .loose()
        .optional(),
    })
    .loose()
    .optional(),
  circuitBreaker: z
    .object({
      failureThreshold: positiveInt("circuit_breaker.failure_threshold", MAX_FAILURE_THRESHOLD).optional(),
      recoveryTimeout: seconds("circuit_breaker.recovery_timeout", MAX_RECOVERY_TIMEOUT_SECONDS).optional(),
      expectedException: z
        .union([z.string(), z.array(z.string())], {
          error: "circuit_breaker.expected_exception must be an error class name or a list of names",
        })
        .optional(),
    })
    .loose()
    .optional(),
  reconnect: z
    .object({
      enabled: flag("reconnect.enabled").optional(),
      maxAttempts: positiveInt("reconnect.max_attempts", MAX_RECONNECT_MAX_ATTEMPTS).optional(),
      initialDelay: seconds("reconnect.initial_delay", MAX_SCHEDULE_SECONDS).optional(),
      maxDelay: seconds("reconnect.max_delay", MAX_SCHEDULE_SECONDS).optional(),
      healthyReset: seconds("reconnect.healthy_reset", MAX_SCHEDULE_SECONDS).optional(),
    })
    .loose()
    .optional(),
  healthCheck: z
    .object({
      interval: seconds("health_check.interval", MAX_SCHEDULE_SECONDS).optional(),
      timeout: seconds("health_check.timeout").optional(),
      maxMisses: positiveInt("health_check.max_misses", MAX_HEALTH_CHECK_MAX_MISSES).optional(),
    })
    .loose()
    .optional(),
  concurrency: z
    .object({
      maxInFlight: positiveInt("concurrency.max_in_flight", MAX_CONCURRENCY_LIMIT).optional(),
      maxQueue: z
        .number({ error: "concurrency.max_queue must be a whole number" })
        .int({ error: "concurrency.max_queue must be a whole number" })
        .min(0, { error: "concurrency.max_queue must be ≥ 0" })
        .max(MAX_CONCURRENCY_LIMIT, { error: `concurrency.max_queue must be ≤ ${MAX_CONCURRENCY_LIMIT}` })
        .optional(),
    })
    .loose()
    .optional(),
  auth: authShape.optional(),
});

/** A section of the schema: its camelCase keys, and which of them are sections themselves. */
export interface SchemaSection {
  keys: readonly string[];
  children: readonly string[];
}

/** The object schema inside `.optional()` (and the like), or undefined for any other schema. */
function objectSchema(schema: unknown): z.ZodObject | undefined {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodNullable ||
    current instanceof z.ZodDefault
  )
    current = current.unwrap();
  return current instanceof z.ZodObject ? current : undefined;
}

/**
 * Every section of a server config by path (`""` is the server object, then `security`,
 * `security.env`, `auth.idp`, …), read from the schema: the known-key lists of unknown-key
 * warnings and snake/camel normalisation have no list of their own, so a key added to `shape` is
 * known everywhere.
 */
export const SECTIONS: ReadonlyMap<string, SchemaSection> = (() => {
  const sections = new Map<string, SchemaSection>();
  const visit = (object: z.ZodObject, path: string): void => {
    const entries = Object.entries(object.shape);
    const children: string[] = [];
    for (const [key, field] of entries) {
      const child = objectSchema(field);
      if (child === undefined) continue;
      children.push(key);
      visit(child, path ? `${path}.${key}` : key);
    }
    sections.set(path, { keys: entries.map(([key]) => key), children });
  };
  visit(shape, "");
  return sections;
})();

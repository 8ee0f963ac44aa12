/**
 * The one check of per-call options, shared by `MCPClient`, `MultiMCPClient` and `ConnectionPool`,
 * so that the same bad value gets the same typed error from each of them. Nothing is clamped: a
 * value outside its range is refused before anything is sent or started, naming the option, the
 * value and the range (a clamp turned `timeout: -1` into a timeout and `maxRetries: -1` into "no
 * attempt" without saying so).
 */
import type { Progress } from "@modelcontextprotocol/client";

import { describeValue } from "../common/guards.js";
import { MAX_MAX_RETRIES, MAX_SCHEDULE_SECONDS } from "../config/defaults.js";
import { MCPValidationError } from "../errors/errors.js";

/** What the options were given for, for the message. */
export interface CallOptionsScope {
  /** `tools/call "echo"`, `reconnect`… */
  operation: string;
  serverName?: string | undefined;
}

interface Rule {
  accepts: (value: unknown) => boolean;
  /** The allowed range, as the message states it. */
  allowed: string;
}

const SECONDS: Rule = {
  accepts: (value) => typeof value === "number" && value > 0,
  allowed: "a number of seconds > 0, or Infinity for no limit",
};

/** Every per-call option of the public API, with its range. Options not listed are not checked here. */
const RULES: Readonly<Record<string, Rule>> = {
  timeout: SECONDS,
  maxTotalTimeout: SECONDS,
  signal: {
    accepts: (value) =>
      typeof value === "object" &&
      value !== null &&
      typeof (value as AbortSignal).aborted === "boolean" &&
      typeof (value as AbortSignal).addEventListener === "function",
    allowed: "an AbortSignal",
  },
  onProgress: { accepts: (value) => typeof value === "function", allowed: "a function" },
  resetTimeoutOnProgress: { accepts: (value) => typeof value === "boolean", allowed: "true or false" },
  maxRetries: {
    accepts: (value) =>
      Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_MAX_RETRIES,
    allowed: `a whole number from 0 to ${MAX_MAX_RETRIES}`,
  },
  retryDelay: {
    accepts: (value) =>
      typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= MAX_SCHEDULE_SECONDS,
    allowed: `a number of seconds from 0 to ${MAX_SCHEDULE_SECONDS}`,
  },
};

/**
 * The per-call options as read once: only the options listed in the rules, each in range, an option
 * given as `undefined` or `null` left out (its default applies). Callers use this, never the object
 * they were given, so what is used is what was checked (an inherited value or a getter is read once,
 * here, and checked like an own one).
 */
export interface CallOptionsSnapshot {
  readonly timeout?: number;
  readonly maxTotalTimeout?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  readonly resetTimeoutOnProgress?: boolean;
  readonly maxRetries?: number;
  readonly retryDelay?: number;
}

/**
 * Refuses a duration in seconds that another option set gives (a pool's `acquireTimeout`), by the
 * same rule and with the same error as a per-call `timeout`; `undefined` and `null` mean the default.
 * @throws MCPValidationError with code INVALID_ARGUMENTS, `field` `option` and `rule` `options.<option>`.
 */
export function checkSeconds(value: unknown, option: string, scope: CallOptionsScope): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (SECONDS.accepts(value)) return value as number;
  const where = whereOf(scope);
  throw new MCPValidationError(
    `Invalid option for ${where}: ${option} must be ${SECONDS.allowed}, got ${describeValue(value)}. Pass a value in range, or leave the option out for its default.`,
    {
      serverName: scope.serverName,
      field: option,
      rule: `options.${option}`,
      context: { operation: scope.operation, ...(typeof value === "number" ? { value: String(value) } : {}) },
    },
  );
}

/** `tools/call "echo" on server "files"`: where the options were given, for messages. */
function whereOf(scope: CallOptionsScope): string {
  return `${scope.operation}${scope.serverName === undefined ? "" : ` on server "${scope.serverName}"`}`;
}

/** The rules as a list, made once: the check runs on every call. */
const RULE_LIST = Object.entries(RULES) as ReadonlyArray<[keyof CallOptionsSnapshot, Rule]>;
/** Snapshots this module made: handed on (MultiMCPClient → MCPClient), they are not checked again. */
const snapshots = new WeakSet<object>();
const NO_OPTIONS: CallOptionsSnapshot = {};
snapshots.add(NO_OPTIONS);

/**
 * Reads and checks per-call options (every problem at once) and returns the snapshot to use.
 * `undefined` and `null` mean "the default", for the options and for each option.
 * @throws MCPValidationError with code INVALID_ARGUMENTS, `field` the (first) option and `rule`
 *   `options.<name>`.
 */
export function checkCallOptions(options: unknown, scope: CallOptionsScope): CallOptionsSnapshot {
  if (options === undefined || options === null) return NO_OPTIONS;
  if (typeof options === "object" && snapshots.has(options)) return options as CallOptionsSnapshot;
  const where = whereOf(scope);
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new MCPValidationError(
      `Invalid options for ${where}: the options must be an object, got ${describeValue(options)}. Pass an object such as { timeout: 30 }, or leave them out.`,
      {
        serverName: scope.serverName,
        field: "options",
        rule: "options.type",
        context: { operation: scope.operation },
      },
    );
  }
  let snapshot: Record<string, unknown> | undefined;
  let problems: Array<{ option: string; text: string; value: unknown }> | undefined;
  for (const [option, rule] of RULE_LIST) {
    // Read exactly once: a getter could answer differently the second time.
    const value = (options as Record<string, unknown>)[option];
    if (value === undefined || value === null) continue;
    if (rule.accepts(value)) (snapshot ??= {})[option] = value;
    else
      (problems ??= []).push({
        option,
        value,
        text: `${option} must be ${rule.allowed}, got ${describeValue(value)}`,
      });
  }
  const first = problems?.[0];
  if (problems && first) {
    throw new MCPValidationError(
      `Invalid option${problems.length > 1 ? "s" : ""} for ${where}: ${problems.map((p) => p.text).join("; ")}. Nothing was sent or started; pass a value in range, or leave the option out for its default.`,
      {
        serverName: scope.serverName,
        field: first.option,
        rule: `options.${first.option}`,
        context: {
          operation: scope.operation,
          options: problems.map((p) => p.option),
          ...(typeof first.value === "number" ? { value: String(first.value) } : {}),
        },
      },
    );
  }
  if (!snapshot) return NO_OPTIONS;
  snapshots.add(snapshot);
  return snapshot as CallOptionsSnapshot;
}

/**
 * `snapshot` with another timeout (seconds > 0, e.g. what is left of the caller's after queueing), as
 * a snapshot: the next layer does not check it again.
 */
export function withTimeout(snapshot: CallOptionsSnapshot, timeout: number): CallOptionsSnapshot {
  const changed: CallOptionsSnapshot = { ...snapshot, timeout };
  snapshots.add(changed);
  return changed;
}

/**
 * The one check of per-call options, shared by `MCPClient`, `MultiMCPClient` and `ConnectionPool`,
 * so that the same bad value gets the same typed error from each of them. Nothing is clamped: a
 * value outside its range is refused before anything is sent or started, naming the option, the
 * value and the range (a clamp turned `timeout: -1` into a timeout and `maxRetries: -1` into "no
 * attempt" without saying so).
 */
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
 * Refuses per-call options out of range (every problem at once). `undefined` means "the default"
 * for every option; `options` itself may be undefined.
 * @throws MCPValidationError with code INVALID_ARGUMENTS, `field` the (first) option and `rule`
 *   `options.<name>`.
 */
export function checkCallOptions(options: unknown, scope: CallOptionsScope): void {
  const where = `${scope.operation}${scope.serverName === undefined ? "" : ` on server "${scope.serverName}"`}`;
  if (options === undefined) return;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new MCPValidationError(
      `Invalid options for ${where}: the options must be an object, got ${describe(options)}. Pass an object such as { timeout: 30 }, or leave them out.`,
      {
        serverName: scope.serverName,
        field: "options",
        rule: "options.type",
        context: { operation: scope.operation },
      },
    );
  }
  const problems: Array<{ option: string; text: string; value: unknown }> = [];
  for (const [option, rule] of Object.entries(RULES)) {
    if (!Object.hasOwn(options, option)) continue;
    const value = (options as Record<string, unknown>)[option];
    if (value === undefined || rule.accepts(value)) continue;
    problems.push({ option, value, text: `${option} must be ${rule.allowed}, got ${describe(value)}` });
  }
  const first = problems[0];
  if (!first) return;
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

/** A value for a message: numbers as they are (NaN, -1, Infinity), strings quoted and clipped, else the type. */
function describe(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (typeof value === "string") {
    const clipped = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(clipped)}`;
  }
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

import { ownValue } from "../common/objects.js";
import { DEFAULT_EXPECTED_EXCEPTIONS } from "../config/defaults.js";
import type { ErrorCode } from "../errors/codes.js";
import { isMCPError } from "../errors/errors.js";

/**
 * What one call tells the circuit breaker about the server (docs/fault-matrix.md §8 item 1, pinned by
 * test/unit/resilience/outcome.test.ts):
 * - `failure`: the server (or the way to it) is broken — counts towards opening;
 * - `success`: the server answered — it is alive, even if the answer was an error;
 * - `neutral`: says nothing about the server — no state change.
 */
export type Outcome = "failure" | "success" | "neutral";

/** Transport and timeout failures: the server did not answer. */
const FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "SPAWN_FAILED",
  "PROCESS_EXITED",
  "CONNECTION_CLOSED",
  "CONNECTION_REFUSED",
  "INITIALIZE_TIMEOUT",
  "INITIALIZE_FAILED",
  "MESSAGE_TOO_LARGE",
  "PROTOCOL_ERROR",
  "SESSION_EXPIRED",
  "REQUEST_TIMEOUT",
]);

/** The server answered (JSON-RPC error, resource error): it is alive. */
const SUCCESS_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(["SERVER_ERROR", "RESOURCE_ERROR"]);

/**
 * Nothing about the server's health: the caller aborted, our own policy or config refused the call,
 * nothing was sent (unknown name, not connected, queue full, circuit open), or the server wants
 * credentials (the auth layer's business, not the breaker's).
 */
const NEUTRAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  "REQUEST_CANCELLED",
  "POLICY_VIOLATION",
  "INVALID_ARGUMENTS",
  "CONFIG_INVALID",
  "ENV_VAR_MISSING",
  "NOT_FOUND",
  "NOT_CONNECTED",
  "CIRCUIT_OPEN",
  "QUEUE_FULL",
  "AUTH_REQUIRED",
  "AUTH_FAILED",
]);

/** Names in `expected_exception` that match every failure (MassGen configs are written for Python). */
const MATCH_ALL = new Set(["Exception", "BaseException", "Error", "*"]);
/** Python spellings of our classes. */
const ALIASES: Record<string, string> = {
  ConnectionError: "MCPConnectionError",
  TimeoutError: "MCPTimeoutError",
};

const KINDS = Symbol.for("mcp-tools.error.kinds");

/** The class names an error answers to: its mcp-tools class chain, or its own `name`. */
function classNames(error: unknown): string[] {
  if (typeof error !== "object" || error === null) return [];
  const kinds = (error as { [KINDS]?: readonly string[] })[KINDS];
  const name = (error as { name?: unknown }).name;
  const names = Array.isArray(kinds) ? [...kinds] : [];
  if (typeof name === "string") names.push(name);
  return names;
}

/**
 * True when `error` matches one of the `expected_exception` entries: a class name in its chain
 * (`MCPConnectionError` also matches `MCPCircuitOpenError`'s parent chain), an error code
 * (`REQUEST_TIMEOUT`), a dotted Python path (`massgen.mcp_tools.exceptions.MCPTimeoutError`), a Python
 * alias (`ConnectionError`, `TimeoutError`), or a catch-all (`Exception`).
 */
export function matchesExpected(error: unknown, expected: readonly string[]): boolean {
  const names = classNames(error);
  const code = isMCPError(error) ? error.code : undefined;
  for (const entry of expected) {
    const short = entry.slice(entry.lastIndexOf(".") + 1).trim();
    if (MATCH_ALL.has(short)) return true;
    // An entry from a config ("toString", "constructor") is looked up among the aliases' own keys only.
    const wanted = ownValue(ALIASES, short) ?? short;
    if (names.includes(wanted) || code === wanted) return true;
  }
  return false;
}

/** True for an HTTP status that means "the server is overloaded or broken" (5xx, 408, 429). */
function isFailureStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * Classifies a thrown error for the breaker. A resolved call (including a `CallToolResult` with
 * `isError: true`) is a success and never reaches this function.
 *
 * `expected` (the server's `circuit_breaker.expected_exception`) narrows what counts as a failure:
 * a transport or timeout failure that matches none of its entries is neutral. It never turns an
 * answer from the server, or a neutral refusal, into a failure.
 */
export function classifyOutcome(
  error: unknown,
  expected: readonly string[] = DEFAULT_EXPECTED_EXCEPTIONS,
): Outcome {
  if (isMCPError(error)) {
    const code = error.code;
    if (NEUTRAL_CODES.has(code)) return "neutral";
    if (SUCCESS_CODES.has(code)) return "success";
    if (code === "HTTP_STATUS") {
      const status = (error as { httpStatus?: unknown }).httpStatus;
      if (typeof status === "number" && (status === 401 || status === 403)) return "neutral";
      // Any other 4xx is an answer (wrong path, bad request): the server is up.
      if (typeof status === "number" && !isFailureStatus(status)) return "success";
    } else if (!FAILURE_CODES.has(code)) {
      return "neutral";
    }
    return matchesExpected(error, expected) ? "failure" : "neutral";
  }
  // Something that is not ours (a bug, an AbortError from a user callback): count it only when the
  // config asks for it by name.
  if (typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError") {
    return "neutral";
  }
  return matchesExpected(error, expected) ? "failure" : "neutral";
}

import {
  isMCPError,
  MCPAuthenticationError,
  MCPConnectionError,
  MCPServerError,
  MCPTimeoutError,
} from "../errors/errors.js";

/** Exit codes of `mcp-tools`, documented in the README. */
export const EXIT = {
  /** Everything worked. */
  OK: 0,
  /** The tool (or prompt/resource) answered with an error: `isError: true` or a JSON-RPC error. */
  TOOL_ERROR: 1,
  /** Bad usage or configuration: unknown command or option, invalid config file, unknown tool name. */
  USAGE: 2,
  /** A server could not be reached, started or kept: connection failure, timeout, authorization. */
  CONNECTION: 3,
  /** Interrupted by Ctrl+C (128 + SIGINT). */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM (128 + SIGTERM). */
  TERMINATED: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code that describes an error. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof MCPServerError) return EXIT.TOOL_ERROR;
  if (
    error instanceof MCPConnectionError ||
    error instanceof MCPTimeoutError ||
    error instanceof MCPAuthenticationError
  ) {
    return EXIT.CONNECTION;
  }
  if (isMCPError(error)) {
    // Cancellation only happens on Ctrl+C here.
    return error.code === "REQUEST_CANCELLED" ? EXIT.INTERRUPTED : EXIT.USAGE;
  }
  return EXIT.USAGE;
}

import {
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  UnauthorizedError,
} from "@modelcontextprotocol/client";

import type { MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPAuthenticationError,
  MCPConnectionError,
  MCPResourceError,
  MCPServerError,
} from "../errors/errors.js";
import { LOCAL_ERROR_DATA_KEY, type LocalErrorCode } from "../transport/localErrors.js";

export interface ErrorScope {
  serverName: string;
  /** What was being done, e.g. `tools/call "echo"` or `initialize`. */
  operation: string;
  transportType: string;
  /** Why the transport closed by itself, when it did (process exit with stderr tail, oversize…). */
  closeReason?: MCPConnectionError | undefined;
  /** The resource URI, for resource reads. */
  uri?: string | undefined;
}

/** JSON-RPC code MCP servers use for "resource not found". */
const RESOURCE_NOT_FOUND = -32002;

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: "nothing is listening there",
  ENOTFOUND: "the host name does not resolve",
  EAI_AGAIN: "the host name could not be resolved right now",
  ECONNRESET: "the connection was reset",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  ETIMEDOUT: "the connection attempt timed out",
  UND_ERR_SOCKET: "the connection was closed by the server",
  UND_ERR_CONNECT_TIMEOUT: "the connection attempt timed out",
};

/** The errno-like code of a network failure (undici puts it on `cause`), if any. */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code in NETWORK_CODES) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function wrappedMCPError(error: unknown): MCPError | undefined {
  let current = (error as { cause?: unknown } | null)?.cause;
  for (let depth = 0; current && depth < 4; depth++) {
    if (isMCPError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof SdkError)) return undefined;
  const status = (error.data as { status?: unknown } | undefined)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * Turns whatever the SDK, the transport or the network threw into one typed mcp-tools error whose
 * message says what failed, where, and what to do. Timeouts and caller aborts are decided by the
 * caller (it knows which of its signals fired) and never reach this function.
 */
export function mapError(error: unknown, scope: ErrorScope): MCPError {
  if (isMCPError(error)) return error;
  // Our own refusals raised below the SDK (e.g. the transport's connect-time address check) arrive
  // wrapped by fetch as `TypeError("fetch failed", { cause })`.
  const wrapped = wrappedMCPError(error);
  if (wrapped) return wrapped;
  const { serverName, operation, transportType } = scope;
  const base = { serverName, transportType, cause: error };

  if (error instanceof ProtocolError) {
    const local = (error.data as Record<string, unknown> | undefined)?.[LOCAL_ERROR_DATA_KEY] as
      LocalErrorCode | undefined;
    if (local) {
      return new MCPConnectionError(`${operation} on server "${serverName}" failed: ${error.message}`, {
        ...base,
        code: local,
      });
    }
    const message = `Server "${serverName}" answered ${operation} with error ${error.code}: ${stripPrefix(error.message)}`;
    if (error.code === RESOURCE_NOT_FOUND && scope.uri !== undefined) {
      return new MCPResourceError(`${message}. Check the URI against getAvailableResources().`, {
        serverName,
        cause: error,
        rpcCode: error.code,
        data: error.data,
        uri: scope.uri,
      });
    }
    return new MCPServerError(message, { serverName, cause: error, rpcCode: error.code, data: error.data });
  }

  if (error instanceof UnauthorizedError) {
    return new MCPAuthenticationError(
      `Server "${serverName}" requires authorization for ${operation}. Configure an "auth" section or an Authorization header.`,
      { serverName, cause: error, code: "AUTH_REQUIRED", httpStatus: 401 },
    );
  }

  if (error instanceof SdkError) {
    const status = httpStatusOf(error);
    if (status === 401 || error.code === SdkErrorCode.ClientHttpAuthentication) {
      return new MCPAuthenticationError(
        `Server "${serverName}" refused ${operation} with HTTP 401 (not authorized). Check the credentials or the "auth" section.`,
        {
          serverName,
          cause: error,
          code: status === 401 && !(error instanceof SdkHttpError) ? "AUTH_REQUIRED" : "AUTH_FAILED",
          httpStatus: 401,
        },
      );
    }
    if (status === 403 || error.code === SdkErrorCode.ClientHttpForbidden) {
      return new MCPAuthenticationError(
        `Server "${serverName}" refused ${operation} with HTTP 403 (forbidden). The credentials lack the needed permission or scope.`,
        { serverName, cause: error, code: "AUTH_FAILED", httpStatus: 403 },
      );
    }
    if (status !== undefined) {
      const hint =
        status === 404
          ? "check the server URL"
          : status >= 500
            ? "the server failed; it may recover on its own"
            : status === 429
              ? "the server is rate-limiting; slow down"
              : "check the server URL and configuration";
      return new MCPConnectionError(
        `Server "${serverName}" answered ${operation} with HTTP ${status}; ${hint}.`,
        {
          ...base,
          code: "HTTP_STATUS",
          httpStatus: status,
          context: { status },
        },
      );
    }
    switch (error.code) {
      case SdkErrorCode.ConnectionClosed:
      case SdkErrorCode.SendFailed:
        return (
          scope.closeReason ??
          new MCPConnectionError(
            `The connection to server "${serverName}" closed during ${operation}. Reconnect to continue.`,
            { ...base, code: "CONNECTION_CLOSED" },
          )
        );
      case SdkErrorCode.NotConnected:
        return new MCPConnectionError(`Server "${serverName}" is not connected; call connect() first.`, {
          ...base,
          code: "NOT_CONNECTED",
        });
      case SdkErrorCode.ClientHttpUnexpectedContent:
      case SdkErrorCode.InvalidResult:
      case SdkErrorCode.UnsupportedResultType:
        return new MCPConnectionError(
          `Server "${serverName}" sent an invalid answer to ${operation}: ${error.message}`,
          { ...base, code: "PROTOCOL_ERROR" },
        );
      default:
        return new MCPConnectionError(`${operation} on server "${serverName}" failed: ${error.message}`, {
          ...base,
          code: "CONNECTION_CLOSED",
        });
    }
  }

  const network = networkCode(error);
  if (network) {
    return new MCPConnectionError(
      `Could not reach server "${serverName}" for ${operation}: ${NETWORK_CODES[network]} (${network}). Check that the server is running and the URL is right.`,
      {
        ...base,
        code: network === "ECONNREFUSED" ? "CONNECTION_REFUSED" : "CONNECTION_CLOSED",
        context: { errno: network },
      },
    );
  }

  if (scope.closeReason) return scope.closeReason;
  const text = error instanceof Error ? error.message : String(error);
  return new MCPConnectionError(`${operation} on server "${serverName}" failed: ${text}`, {
    ...base,
    code: "PROTOCOL_ERROR",
  });
}

/** The SDK prefixes remote messages with "MCP error -32602: "; the code is already in our message. */
function stripPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+:\s*/, "");
}

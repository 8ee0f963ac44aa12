import {
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  SseError,
  UnauthorizedError,
} from "@modelcontextprotocol/client";

import { findCause } from "../common/causes.js";
import { ownValue } from "../common/objects.js";
import type { MCPError } from "../errors/errors.js";
import {
  isMCPError,
  MCPAuthenticationError,
  MCPConnectionError,
  MCPResourceError,
  MCPServerError,
} from "../errors/errors.js";
import { sanitizeServerText } from "../errors/serverText.js";
import { jsonRpcErrorMessage, localErrorOf } from "../transport/localErrors.js";

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

/**
 * Server-provided text placed in one of our messages goes through `sanitizeServerText` (escape codes
 * and secrets removed) and is cut (the whole text stays on `cause`): an HTTP body or a transport's
 * error text to `MAX_SERVER_TEXT` characters (a 5 kB HTML error page is no message), a JSON-RPC error
 * message, which the server wrote for people to read, to a longer bound.
 */
const MAX_RPC_MESSAGE = 1000;

/**
 * Errors the SDK raises itself, after a well-formed answer, when a tool's result does not fit its
 * declared `outputSchema` (`Client.callTool`). They are `ProtocolError`s with JSON-RPC codes, so they
 * would otherwise read as an error the server sent.
 */
const SDK_RESULT_SCHEMA_ERRORS = [
  /^Structured content does not match the tool's output schema: /,
  /^Tool .+ has an output schema but did not return structured content$/,
  /^Failed to validate structured content: /,
];
/** Raised before the call is sent, when the tool's declared `outputSchema` cannot be compiled. */
const SDK_INVALID_SCHEMA_ERROR = /^Tool .+ has an invalid outputSchema: /;

/** The legacy SSE transport's POST failure: a plain `Error` whose message holds the status and the body. */
const SSE_POST_FAILURE = /^Error POSTing to endpoint \(HTTP (\d{3})\)/;

/** The errno-like code of a network failure (undici puts it on `cause`), if any. */
function networkCode(error: unknown): string | undefined {
  const failed = findCause(error, hasNetworkCode);
  if (failed) return failed.code;
  // The legacy SSE stream (the `eventsource` package) flattens a fetch failure into the message of
  // an `SseError` ("SSE error: TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:…").
  if (error instanceof SseError) {
    for (const word of error.message.match(/\b[A-Z][A-Z_]{3,}\b/g) ?? []) {
      if (Object.hasOwn(NETWORK_CODES, word)) return word;
    }
  }
  return undefined;
}

/** An error whose `code` is a network failure's. Own keys only: a code "constructor" or "toString" is none. */
function hasNetworkCode(candidate: unknown): candidate is { code: string } {
  const code = (candidate as { code?: unknown }).code;
  return typeof code === "string" && Object.hasOwn(NETWORK_CODES, code);
}

function wrappedMCPError(error: unknown): MCPError | undefined {
  return findCause(error, isMCPError, { skipSelf: true });
}

/**
 * The HTTP status an error carries: `data.status` of an `SdkError`, `code` of the legacy SSE
 * stream's `SseError`, or the status in the legacy SSE transport's POST failure message.
 */
function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof SdkError) {
    const status = (error.data as { status?: unknown } | undefined)?.status;
    return typeof status === "number" ? status : undefined;
  }
  if (error instanceof SseError) return typeof error.code === "number" ? error.code : undefined;
  if (error instanceof Error) {
    const status = SSE_POST_FAILURE.exec(error.message)?.[1];
    return status === undefined ? undefined : Number(status);
  }
  return undefined;
}

/** The SDK's own output-schema check failed (see `SDK_RESULT_SCHEMA_ERRORS`); undefined otherwise. */
function outputSchemaError(error: ProtocolError, scope: ErrorScope): MCPConnectionError | undefined {
  if (error.data !== undefined) return undefined;
  const { serverName, operation, transportType } = scope;
  const options = { serverName, transportType, cause: error, code: "PROTOCOL_ERROR" as const };
  if (SDK_INVALID_SCHEMA_ERROR.test(error.message)) {
    return new MCPConnectionError(
      `${operation} was not sent: server "${serverName}" declares an outputSchema for the tool that cannot be compiled (${sanitizeServerText(error.message)}). The server's tool definition is broken; report it to the server's maintainers.`,
      options,
    );
  }
  if (SDK_RESULT_SCHEMA_ERRORS.some((pattern) => pattern.test(error.message))) {
    return new MCPConnectionError(
      `Server "${serverName}" answered ${operation}, but the server's result does not match its declared outputSchema (${sanitizeServerText(error.message)}). The server's tool and its definition disagree; report it to the server's maintainers.`,
      options,
    );
  }
  return undefined;
}

/**
 * The JSON-RPC error message in the server's error body, if it sent one: the SDK keeps the body as
 * `data.text`, the legacy SSE transport puts it after the status in its message.
 */
function serverText(error: unknown): string | undefined {
  if (error instanceof SdkError) {
    return jsonRpcErrorMessage((error.data as { text?: unknown } | undefined)?.text);
  }
  if (error instanceof Error && SSE_POST_FAILURE.test(error.message)) {
    return jsonRpcErrorMessage(error.message.replace(SSE_POST_FAILURE, "").replace(/^:\s*/, ""));
  }
  return undefined;
}

/** The typed error for an HTTP status: authentication for 401/403, `HTTP_STATUS` otherwise. */
function statusError(status: number, error: unknown, scope: ErrorScope): MCPError {
  const { serverName, operation, transportType } = scope;
  if (status === 401) {
    return new MCPAuthenticationError(
      `Server "${serverName}" refused ${operation} with HTTP 401 (not authorized). Check the credentials or the "auth" section.`,
      {
        serverName,
        cause: error,
        // A 401 status on an SDK error that is not an HTTP response error comes from its auth flow
        // giving up: no token was available. Any other 401 refused the credentials that were sent.
        code:
          error instanceof SdkError && !(error instanceof SdkHttpError) && httpStatusOf(error) === 401
            ? "AUTH_REQUIRED"
            : "AUTH_FAILED",
        httpStatus: 401,
      },
    );
  }
  if (status === 403) {
    return new MCPAuthenticationError(
      `Server "${serverName}" refused ${operation} with HTTP 403 (forbidden). The credentials lack the needed permission or scope.`,
      { serverName, cause: error, code: "AUTH_FAILED", httpStatus: 403 },
    );
  }
  const hint =
    status === 404
      ? "check the server URL"
      : status >= 500
        ? "the server failed; it may recover on its own"
        : status === 429
          ? "the server is rate-limiting; slow down"
          : "check the server URL and configuration";
  const said = serverText(error);
  return new MCPConnectionError(
    `Server "${serverName}" answered ${operation} with HTTP ${status}${said === undefined ? "" : ` ("${sanitizeServerText(said)}")`}; ${hint}.`,
    {
      serverName,
      transportType,
      cause: error,
      code: "HTTP_STATUS",
      httpStatus: status,
      context: { status },
    },
  );
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
    // A transport's synthetic error response, recognised by its `data` object (never by its content,
    // which for any other error is the server's).
    const local = localErrorOf(error.data);
    if (local) {
      return new MCPConnectionError(`${operation} on server "${serverName}" failed: ${error.message}`, {
        ...base,
        code: local.code,
        context: local.context,
      });
    }
    const schemaError = outputSchemaError(error, scope);
    if (schemaError) return schemaError;
    const message = `Server "${serverName}" answered ${operation} with error ${error.code}: ${sanitizeServerText(stripPrefix(error.message), MAX_RPC_MESSAGE)}`;
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

  const status = httpStatusOf(error);
  if (status !== undefined) return statusError(status, error, scope);

  if (error instanceof SdkError) {
    if (error.code === SdkErrorCode.ClientHttpAuthentication) return statusError(401, error, scope);
    if (error.code === SdkErrorCode.ClientHttpForbidden) return statusError(403, error, scope);
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
          `Server "${serverName}" sent an invalid answer to ${operation}: ${sanitizeServerText(error.message)}`,
          { ...base, code: "PROTOCOL_ERROR" },
        );
      default:
        return new MCPConnectionError(
          `${operation} on server "${serverName}" failed: ${sanitizeServerText(error.message)}`,
          {
            ...base,
            code: "CONNECTION_CLOSED",
          },
        );
    }
  }

  const network = networkCode(error);
  if (network) {
    return new MCPConnectionError(
      `Could not reach server "${serverName}" for ${operation}: ${ownValue(NETWORK_CODES, network)} (${network}). Check that the server is running and the URL is right.`,
      {
        ...base,
        code: network === "ECONNREFUSED" ? "CONNECTION_REFUSED" : "CONNECTION_CLOSED",
        context: { errno: network },
      },
    );
  }

  if (scope.closeReason) return scope.closeReason;
  const text = error instanceof Error ? error.message : String(error);
  return new MCPConnectionError(
    `${operation} on server "${serverName}" failed: ${sanitizeServerText(text)}`,
    {
      ...base,
      code: "PROTOCOL_ERROR",
    },
  );
}

/** The SDK prefixes remote messages with "MCP error -32602: "; the code is already in our message. */
function stripPrefix(message: string): string {
  return message.replace(/^MCP error -?\d+:\s*/, "");
}

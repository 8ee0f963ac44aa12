// The session-expiry signs in HTTP error answers, and how messages name a request.

import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { SdkHttpError } from "@modelcontextprotocol/client";

import type { RequestId } from "./httpTransport.js";
import { answersRequest, httpErrorText } from "./localErrors.js";

/**
 * What a server that forgot the session says in a 400: servers on the session-map pattern of
 * `@modelcontextprotocol/server-everything` "Bad Request: No valid session ID provided", others
 * "Invalid or expired session", "Session not found", "Unknown session id"; a single-session server
 * that restarted "Bad Request: Server not initialized". A 400 that says none of this is a real
 * client error and is not retried.
 */
const SESSION_GONE =
  /\b(?:no valid|invalid|unknown|expired|stale)\b[\w\s-]{0,30}?\bsession\b|\bsession\b[\w\s-]{0,30}?\b(?:not found|unknown|invalid|expired|terminated|does not exist|no longer (?:valid|exists))\b|\bserver not initiali[sz]ed\b/i;

/** True when an HTTP error text says the server does not know the session (see `SESSION_GONE`). */
export function saysSessionGone(text: string): boolean {
  return SESSION_GONE.test(text);
}

/**
 * The status of an answer saying the server no longer knows the session: any 404 (the spec's
 * signal), or a 400 whose error text says so and that is not the answer to request `requestId`
 * itself (see `answersRequest`: a tool's own error may well mention a session, and sending the
 * request again would run it twice). Undefined for every other failure.
 */
export function sessionGoneStatus(error: unknown, requestId: RequestId | undefined): number | undefined {
  if (!(error instanceof SdkHttpError)) return undefined;
  const data = error.data as { status?: number; text?: unknown } | undefined;
  if (data?.status === 404) return 404;
  if (data?.status !== 400) return undefined;
  if (requestId !== undefined && answersRequest(data.text, requestId)) return undefined;
  const said = httpErrorText(data.text);
  return said !== undefined && saysSessionGone(said) ? 400 : undefined;
}

/** `tools/call "echo"`, `resources/read`, …: the request as messages name it. */
export function requestLabel(message: JSONRPCMessage): string {
  if (!("method" in message)) return "a response";
  const name = (message.params as { name?: unknown } | undefined)?.name;
  return message.method === "tools/call" && typeof name === "string"
    ? `${message.method} ${JSON.stringify(name)}`
    : message.method;
}

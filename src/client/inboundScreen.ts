import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";

import type { EventHub } from "../common/events.js";
import { nestsDeeperThan } from "../common/jsonDepth.js";
import { MAX_TOOL_DEFINITION_DEPTH } from "../config/defaults.js";
import { quoteServerText } from "../errors/serverText.js";
import { localErrorData } from "../transport/localErrors.js";
import type { ClientEvents } from "./events.js";

/**
 * Takes every tool whose definition nests deeper than `MAX_TOOL_DEFINITION_DEPTH` out of the
 * `tools/list` answers before the SDK parses them, and names each in a "tool-skipped" warning. The
 * SDK's result schema recurses once per level, so one tool nested ~1,000 levels deep overflowed the
 * stack and failed the whole list, and with it the connect, with PROTOCOL_ERROR. Answers are told
 * apart by the ids of the `tools/list` requests seen going out.
 */
export function screenToolLists(transport: Transport, name: string, events: EventHub<ClientEvents>): void {
  const next = transport.onmessage;
  if (!next) return;
  const send = transport.send.bind(transport) as Transport["send"];
  // Numbers, as the SDK matches responses (Number(response.id)): a server echoing "3" for request
  // 3 answers it, and must not slip past the screen.
  const listIds = new Set<number>();
  // Tools already reported as skipped on this connection: a health check or list refresh that
  // lists them again does not repeat the warning.
  const reported = new Set<string>();
  transport.send = (message, options) => {
    const method = "method" in message ? message.method : undefined;
    if (method === "tools/list" && "id" in message && message.id !== undefined) {
      listIds.add(Number(message.id));
    } else if (
      method === "notifications/cancelled" &&
      listIds.size > 0 &&
      !("id" in message && message.id !== undefined)
    ) {
      // A tools/list that timed out or was aborted gets no answer worth screening: forget its id.
      const params =
        "params" in message ? (message.params as { requestId?: unknown } | undefined) : undefined;
      listIds.delete(Number(params?.requestId));
    }
    return send(message, options);
  };
  const deliver = next as (message: JSONRPCMessage, extra?: unknown) => void;
  transport.onmessage = (message: JSONRPCMessage, extra?: unknown) => {
    const id = "method" in message || !("id" in message) ? undefined : message.id;
    try {
      // Most messages answer no tools/list: the set is empty and nothing is looked up.
      if (listIds.size > 0 && id !== undefined && id !== null && listIds.delete(Number(id))) {
        deliver(withoutDeepTools(name, events, message, reported), extra);
        return;
      }
      deliver(message, extra);
    } catch (error) {
      unprocessable(name, events, deliver, id, error);
    }
  };
}

/**
 * A message the SDK threw on while taking it in (the transport calls us from its data handler, so
 * a throw there is an uncaught exception that ends the host process). The known case: a response
 * for an id nobody is waiting for, nested thousands of levels deep, which the SDK `JSON.stringify`s
 * into its "unknown message ID" error and overflows the stack with. The message is dropped and
 * reported as a protocol error; when it carries an id, the request waiting for that id (if any)
 * fails with PROTOCOL_ERROR instead of waiting for its timeout.
 */
function unprocessable(
  name: string,
  events: EventHub<ClientEvents>,
  deliver: (message: JSONRPCMessage, extra?: unknown) => void,
  id: unknown,
  error: unknown,
): void {
  // Only the error's kind: its message may quote the server's data (the SDK's does).
  const why = error instanceof RangeError ? error.message : error instanceof Error ? error.name : "an error";
  const message = `Server "${name}" sent a message the client could not process (${why}); it was dropped`;
  if (typeof id === "string" || typeof id === "number") {
    try {
      deliver({
        jsonrpc: "2.0",
        id,
        error: { code: -32603, message, data: localErrorData({ code: "PROTOCOL_ERROR" }) },
      });
    } catch {
      // Nothing else to do with it: the warning below still reports the message.
    }
  }
  events.emit("warning", {
    server: name,
    kind: "protocol-error",
    message: `${message}. A request waiting for its id (${typeof id === "string" || typeof id === "number" ? quoteServerText(String(id), 40) : "none"}) failed with PROTOCOL_ERROR; the connection is kept.`,
  });
}

function withoutDeepTools(
  serverName: string,
  events: EventHub<ClientEvents>,
  message: JSONRPCMessage,
  reported: Set<string>,
): JSONRPCMessage {
  const result = "result" in message ? (message.result as Record<string, unknown> | undefined) : undefined;
  const tools = result?.["tools"];
  if (!Array.isArray(tools)) return message;
  const kept = tools.filter((tool: unknown) => {
    if (!nestsDeeperThan(tool, MAX_TOOL_DEFINITION_DEPTH)) return true;
    const name = (tool as { name?: unknown }).name;
    // Nameless tools share one key: each is reported once too, not once per listing.
    const key = typeof name === "string" ? `tool:${name}` : "nameless";
    if (reported.has(key)) return false;
    reported.add(key);
    const named = typeof name === "string" ? `tool ${quoteServerText(name)}` : "a tool without a name";
    events.emit("warning", {
      server: serverName,
      kind: "tool-skipped",
      message: `Server "${serverName}" listed ${named} whose definition is nested more than ${MAX_TOOL_DEFINITION_DEPTH} levels deep; it was skipped, since its schema cannot be checked safely. The server's other tools are usable; report the tool to the server's maintainers.`,
    });
    return false;
  });
  if (kept.length === tools.length) return message;
  return { ...message, result: { ...result, tools: kept } } as JSONRPCMessage;
}

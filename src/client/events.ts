import type { EventMap, TaggedEvent } from "../common/events.js";
import type { MCPError } from "../errors/errors.js";

// The hub itself is infrastructure (common/); re-exported for the modules that import it from here.
export type { EventMap, Unsubscribe } from "../common/events.js";
export { EventHub } from "../common/events.js";

/** Connection states of one server (the seed's `ConnectionState`). */
export type ConnectionState = "disconnected" | "connecting" | "connected" | "disconnecting" | "failed";

/**
 * Status events of one server, the typed form of the seed's `status_callback(event, data)`.
 * Every payload carries `server` (the configured name) and a human-readable `message`, safe to show
 * or log: what a server chose (tool names, cursors, stderr and stdout lines, error text) enters it
 * only through `sanitizeServerText` (no escape codes, secrets hidden, cut). Data fields such as
 * `tool` keep the server's exact text.
 */
export interface ClientEvents {
  connecting: { server: string; message: string };
  connected: {
    server: string;
    message: string;
    toolsCount: number;
    resourcesCount: number;
    promptsCount: number;
  };
  disconnected: { server: string; message: string };
  /** A connect attempt failed, or the connection was lost (`lost: true`). */
  error: { server: string; message: string; error: MCPError; lost: boolean };
  stateChange: { server: string; message: string; from: ConnectionState; to: ConnectionState };
  toolCallStart: { server: string; tool: string; message: string; arguments: Record<string, unknown> };
  toolCallSuccess: { server: string; tool: string; message: string; durationMs: number; isError: boolean };
  toolCallTimeout: { server: string; tool: string; message: string; timeout: number };
  toolCallError: { server: string; tool: string; message: string; error: MCPError };
  /** The server changed its tools, resources or prompts; the client has refreshed its lists. */
  listChanged: { server: string; message: string; kind: "tools" | "resources" | "prompts" };
  /** One line the server wrote to stderr (stdio), sanitized and cut to 1,000 characters. */
  stderr: { server: string; message: string };
  /** Something odd that did not fail anything (stdout noise, a repeated pagination cursor…). */
  warning: { server: string; message: string; kind: string };
  /** A reconnect attempt is about to start (attempt counts from 1). */
  reconnecting: { server: string; message: string; attempt: number; delaySeconds: number };
}

export type ClientEventName = keyof ClientEvents;

/** One status event as a tagged object, as passed to the catch-all `onStatus` option. */
export type StatusEvent<E extends EventMap<E> = ClientEvents> = TaggedEvent<E>;

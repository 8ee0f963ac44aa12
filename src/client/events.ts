import type { MCPError } from "../errors/errors.js";

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

/** Any interface mapping event names to payload objects. */
export type EventMap<E> = { [K in keyof E]: object };

/** One status event as a tagged object, as passed to the catch-all `onStatus` option. */
export type StatusEvent<E extends EventMap<E> = ClientEvents> = {
  [K in keyof E]: { type: K } & E[K];
}[keyof E];

/** Removes a listener. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/**
 * A small typed event hub. Listener exceptions are isolated: a failing listener never turns a
 * successful call into a failure (MassGen's status callback could, reference §7.1).
 */
export class EventHub<E extends EventMap<E>> {
  private readonly listeners = new Map<keyof E, Set<(payload: never) => void>>();

  constructor(private readonly catchAll?: (event: StatusEvent<E>) => void) {}

  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): Unsubscribe {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => {
      set.delete(listener as (payload: never) => void);
    };
  }

  /** True when someone listens to `event` (lets callers skip building costly payloads). */
  has(event: keyof E): boolean {
    return this.catchAll !== undefined || (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.listeners.get(event);
    if (set) {
      for (const listener of [...set]) {
        try {
          (listener as (payload: E[K]) => void)(payload);
        } catch {
          // A listener's bug must not break the client.
        }
      }
    }
    if (this.catchAll) {
      try {
        this.catchAll({ type: event, ...payload } as StatusEvent<E>);
      } catch {
        // Same as above.
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}

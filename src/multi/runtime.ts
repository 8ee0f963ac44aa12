import type { EventHub } from "../client/events.js";
import type { Clock } from "../resilience/clock.js";
import type { ConnectSummary, MultiClientEvents, MultiMCPClientOptions } from "./options.js";
import type { Registry } from "./registry.js";
import type { ServerSlot } from "./serverSlot.js";

/** One connect() pass; a strict pass includes its rollback. */
export interface ConnectRun {
  readonly strict: boolean;
  readonly done: Promise<ConnectSummary>;
  /** The disconnect() this pass waits for before it starts, if any. */
  readonly after: Promise<void> | undefined;
}

/**
 * What the pieces of a MultiMCPClient (connect pass, call pipeline, reconnect loop) share: its
 * servers, tables, events and lifecycle flags. Internal; the facade owns the one instance.
 */
export interface MultiRuntime {
  readonly options: MultiMCPClientOptions;
  readonly clock: Clock;
  readonly events: EventHub<MultiClientEvents>;
  readonly slots: readonly ServerSlot[];
  readonly byName: ReadonlyMap<string, ServerSlot>;
  readonly registry: Registry;
  /** From connect() (or reconnectServer()) until disconnect(): losses are reconnected only then. */
  active: boolean;
  connecting: ConnectRun | undefined;
  disconnecting: Promise<void> | undefined;
}

/** Rebuilds the routed tables from the servers' current snapshots (see Registry.rebuild). */
export function rebuild(rt: MultiRuntime, announce: boolean): void {
  rt.registry.rebuild(rt.slots, announce);
}

import type { CallOptionsSnapshot } from "../client/callOptions.js";
import { checkCallOptions } from "../client/callOptions.js";
import type { MCPClient } from "../client/mcpClient.js";
import { onAbort } from "../common/abort.js";
import type { MCPConnectionError } from "../errors/errors.js";
import { MCPCancelledError, MCPTimeoutError } from "../errors/errors.js";
import type { ClockTimer } from "../resilience/clock.js";
import { matchesTemplate } from "../routing/resourceIndex.js";
import { multiNotConnected, notConnected, notFound, resourceNotFound, unknownServer } from "./messages.js";
import { autoReconnectFor, kick } from "./reconnect.js";
import type { MultiRuntime } from "./runtime.js";
import type { ServerSlot } from "./serverSlot.js";

/** The slot of a configured server. @throws MCPError NOT_FOUND naming the closest server names. */
export function slotOf(rt: MultiRuntime, server: string): ServerSlot {
  const slot = rt.byName.get(server);
  if (slot) return slot;
  throw unknownServer(
    server,
    rt.slots.map((s) => s.name),
  );
}

/**
 * The server and raw name of a routed tool name. A name held by a server that is down fails with
 * NOT_CONNECTED (and starts a reconnect), not NOT_FOUND: the name is still that server's.
 */
export function resolveTool(rt: MultiRuntime, name: string): { server: string; rawName: string } {
  const entry = rt.registry.tools.get(name);
  if (entry) return entry;
  const held = rt.registry.heldTool(name);
  const slot = held ? rt.byName.get(held.server) : undefined;
  if (held && slot && slot.state !== "connected") {
    kick(rt, slot);
    throw notConnectedError(rt, slot, `call tool "${name}"`);
  }
  const tools = rt.registry.tools;
  throw notFound("Tool", name, [...tools.keys()], [...tools.values()]);
}

/**
 * The server of a resource read: the one listing the URI, else the first (in config order) whose
 * resource template matches it; `server` picks one explicitly.
 */
export function resolveResource(rt: MultiRuntime, uri: string, server: string | undefined): ServerSlot {
  if (server !== undefined) return slotOf(rt, server);
  const entry = rt.registry.resources.get(uri);
  if (entry) return slotOf(rt, entry.server);
  for (const slot of rt.slots) {
    if (slot.state !== "connected" && slot.state !== "reconnecting") continue;
    if (slot.snapshot?.templates.some((template) => matchesTemplate(template, uri))) return slot;
  }
  throw resourceNotFound(uri, [...rt.registry.resources.keys()]);
}

/**
 * The per-server pipeline shared by tool calls, resource reads and prompts: concurrency limit →
 * breaker (fails fast while open: nothing is sent) → wait for a running reconnect (within the
 * call's timeout) → `exec` with the time that is left.
 */
export async function invoke<T>(
  rt: MultiRuntime,
  slot: ServerSlot,
  operation: string,
  given: { timeout?: number | undefined; signal?: AbortSignal | undefined },
  exec: (client: MCPClient, timeoutSeconds: number, options: CallOptionsSnapshot) => Promise<T>,
): Promise<T> {
  // The same check, and so the same error, as MCPClient's: nothing is queued or waited for first.
  // A snapshot checked by the caller is not checked again (and MCPClient does not check it again).
  const options = checkCallOptions(given, { operation, serverName: slot.name });
  if (!rt.active) throw multiNotConnected(operation, slot);
  const timeoutSeconds = options.timeout ?? slot.config.timeout;
  const started = rt.clock.now();
  const deadline = started + timeoutSeconds * 1000;
  return slot.limit.run(
    async () => {
      slot.breaker.assertCanExecute();
      if (slot.loop) await waitForReconnect(rt, slot, deadline, options.signal, operation);
      if (!slot.client.isConnected()) {
        if (slot.state === "connected") slot.transition("failed", "its client is not connected");
        kick(rt, slot);
        throw notConnectedError(rt, slot, operation);
      }
      const elapsed = rt.clock.now() - started;
      // Time spent queued or waiting for a reconnect comes out of the call's own timeout.
      const remaining = elapsed < 1 ? timeoutSeconds : (deadline - rt.clock.now()) / 1000;
      if (remaining <= 0) {
        throw new MCPTimeoutError(
          `${operation} on server "${slot.name}" ran out of its ${timeoutSeconds} s before it could be sent. Pass a larger { timeout }.`,
          { serverName: slot.name, timeoutSeconds, operation },
        );
      }
      return slot.guarded(() => exec(slot.client, remaining, options));
    },
    { signal: options.signal, queueTimeoutMs: timeoutSeconds * 1000, operation },
  );
}

function waitForReconnect(
  rt: MultiRuntime,
  slot: ServerSlot,
  deadline: number,
  signal: AbortSignal | undefined,
  operation: string,
): Promise<void> {
  const loop = slot.loop;
  if (!loop) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    let stopWaiting: (() => void) | undefined;
    const finish = (error?: unknown) => {
      rt.clock.clearTimeout(timer);
      stopWaiting?.();
      if (error === undefined) resolve();
      else reject(error);
    };
    const cancelled = () =>
      finish(
        new MCPCancelledError(
          `${operation} on server "${slot.name}" was cancelled while waiting for the server to reconnect; it was never sent.`,
          { serverName: slot.name, operation, cause: signal?.reason },
        ),
      );
    // A deadline of Infinity (timeout: Infinity) never fires: the clock takes any delay.
    const timer: ClockTimer = rt.clock.setTimeout(
      () => finish(notConnectedError(rt, slot, operation, "it is still reconnecting")),
      deadline - rt.clock.now(),
    );
    if (signal?.aborted) {
      cancelled();
      return;
    }
    // One listener per signal however many calls wait on it (a shared signal is not a leak).
    if (signal) stopWaiting = onAbort(signal, cancelled);
    void loop.then(() => finish());
  });
}

/** NOT_CONNECTED for a call to `slot`, saying what happens next. */
function notConnectedError(
  rt: MultiRuntime,
  slot: ServerSlot,
  operation: string,
  why?: string,
): MCPConnectionError {
  const next = !rt.active
    ? "connect"
    : slot.loop || slot.state === "reconnecting"
      ? "running"
      : autoReconnectFor(rt, slot)
        ? "started"
        : "manual";
  return notConnected(slot, operation, next, why);
}

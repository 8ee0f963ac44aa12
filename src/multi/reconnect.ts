import type { MCPError } from "../errors/errors.js";
import type { ReconnectPlan } from "../resilience/reconnectLoop.js";
import { runReconnectLoop } from "../resilience/reconnectLoop.js";
import { abandonedConnect, asMCPError } from "./messages.js";
import type { MultiRuntime } from "./runtime.js";
import { rebuild } from "./runtime.js";
import type { ServerSlot } from "./serverSlot.js";

/** Automatic reconnects are on for this server (client option and the server's `reconnect.enabled`). */
export function autoReconnectFor(rt: MultiRuntime, slot: ServerSlot): boolean {
  return rt.options.autoReconnect !== false && slot.config.reconnect.enabled;
}

/** The plan of an automatic cycle: the server's `reconnect` settings and its own backoff. */
export function autoPlan(slot: ServerSlot, fresh: boolean): ReconnectPlan {
  return {
    fresh,
    maxAttempts: slot.config.reconnect.maxAttempts,
    firstImmediately: false,
    backoff: slot.backoff,
  };
}

/** A call hit a server that gave up: start a fresh automatic cycle in the background. */
export function kick(rt: MultiRuntime, slot: ServerSlot): void {
  if (!rt.active || slot.loop || !autoReconnectFor(rt, slot) || slot.state !== "failed") return;
  void startReconnect(rt, slot, autoPlan(slot, true));
}

/** The client reported its connection lost. */
export function handleLoss(rt: MultiRuntime, slot: ServerSlot, error: MCPError): void {
  if (!rt.active || slot.state !== "connected") return;
  slot.lastError = error;
  slot.monitor?.stop();
  if (autoReconnectFor(rt, slot)) {
    void startReconnect(rt, slot, autoPlan(slot, false));
    return;
  }
  slot.transition("failed", "connection lost, automatic reconnect off");
  rebuild(rt, true);
}

/** Starts a reconnect cycle, or returns the one running (single flight per server). */
export function startReconnect(rt: MultiRuntime, slot: ServerSlot, plan: ReconnectPlan): Promise<boolean> {
  if (slot.loop) return slot.loop;
  const controller = new AbortController();
  slot.loopAbort = controller;
  slot.transition("reconnecting", "a reconnect cycle started");
  slot.monitor?.stop();
  const loop: Promise<boolean> = reconnectLoop(rt, slot, plan, controller.signal)
    .catch(() => false)
    .finally(() => {
      if (slot.loop === loop) endLoop(slot);
    });
  slot.loop = loop;
  return loop;
}

/**
 * Marks the cycle over before its outcome is announced, so a listener of `reconnected` /
 * `reconnectFailed` that calls `reconnectServer()` starts a new cycle instead of joining the old one.
 */
function endLoop(slot: ServerSlot): void {
  slot.loop = undefined;
  slot.loopAbort = undefined;
}

/**
 * One reconnect cycle (`resilience/reconnectLoop.ts`, shared with `MCPClient.reconnect()`): single
 * flight per server, exponential backoff with half jitter and a cap, finite attempts, gated by the
 * breaker (an attempt waits for the breaker's recovery time and is itself the probe). The attempt
 * counter carries over between losses unless the connection stayed up for `reconnect.healthy_reset`,
 * so a server that crashes right after `initialize` backs off instead of restarting at full speed.
 */
async function reconnectLoop(
  rt: MultiRuntime,
  slot: ServerSlot,
  plan: ReconnectPlan,
  signal: AbortSignal,
): Promise<boolean> {
  const outcome = await runReconnectLoop({
    server: slot.name,
    plan,
    clock: rt.clock,
    signal,
    counter: slot,
    healthyReset: { connectedAt: slot.connectedAt, afterMs: slot.config.reconnect.healthyReset * 1000 },
    retryAfter: () => slot.breaker.retryAfter,
    onAttempt: (event) => rt.events.emit("reconnecting", { server: slot.name, ...event }),
    attempt: async () => {
      try {
        await slot.guarded(async () => {
          await slot.client.disconnect();
          // disconnect() may have come during that close: starting the server now would leak it.
          if (signal.aborted) throw abandonedConnect(slot);
          await slot.client.connect();
        }, signal);
        return "connected";
      } catch (raw) {
        if (signal.aborted) return "failed";
        const error = asMCPError(raw, slot.name);
        // Someone else holds the probe slot: this was not an attempt.
        if (error.code === "CIRCUIT_OPEN") return "not-counted";
        slot.lastError = error;
        return "failed";
      }
    },
    // The handshake finished after disconnect() (or a strict rollback) began: close it again, so the
    // disconnect() awaiting this loop leaves no server running.
    abandon: () => slot.client.disconnect().catch(() => undefined),
  });
  if (outcome === "gave-up") return giveUp(rt, slot);
  if (outcome === "aborted") return false;
  slot.markConnected("reconnected");
  rebuild(rt, true);
  endLoop(slot);
  rt.events.emit("reconnected", {
    server: slot.name,
    attempt: slot.attempts,
    toolsCount: rt.registry.toolsOf(slot.name).length,
    message: `Reconnected to "${slot.name}" (attempt ${slot.attempts})`,
  });
  return true;
}

function giveUp(rt: MultiRuntime, slot: ServerSlot): boolean {
  slot.transition("failed", "the reconnect cycle gave up");
  slot.monitor?.stop();
  rebuild(rt, true);
  endLoop(slot);
  rt.events.emit("reconnectFailed", {
    server: slot.name,
    attempts: slot.attempts,
    error: slot.lastError,
    message: `Gave up reconnecting to "${slot.name}" after ${slot.attempts} attempt${slot.attempts === 1 ? "" : "s"}${slot.lastError ? `: ${slot.lastError.message}` : ""}. Its tools are unavailable until reconnectFailedServers() (or the next call) succeeds.`,
  });
  return false;
}

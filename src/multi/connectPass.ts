import type { MCPError } from "../errors/errors.js";
import {
  abandonedConnect,
  asMCPError,
  nothingConnected,
  stillReconnecting,
  strictConnectFailed,
} from "./messages.js";
import type { ConnectSummary, MultiConnectOptions, ServerConnectOutcome } from "./options.js";
import type { ConnectRun, MultiRuntime } from "./runtime.js";
import { rebuild } from "./runtime.js";
import type { ServerSlot } from "./serverSlot.js";

/**
 * `MultiMCPClient.connect()`: joins a pass already running (unless either is strict), runs one
 * otherwise, and fails when nothing could be connected (without strict).
 */
export async function connect(rt: MultiRuntime, options: MultiConnectOptions): Promise<ConnectSummary> {
  const strict = options.strict === true;
  // A strict pass must know which servers it connected itself, and its rollback may close servers
  // a joined pass would report as connected: strict passes neither join nor are joined.
  while (rt.connecting && (strict || rt.connecting.strict)) {
    await rt.connecting.done.catch(() => undefined);
  }
  const run = rt.connecting ?? startConnect(rt, strict);
  const summary = await run.done;
  if (!strict && summary.connected.length === 0) {
    throw nothingConnected(Object.values(summary.servers));
  }
  return summary;
}

function startConnect(rt: MultiRuntime, strict: boolean): ConnectRun {
  const after = rt.disconnecting;
  const done = (async () => {
    if (after) await after;
    // Taken once a disconnect() in progress is over, so what it closes counts as started here.
    const before = new Set(rt.slots.filter((s) => s.live).map((s) => s.name));
    const summary = await connectAll(rt);
    return strict ? strictOutcome(rt, summary, before) : summary;
  })().finally(() => {
    if (rt.connecting === run) rt.connecting = undefined;
  });
  const run: ConnectRun = { strict, done, after };
  rt.connecting = run;
  return run;
}

/** `connect({ strict: true })`: all or nothing (of what this call started). */
async function strictOutcome(
  rt: MultiRuntime,
  summary: ConnectSummary,
  before: ReadonlySet<string>,
): Promise<ConnectSummary> {
  if (summary.failed.length === 0) return summary;
  const started = rt.slots.filter((slot) => summary.connected.includes(slot.name) && !before.has(slot.name));
  for (const slot of started) slot.abandon("connect({ strict: true }) failed");
  await Promise.all(started.map((slot) => slot.client.disconnect().catch(() => undefined)));
  await Promise.all(started.map((slot) => slot.loop));
  for (const slot of started) {
    slot.transition("disconnected", "connect({ strict: true }) failed and closed it again");
    slot.snapshot = undefined;
  }
  if (!rt.slots.some((slot) => slot.state === "connected")) rt.active = false;
  rebuild(rt, true);
  throw strictConnectFailed(
    Object.values(summary.servers),
    started.map((slot) => slot.name),
  );
}

async function connectAll(rt: MultiRuntime): Promise<ConnectSummary> {
  rt.active = true;
  const started = rt.clock.now();
  const count = rt.slots.length;
  rt.events.emit("setupStart", {
    message: `Setting up MCP sessions with ${count} server${count === 1 ? "" : "s"}`,
    serverCount: count,
  });
  const outcomes = await Promise.all(
    rt.slots.map((slot) => {
      const task = connectSlot(rt, slot).finally(() => {
        if (slot.connectTask === task) slot.connectTask = undefined;
      });
      slot.connectTask = task;
      return task;
    }),
  );
  rebuild(rt, false);
  for (const outcome of outcomes) {
    if (outcome.ok) outcome.toolsCount = rt.registry.toolsOf(outcome.server).length;
  }
  const connected = outcomes.filter((o) => o.ok).map((o) => o.server);
  const failed = outcomes.filter((o) => !o.ok).map((o) => o.server);
  const { tools, resources, prompts } = rt.registry;
  const summary: ConnectSummary = {
    servers: Object.fromEntries(outcomes.map((o) => [o.server, o])),
    connected,
    failed,
    durationMs: rt.clock.now() - started,
    toolsCount: tools.size,
  };
  rt.events.emit("setupComplete", {
    message: `Connected to ${connected.length}/${count} MCP servers: ${tools.size} tools, ${resources.size} resources, ${prompts.size} prompts`,
    connectedServers: connected,
    failedServers: failed,
    totalTools: tools.size,
    totalResources: resources.size,
    totalPrompts: prompts.size,
    durationMs: summary.durationMs,
  });
  rt.events.emit("connectionSummary", {
    message: `Connected to ${connected.length}/${count} server(s) (${failed.length} failed)`,
    successfulCount: connected.length,
    failedCount: failed.length,
    totalCount: count,
    toolsCount: tools.size,
  });
  return summary;
}

async function connectSlot(rt: MultiRuntime, slot: ServerSlot): Promise<ServerConnectOutcome> {
  const started = rt.clock.now();
  const outcome = (ok: boolean, error?: MCPError): ServerConnectOutcome => ({
    server: slot.name,
    ok,
    state: slot.state,
    durationMs: rt.clock.now() - started,
    toolsCount: ok ? (slot.snapshot?.tools.length ?? 0) : 0,
    ...(error === undefined ? {} : { error }),
  });
  if (slot.live) return outcome(true);
  if (slot.loop) {
    // Bounded like any other server by its connect_timeout, not by the whole reconnect cycle.
    const ok = await waitForLoop(rt, slot, slot.config.connectTimeout * 1000);
    if (ok === undefined) return outcome(false, stillReconnecting(slot));
    return outcome(ok, ok ? undefined : slot.lastError);
  }
  const epoch = slot.epoch;
  slot.transition("connecting", "connect()");
  try {
    await slot.guarded(() => slot.client.connect());
    if (slot.epoch !== epoch) {
      // disconnect() came while the handshake finished: nothing it waits for may stay running.
      await slot.client.disconnect().catch(() => undefined);
      slot.transition("disconnected", "disconnect() overtook connect()");
      return outcome(false, abandonedConnect(slot));
    }
    slot.markConnected("connect()");
    return outcome(true);
  } catch (raw) {
    const error = asMCPError(raw, slot.name);
    if (slot.epoch !== epoch) {
      // Interrupted by our own disconnect(): not the server's failure, so not its lastError either.
      slot.transition("disconnected", "disconnect() interrupted connect()");
      return outcome(false, error);
    }
    slot.transition("failed", "connect() failed");
    if (error.code !== "CIRCUIT_OPEN" || slot.lastError === undefined) slot.lastError = error;
    return outcome(false, error);
  }
}

/** The loop's result, or undefined when it is still running after `ms`. */
function waitForLoop(rt: MultiRuntime, slot: ServerSlot, ms: number): Promise<boolean | undefined> {
  const loop = slot.loop;
  if (!loop) return Promise.resolve(undefined);
  return new Promise<boolean | undefined>((resolve) => {
    const timer = rt.clock.setTimeout(() => resolve(undefined), ms);
    void loop.then((ok) => {
      rt.clock.clearTimeout(timer);
      resolve(ok);
    });
  });
}

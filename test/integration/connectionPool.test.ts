import { afterEach, describe, expect, it } from "vitest";

import type { MCPClient } from "../../src/client/mcpClient.js";
import { MCPCancelledError, MCPConnectionError, MCPTimeoutError } from "../../src/errors/errors.js";
import type { ConnectionPoolOptions, PoolEvents } from "../../src/pool/connectionPool.js";
import { MCPConnectionPool } from "../../src/pool/connectionPool.js";
import type { Clock } from "../../src/resilience/clock.js";
import { systemClock } from "../../src/resilience/clock.js";
import { isAlive } from "../helpers/processes.js";
import { demoStdio } from "../helpers/servers.js";

const pools: MCPConnectionPool[] = [];
const pids = new Set<number>();

function pool(options: ConnectionPoolOptions = {}): MCPConnectionPool {
  const created = new MCPConnectionPool(demoStdio({ shutdown_grace: 0.2 }), { size: 2, ...options });
  pools.push(created);
  return created;
}

function pidOf(client: MCPClient): number {
  const pid = client.getDiagnostics().pid!;
  pids.add(pid);
  return pid;
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  for (const pid of pids) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  pids.clear();
});

function nextEvent<K extends keyof PoolEvents>(
  target: MCPConnectionPool,
  event: K,
  match: (payload: PoolEvents[K]) => boolean = () => true,
  ms = 10_000,
): Promise<PoolEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event within ${ms} ms`));
    }, ms);
    const off = target.on(event, (payload) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

describe("MCPConnectionPool with a real server", () => {
  it("never holds more than `size` clients; a waiter gets the released client", async () => {
    const p = pool({ size: 2 });
    const [a, b] = await Promise.all([p.acquire(), p.acquire()]);
    expect(a).not.toBe(b);
    expect(pidOf(a)).not.toBe(pidOf(b));
    expect(p.stats).toMatchObject({ size: 2, leased: 2, idle: 0 });
    const third = p.acquire({ timeout: 10 });
    await Promise.resolve();
    expect(p.stats.waiting).toBe(1);
    p.release(a);
    await expect(third).resolves.toBe(a);
    expect(p.stats).toMatchObject({ size: 2, leased: 2, waiting: 0 });
    p.release(a);
    p.release(a); // a second release does nothing
    p.release(b);
    expect(p.stats).toMatchObject({ size: 2, idle: 2, leased: 0 });
    // The most recently released client is reused, after a health check.
    await expect(p.acquire()).resolves.toBe(b);
  });

  it("bounds the waiters (QUEUE_FULL), times a waiter out, and lets a waiter abort", async () => {
    const p = pool({ size: 1, maxWaiters: 1 });
    const held = await p.acquire();
    pidOf(held);
    const controller = new AbortController();
    const waiting = p.acquire({ signal: controller.signal });
    await expect(p.acquire()).rejects.toMatchObject({ code: "QUEUE_FULL", serverName: "demo" });
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(MCPCancelledError);
    const started = performance.now();
    const timedOut = await p.acquire({ timeout: 0.2 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(MCPTimeoutError);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(p.stats.waiting).toBe(0);
  });

  it("use() releases the client even when the work throws", async () => {
    const p = pool({ size: 1 });
    const result = await p.use(async (client) => {
      pidOf(client);
      return client.callTool("echo", { message: "pooled" });
    });
    expect(result.content).toEqual([{ type: "text", text: "Echo: pooled" }]);
    await expect(
      p.use(async () => {
        throw new Error("work failed");
      }),
    ).rejects.toThrow("work failed");
    expect(p.stats).toMatchObject({ leased: 0, idle: 1 });
  });

  it("replaces an idle client that fails its health check on acquire, and one whose process died", async () => {
    const p = pool({ size: 1, healthCheckTimeout: 0.3 });
    const first = await p.acquire();
    const frozenPid = pidOf(first);
    p.release(first);
    process.kill(frozenPid, "SIGSTOP"); // alive, but answers nothing
    const destroyed = nextEvent(p, "destroyed", (e) => e.reason === "unhealthy");
    const second = await p.acquire();
    await destroyed;
    expect(second).not.toBe(first);
    const secondPid = pidOf(second);
    expect(second.isConnected()).toBe(true);
    expect(isAlive(frozenPid)).toBe(false);

    p.release(second);
    const lost = new Promise<void>((resolve) => second.on("error", (e) => e.lost && resolve()));
    process.kill(secondPid, "SIGKILL");
    await lost;
    const broken = nextEvent(p, "destroyed", (e) => e.reason === "broken");
    const third = await p.acquire();
    await broken;
    expect(third).not.toBe(second);
    pidOf(third);
    expect(third.isConnected()).toBe(true);
  });

  it("evicts idle clients after idleTimeout on an unref'd timer", async () => {
    const unref: Array<boolean | undefined> = [];
    const clock: Clock = {
      now: () => systemClock.now(),
      setTimeout: (fn, ms, options) => {
        unref.push(options?.unref);
        return systemClock.setTimeout(fn, ms, options);
      },
      clearTimeout: (timer) => systemClock.clearTimeout(timer),
    };
    const p = pool({ size: 2, idleTimeout: 0.2, clock });
    const client = await p.acquire();
    const pid = pidOf(client);
    const evicted = nextEvent(p, "destroyed", (e) => e.reason === "idle");
    p.release(client);
    await evicted;
    expect(isAlive(pid)).toBe(false);
    expect(p.stats).toMatchObject({ size: 0, idle: 0 });
    expect(unref.length).toBeGreaterThan(0);
    expect(unref.every(Boolean)).toBe(true);
  });

  it("close() rejects waiters and closes idle, leased and connecting clients", async () => {
    const p = pool({ size: 2 });
    const leased = await p.acquire();
    const idle = await p.acquire();
    pidOf(leased);
    pidOf(idle);
    p.release(idle);
    const extra = await p.acquire(); // reuses idle
    const waiter = p.acquire({ timeout: 10 }).catch((e: unknown) => e);
    await p.close();
    expect(await waiter).toBeInstanceOf(MCPConnectionError);
    expect(leased.isConnected()).toBe(false);
    expect(extra.isConnected()).toBe(false);
    await expect(p.acquire()).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    await p.close(); // idempotent
    p.release(leased); // after close: harmless

    const q = pool({ size: 1 });
    const connecting = q.acquire().catch((e: unknown) => e);
    await q[Symbol.asyncDispose]();
    expect(await connecting).toMatchObject({
      code: expect.stringMatching(/NOT_CONNECTED|CONNECTION_CLOSED/),
    });
    expect(q.stats.size).toBe(0);
  });
});

/** A stand-in for MCPClient with a health check the test answers by hand. */
class ScriptedClient {
  connected = false;
  healthChecks = 0;
  /** The answer of the next health check; undefined = answer true at once. */
  nextHealth: Promise<boolean> | undefined;
  async connect(): Promise<void> {
    this.connected = true;
  }
  async disconnect(): Promise<void> {
    this.connected = false;
  }
  isConnected(): boolean {
    return this.connected;
  }
  async healthCheck(): Promise<boolean> {
    this.healthChecks++;
    const answer = this.nextHealth ?? Promise.resolve(true);
    this.nextHealth = undefined;
    return answer;
  }
}

describe("MCPConnectionPool with scripted clients", () => {
  it("close() during an idle client's health check: acquire() creates no client after close() resolved", async () => {
    const made: ScriptedClient[] = [];
    const p = pool({
      createClient: () => {
        const client = new ScriptedClient();
        made.push(client);
        return client as unknown as MCPClient;
      },
    });
    const first = await p.acquire();
    p.release(first);
    let answer!: (healthy: boolean) => void;
    let checking!: () => void;
    const checkStarted = new Promise<void>((resolveStarted) => (checking = resolveStarted));
    made[0]!.nextHealth = new Promise<boolean>((resolveHealth) => {
      answer = resolveHealth;
      checking();
    });
    const second = p.acquire().catch((e: unknown) => e);
    await checkStarted;
    await p.close();
    answer(true);
    expect(await second).toMatchObject({ code: "NOT_CONNECTED", serverName: "demo" });
    expect(made).toHaveLength(1);
    expect(p.stats).toMatchObject({ size: 0, connecting: 0 });
  });
});

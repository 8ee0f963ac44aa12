import { describe, expect, it } from "vitest";

import { MCPConfigurationError } from "../../../src/errors/errors.js";
import { MCPCancelledError, MCPError, MCPTimeoutError } from "../../../src/errors/errors.js";
import { CircuitBreaker } from "../../../src/resilience/circuitBreaker.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import { ConcurrencyLimit } from "../../../src/resilience/concurrencyLimit.js";
import { classifyOutcome } from "../../../src/resilience/outcome.js";

function deferred<T = string>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(maxInFlight = 1, maxQueue = 1) {
  const clock = new ManualClock();
  const limit = new ConcurrencyLimit({ name: "srv", maxInFlight, maxQueue, clock });
  return { clock, limit };
}

describe("ConcurrencyLimit", () => {
  it("runs up to maxInFlight at once, queues up to maxQueue, refuses beyond with QUEUE_FULL", async () => {
    const { limit } = setup(2, 1);
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limit.run(() => {
        started.push(i);
        return gate.promise;
      }),
    );
    await flush();
    expect(started).toEqual([0, 1]);
    expect(limit.inFlight).toBe(2);
    expect(limit.queued).toBe(1);
    let ran = false;
    const refused = await limit
      .run(
        () => {
          ran = true;
          return Promise.resolve("x");
        },
        { operation: 'tools/call "echo"' },
      )
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(refused).toBeInstanceOf(MCPError);
    expect(refused).toMatchObject({ code: "QUEUE_FULL", serverName: "srv" });
    expect((refused as Error).message).toContain("max_queue 1");
    gates[0]!.resolve("a");
    await flush();
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve("b");
    gates[2]!.resolve("c");
    await expect(Promise.all(runs)).resolves.toEqual(["a", "b", "c"]);
    expect(limit.inFlight).toBe(0);
  });

  it("maxQueue 0 refuses every call beyond maxInFlight", async () => {
    const { limit } = setup(1, 0);
    const gate = deferred();
    const first = limit.run(() => gate.promise);
    await expect(limit.run(() => Promise.resolve("x"))).rejects.toMatchObject({ code: "QUEUE_FULL" });
    gate.resolve("ok");
    await first;
  });

  it("serves the queue in FIFO order and hands the slot over directly", async () => {
    const { limit } = setup(1, 5);
    const order: number[] = [];
    const gate = deferred();
    const head = limit.run(() => gate.promise);
    const queued = [1, 2, 3].map((i) =>
      limit.run(async () => {
        order.push(i);
        return i;
      }),
    );
    gate.resolve("go");
    await Promise.all([head, ...queued]);
    expect(order).toEqual([1, 2, 3]);
  });

  it("an abort while queued rejects at once with MCPCancelledError and frees the queue place", async () => {
    const { limit } = setup(1, 1);
    const gate = deferred();
    const head = limit.run(() => gate.promise);
    const controller = new AbortController();
    let ran = false;
    const queued = limit
      .run(
        () => {
          ran = true;
          return Promise.resolve("x");
        },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    expect(limit.queued).toBe(1);
    controller.abort(new Error("user stop"));
    expect(await queued).toBeInstanceOf(MCPCancelledError);
    expect(limit.queued).toBe(0);
    // The freed place can be used again.
    const again = limit.run(() => Promise.resolve("again"));
    gate.resolve("head");
    await expect(head).resolves.toBe("head");
    await expect(again).resolves.toBe("again");
    expect(ran).toBe(false);
  });

  it("an already-aborted signal is refused before queueing", async () => {
    const { limit } = setup(1, 1);
    await expect(limit.run(() => Promise.resolve(1), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      MCPCancelledError,
    );
    expect(limit.inFlight).toBe(0);
  });

  it("a queued call times out at queueTimeoutMs, not before", async () => {
    const { limit, clock } = setup(1, 1);
    const gate = deferred();
    const head = limit.run(() => gate.promise);
    let settled: unknown;
    const queued = limit
      .run(() => Promise.resolve("late"), { queueTimeoutMs: 500, operation: "tools/call" })
      .catch((e: unknown) => e)
      .then((v) => (settled = v));
    clock.advance(499);
    await flush();
    expect(settled).toBeUndefined();
    clock.advance(1);
    await queued;
    expect(settled).toBeInstanceOf(MCPTimeoutError);
    expect(settled).toMatchObject({ timeoutSeconds: 0.5, operation: "queue for tools/call" });
    expect(limit.queued).toBe(0);
    gate.resolve("done");
    await head;
    expect(clock.pending).toBe(0);
  });

  it("a failing call releases its slot", async () => {
    const { limit } = setup(1, 1);
    await expect(limit.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(limit.inFlight).toBe(0);
    await expect(limit.run(() => Promise.resolve("ok"))).resolves.toBe("ok");
  });

  it("refusals are neutral for the breaker", async () => {
    const { limit } = setup(1, 0);
    const breaker = new CircuitBreaker({ name: "srv", failureThreshold: 1, clock: new ManualClock() });
    const gate = deferred();
    const head = limit.run(() => breaker.execute(() => gate.promise));
    const refused = await limit
      .run(() => breaker.execute(() => Promise.resolve("x")))
      .catch((e: unknown) => e);
    expect(classifyOutcome(refused)).toBe("neutral");
    // Even fed to the breaker directly, a QUEUE_FULL refusal changes nothing.
    await breaker.execute(() => Promise.reject(refused)).catch(() => undefined);
    expect(breaker.snapshot()).toMatchObject({ state: "closed", consecutiveFailures: 0 });
    gate.resolve("ok");
    await head;
  });

  it("refuses nonsensical limits", () => {
    expect(() => new ConcurrencyLimit({ name: "x", maxInFlight: 0, maxQueue: 1 })).toThrow(/got 0/);
    expect(() => new ConcurrencyLimit({ name: "x", maxInFlight: 1, maxQueue: -1 })).toThrow(
      MCPConfigurationError,
    );
  });
});

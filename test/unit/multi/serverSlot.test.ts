// ServerSlot on its own: state only through transition(), the epoch that makes our own closes
// neutral for the breaker, markConnected() and the monitor.
import { describe, expect, it, vi } from "vitest";

import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPConnectionError } from "../../../src/errors/errors.js";
import type { SlotHooks } from "../../../src/multi/serverSlot.js";
import { ServerSlot } from "../../../src/multi/serverSlot.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import type { FakeClient } from "../../fakes/fakeClient.js";
import { cfg, fakeFactory, tool } from "../../fakes/fakeClient.js";

function slotFor(input = cfg("a", { circuit_breaker: { failure_threshold: 1 } }), healthCheck = false) {
  const factory = fakeFactory();
  const clock = new ManualClock();
  const hooks: SlotHooks = {
    onClientEvent: vi.fn(),
    onBreakerChange: vi.fn(),
    onHealthChange: vi.fn(),
    onUnhealthy: vi.fn(),
  };
  const slot = new ServerSlot(
    MCPConfigValidator.validateServerConfig(input),
    clock,
    {
      createClient: factory.createClient,
      healthCheck,
    },
    hooks,
  );
  return { slot, clock, hooks, fake: factory.fakes.get("a") as FakeClient };
}

describe("ServerSlot", () => {
  it("changes state only through transition(), which keeps the reason", () => {
    const { slot } = slotFor();
    expect(slot.state).toBe("disconnected");
    slot.transition("connecting", "connect()");
    expect([slot.state, slot.stateReason]).toEqual(["connecting", "connect()"]);
    expect(slot.live).toBe(false);
  });

  it("markConnected() records the lists, clears the last error and is live while the client is", async () => {
    const { slot, fake, clock } = slotFor();
    fake.serverTools = [tool("x"), tool("y")];
    slot.lastError = new MCPConnectionError("old", { code: "CONNECTION_CLOSED" });
    await fake.connect();
    clock.advance(5);
    slot.markConnected("connect()");
    expect(slot.state).toBe("connected");
    expect(slot.live).toBe(true);
    expect(slot.lastError).toBeUndefined();
    expect(slot.connectedAt).toBe(clock.now());
    expect(slot.snapshot?.tools.map((t) => t.name)).toEqual(["x", "y"]);
    fake.lose();
    expect(slot.live).toBe(false);
  });

  it("counts a failure against the breaker, but not one of work abandoned by our own close", async () => {
    const { slot } = slotFor();
    const failing = () => Promise.reject(new MCPConnectionError("boom", { code: "CONNECTION_CLOSED" }));

    const epoch = slot.epoch;
    const abandonedRun = slot.guarded(async () => {
      slot.abandon("disconnect() was called");
      return failing();
    });
    await expect(abandonedRun).rejects.toThrow("boom");
    expect(slot.epoch).toBe(epoch + 1);
    expect(slot.breaker.snapshot().state).toBe("closed");

    const controller = new AbortController();
    controller.abort();
    await expect(slot.guarded(failing, controller.signal)).rejects.toThrow("boom");
    expect(slot.breaker.snapshot().state).toBe("closed");

    await expect(slot.guarded(failing)).rejects.toThrow("boom");
    expect(slot.breaker.snapshot().state).toBe("open");
  });

  it("abandon() stops the monitor and tells the reconnect cycle to stop", () => {
    const { slot } = slotFor(cfg("a"), true);
    expect(slot.monitor).toBeDefined();
    const stop = vi.spyOn(slot.monitor!, "stop");
    slot.loopAbort = new AbortController();
    slot.abandon("connect({ strict: true }) failed");
    expect(stop).toHaveBeenCalled();
    expect((slot.loopAbort.signal.reason as Error).message).toBe("connect({ strict: true }) failed");
  });

  it("pings only a connected server, through the breaker", async () => {
    const { slot, fake } = slotFor();
    expect(await slot.ping(1000)).toBeUndefined();
    await fake.connect();
    slot.markConnected("connect()");
    expect(await slot.ping(1000)).toBe(true);
    fake.ping.mockResolvedValueOnce(false);
    expect(await slot.ping(1000)).toBe(false);
    expect(slot.breaker.snapshot().state).toBe("open");
    expect(await slot.ping(1000)).toBeUndefined();
  });
});

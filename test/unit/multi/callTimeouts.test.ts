// `timeout: Infinity` means no limit, also while a call waits for a reconnect: before every timer went
// through the clock, the wait armed setTimeout(Infinity), which Node turns into 1 ms (with a
// TimeoutOverflowWarning), so the call failed with NOT_CONNECTED at once (issue 11 item 10).
import { afterEach, describe, expect, it, vi } from "vitest";

import type { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { cfg, setupMulti } from "../../fakes/fakeClient.js";
import { deferred, settledState } from "../../helpers/async.js";
import { recordWarnings } from "../../helpers/warnings.js";

const created: MultiMCPClient[] = [];
const DAY_MS = 24 * 3600 * 1000;
/** Held reconnects; opened after each test, so a failed assertion cannot leave disconnect() waiting. */
const gates: Array<ReturnType<typeof deferred<void>>> = [];

function gate() {
  const held = deferred<void>();
  gates.push(held);
  return held;
}

afterEach(async () => {
  vi.useRealTimers();
  for (const held of gates.splice(0)) held.resolve();
  await Promise.all(created.splice(0).map((multi) => multi.disconnect()));
});

describe("timeout: Infinity while the server reconnects", () => {
  it("waits for the reconnect however long it takes (fake timers, 30 days) and is then sent", async () => {
    vi.useFakeTimers();
    const { multi, get } = setupMulti(created, [cfg("a", { reconnect: { initial_delay: 1 } })]);
    await multi.connect();
    const reconnect = gate();
    get("a").connectPlan.push(() => reconnect.promise);
    get("a").lose();
    const call = settledState(multi.callTool("mcp__a__echo", {}, { timeout: Infinity }));
    await vi.advanceTimersByTimeAsync(30 * DAY_MS);
    expect(call).toEqual({ settled: false });
    expect(multi.getServerStatus("a").state).toBe("reconnecting");
    reconnect.resolve();
    await vi.advanceTimersByTimeAsync(0);
    await vi.waitFor(() => expect(call.settled).toBe(true));
    expect(call.error).toBeUndefined();
    expect(call.value).toMatchObject({ content: [{ text: "a:echo" }] });
    // What was left of "no limit" is still no limit.
    expect(get("a").call.mock.calls[0]?.[2].timeout).toBe(Infinity);
  });

  it("arms no timer Node would shorten: no TimeoutOverflowWarning, no early NOT_CONNECTED (real timers)", async () => {
    const warnings = recordWarnings();
    try {
      const { multi, get } = setupMulti(created, [cfg("a", { reconnect: { initial_delay: 0.001 } })]);
      await multi.connect();
      const reconnect = gate();
      const reconnecting = deferred();
      get("a").connectPlan.push(() => {
        reconnecting.resolve();
        return reconnect.promise;
      });
      get("a").lose();
      const call = settledState(multi.callTool("mcp__a__echo", {}, { timeout: Infinity }));
      await reconnecting.promise;
      // A bound, not a wait for something: the old code failed the call after 1 ms.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(call).toEqual({ settled: false });
      reconnect.resolve();
      await vi.waitFor(() => expect(call.settled).toBe(true));
      expect(call.error).toBeUndefined();
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.names()).not.toContain("TimeoutOverflowWarning");
    } finally {
      warnings.stop();
    }
  });
});

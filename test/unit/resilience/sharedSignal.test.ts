// Many waiters sharing one AbortSignal: each used to add its own "abort" listener, so 11 of them made
// Node print MaxListenersExceededWarning ("possible memory leak") although nothing leaks. Now the
// signal gets one listener and the abort still reaches every waiter (issue 11 item 12).
import { afterEach, describe, expect, it } from "vitest";

import { MCPCancelledError } from "../../../src/errors/errors.js";
import { ManualClock, sleepOn } from "../../../src/resilience/clock.js";
import { ConcurrencyLimit } from "../../../src/resilience/concurrencyLimit.js";
import { deferred } from "../../helpers/async.js";
import { recordWarnings, warningsSettled } from "../../helpers/warnings.js";

let warnings: ReturnType<typeof recordWarnings> | undefined;
afterEach(() => {
  warnings?.stop();
  warnings = undefined;
});

describe("many waiters on one signal: no MaxListenersExceededWarning, and the abort still reaches all", () => {
  it("60 sleeps", async () => {
    warnings = recordWarnings();
    const clock = new ManualClock();
    const controller = new AbortController();
    const sleeps = Array.from({ length: 60 }, () => sleepOn(clock, 1_000, controller.signal));
    await warningsSettled();
    expect(warnings.names()).not.toContain("MaxListenersExceededWarning");
    controller.abort(new Error("stop"));
    const outcomes = await Promise.allSettled(sleeps);
    expect(outcomes.every((o) => o.status === "rejected")).toBe(true);
    expect(clock.pending).toBe(0);
  });

  it("60 calls queued behind a concurrency limit", async () => {
    warnings = recordWarnings();
    const limit = new ConcurrencyLimit({
      name: "srv",
      maxInFlight: 1,
      maxQueue: 100,
      clock: new ManualClock(),
    });
    const controller = new AbortController();
    const blocker = deferred();
    const running = limit.run(() => blocker.promise);
    const queued = Array.from({ length: 60 }, () =>
      limit.run(async () => "ran", { signal: controller.signal, operation: "tools/call" }),
    );
    await warningsSettled();
    expect(warnings.names()).not.toContain("MaxListenersExceededWarning");
    expect(limit.queued).toBe(60);
    controller.abort();
    const outcomes = await Promise.allSettled(queued);
    expect(outcomes.map((o) => (o.status === "rejected" ? o.reason : o.value))).toEqual(
      Array.from({ length: 60 }, () => expect.any(MCPCancelledError)),
    );
    expect(limit.queued).toBe(0);
    blocker.resolve();
    await running;
  });
});

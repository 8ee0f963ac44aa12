// One "abort" listener per signal however many waiters share it: Node prints
// MaxListenersExceededWarning ("possible memory leak") past 10 listeners on one AbortSignal, and a
// caller sharing one signal across many calls leaks nothing (issue 11 item 12).
import { getEventListeners } from "node:events";

import { describe, expect, it, vi } from "vitest";

import { abortWaiterCount, linkedSignal, onAbort } from "../../../src/common/abort.js";

describe("onAbort", () => {
  it("runs every waiter once, in registration order, through one listener", () => {
    const controller = new AbortController();
    const added = vi.spyOn(controller.signal, "addEventListener");
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) onAbort(controller.signal, () => seen.push(i));
    expect(added).toHaveBeenCalledTimes(1);
    controller.abort();
    controller.abort();
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(abortWaiterCount(controller.signal)).toBe(0);
  });

  it("a waiter that stopped waiting is not run; stopping twice is harmless; the same callback may wait twice", () => {
    const controller = new AbortController();
    const callback = vi.fn();
    const stop = onAbort(controller.signal, callback);
    onAbort(controller.signal, callback);
    stop();
    stop();
    expect(abortWaiterCount(controller.signal)).toBe(1);
    controller.abort();
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it("does nothing for a signal that has already aborted (callers check `aborted` first)", () => {
    const callback = vi.fn();
    const stop = onAbort(AbortSignal.abort(), callback);
    stop();
    expect(callback).not.toHaveBeenCalled();
  });

  it("a throwing waiter does not stop the others; its error is rethrown afterwards", () => {
    const controller = new AbortController();
    const later = vi.fn();
    onAbort(controller.signal, () => {
      throw new Error("first");
    });
    onAbort(controller.signal, later);
    const thrown = new Promise<unknown>((resolve) => process.once("uncaughtException", resolve));
    controller.abort();
    expect(later).toHaveBeenCalledTimes(1);
    return expect(thrown).resolves.toMatchObject({ message: "first" });
  });
});

describe("onAbort bookkeeping", () => {
  it("waiters that finish leave the set, and the last one out removes the listener", () => {
    const controller = new AbortController();
    const stops = Array.from({ length: 50 }, () => onAbort(controller.signal, () => undefined));
    expect(abortWaiterCount(controller.signal)).toBe(50);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    for (const stop of stops.slice(1)) stop();
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    stops[0]!();
    expect(abortWaiterCount(controller.signal)).toBe(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
    // And the signal can be waited on again afterwards.
    const again = vi.fn();
    onAbort(controller.signal, again);
    controller.abort();
    expect(again).toHaveBeenCalledTimes(1);
  });
});

describe("onAbort dispatch", () => {
  it("a waiter stopped by an earlier waiter's callback during the abort is not run", () => {
    const controller = new AbortController();
    const second = vi.fn();
    let stopSecond: () => void = () => undefined;
    onAbort(controller.signal, () => stopSecond());
    stopSecond = onAbort(controller.signal, second);
    controller.abort();
    expect(second).not.toHaveBeenCalled();
    expect(abortWaiterCount(controller.signal)).toBe(0);
  });
});

describe("linkedSignal", () => {
  it("is one internal signal per caller's signal, made once: no allocation per call", () => {
    const controller = new AbortController();
    const first = linkedSignal(controller.signal);
    expect(first).not.toBe(controller.signal);
    for (let i = 0; i < 1_000; i++) expect(linkedSignal(controller.signal)).toBe(first);
    // One waiter on the caller's signal however many calls used it.
    expect(abortWaiterCount(controller.signal)).toBe(1);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
  });

  it("aborts with the caller's reason; a signal that already aborted is used as it is", () => {
    const controller = new AbortController();
    const internal = linkedSignal(controller.signal);
    const reason = new Error("stop");
    controller.abort(reason);
    expect(internal.aborted).toBe(true);
    expect(internal.reason).toBe(reason);
    expect(linkedSignal(controller.signal)).toBe(controller.signal);
  });

  it("takes many per-request listeners without MaxListenersExceededWarning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const internal = linkedSignal(new AbortController().signal);
      const listeners = Array.from({ length: 50 }, () => () => undefined);
      for (const listener of listeners) internal.addEventListener("abort", listener);
      for (const listener of listeners) internal.removeEventListener("abort", listener);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});

import { describe, expect, it, vi } from "vitest";

import { EventHub } from "../../../src/common/events.js";

interface Events {
  ping: { n: number };
  pong: { text: string };
}

describe("EventHub", () => {
  it("a throwing listener (or catch-all) never reaches the emitter, and later listeners still run", () => {
    const catchAll = vi.fn(() => {
      throw new Error("catch-all bug");
    });
    const hub = new EventHub<Events>(catchAll);
    const after = vi.fn();
    hub.on("ping", () => {
      throw new Error("listener bug");
    });
    hub.on("ping", after);
    expect(() => hub.emit("ping", { n: 1 })).not.toThrow();
    expect(after).toHaveBeenCalledWith({ n: 1 });
    expect(catchAll).toHaveBeenCalledWith({ type: "ping", n: 1 });
  });

  it("has() is true only with a listener for the event or a catch-all; unsubscribing twice is harmless", () => {
    const hub = new EventHub<Events>();
    expect(hub.has("ping")).toBe(false);
    const off = hub.on("ping", () => undefined);
    expect(hub.has("ping")).toBe(true);
    expect(hub.has("pong")).toBe(false);
    off();
    off();
    expect(hub.has("ping")).toBe(false);
    expect(new EventHub<Events>(() => undefined).has("pong")).toBe(true);
  });
});

// Fault-matrix row 27, `strict: true` variant, with scripted clients (no process): all or nothing.
import { afterEach, describe, expect, it } from "vitest";

import type { ServerConfigInput } from "../../../src/config/types.js";
import { MCPConnectionError } from "../../../src/errors/errors.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { fakeFactory } from "../../fakes/fakeClient.js";

const cfg = (name: string): ServerConfigInput => ({ name, command: "node", args: [`${name}.js`] });
const clients: MultiMCPClient[] = [];

function setup(names: string[]) {
  const factory = fakeFactory();
  const multi = new MultiMCPClient(names.map(cfg), { createClient: factory.createClient });
  clients.push(multi);
  return { multi, ...factory };
}

const failure = (server: string, code: "SPAWN_FAILED" | "PROCESS_EXITED") => () =>
  Promise.reject(new MCPConnectionError(`${server} failed`, { code, serverName: server }));

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

describe("MultiMCPClient.connect({ strict: true })", () => {
  it("resolves with the summary when every server connects", async () => {
    const { multi } = setup(["a", "b"]);
    const summary = await multi.connect({ strict: true });
    expect(summary.connected).toEqual(["a", "b"]);
    expect(multi.getAvailableTools()).toEqual(["mcp__a__echo", "mcp__b__echo"]);
  });

  it("rejects with every outcome and closes the servers it connected", async () => {
    const { multi, get } = setup(["a", "b", "c"]);
    get("b").connectPlan.push(failure("b", "PROCESS_EXITED"));
    get("c").connectPlan.push(failure("c", "SPAWN_FAILED"));
    const error = await multi.connect({ strict: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({
      code: "NOT_CONNECTED",
      context: { servers: { a: "connected", b: "PROCESS_EXITED", c: "SPAWN_FAILED" }, closed: ["a"] },
    });
    expect((error as Error).message).toContain("2 of 3");
    expect(((error as Error).cause as AggregateError).errors.map((e: { code: string }) => e.code)).toEqual([
      "PROCESS_EXITED",
      "SPAWN_FAILED",
    ]);
    expect(get("a").disconnectCalls).toBe(1);
    expect(multi.getServerStatus("a").state).toBe("disconnected");
    expect(multi.getServerStatus("b").state).toBe("failed");
    expect(multi.isConnected()).toBe(false);
    expect(multi.getAvailableTools()).toEqual([]);
  });

  it("leaves servers connected by an earlier call alone, and only closes what it started", async () => {
    const { multi, get } = setup(["a", "b", "c"]);
    get("b").connectPlan.push(failure("b", "SPAWN_FAILED"));
    get("c").connectPlan.push(failure("c", "SPAWN_FAILED"));
    await multi.connect(); // partial success: a only
    get("c").connectPlan.push(failure("c", "SPAWN_FAILED"));
    const error = await multi.connect({ strict: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "NOT_CONNECTED", context: { closed: ["b"] } });
    expect(get("a").disconnectCalls).toBe(0);
    expect(get("b").disconnectCalls).toBe(1);
    expect(multi.getServerStatus("a").state).toBe("connected");
    expect(multi.isConnected()).toBe(true);
    expect(multi.getAvailableTools()).toEqual(["mcp__a__echo"]);
    await expect(multi.callTool("mcp__a__echo")).resolves.toMatchObject({ content: [{ text: "a:echo" }] });
  });

  it("without strict, the same failures are a partial success (the default)", async () => {
    const { multi, get } = setup(["a", "b"]);
    get("b").connectPlan.push(failure("b", "SPAWN_FAILED"));
    const summary = await multi.connect();
    expect(summary).toMatchObject({ connected: ["a"], failed: ["b"] });
    expect(get("a").disconnectCalls).toBe(0);
  });

  it("when every server fails, strict still reports all of them in one aggregate", async () => {
    const { multi, get } = setup(["solo"]);
    get("solo").connectPlan.push(failure("solo", "SPAWN_FAILED"));
    await expect(multi.connect({ strict: true })).rejects.toMatchObject({
      code: "NOT_CONNECTED",
      context: { servers: { solo: "SPAWN_FAILED" }, closed: [] },
    });
    // Non-strict keeps the single server's own error.
    get("solo").connectPlan.push(failure("solo", "SPAWN_FAILED"));
    await expect(multi.connect()).rejects.toMatchObject({ code: "SPAWN_FAILED", serverName: "solo" });
  });
});

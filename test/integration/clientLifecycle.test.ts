// Lifecycle races and cache rules of MCPClient found in review: connect right after disconnect,
// concurrent reconnects, disconnect during a reconnect loop, list_changed during a refresh, schemas
// with the same $id, and per-call timeout validation.
import { resolve } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { MCPValidationError } from "../../src/errors/errors.js";
import { isAlive } from "../helpers/processes.js";
import { demoStdio, faultStdio } from "../helpers/servers.js";

const SCRIPTED = resolve("test/fixtures/scriptedStdioServer.mjs");
const clients: MCPClient[] = [];

afterEach(async () => {
  const pids = clients.map((c) => c.getDiagnostics().pid).filter((pid): pid is number => pid !== undefined);
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
});

function track(client: MCPClient): MCPClient {
  clients.push(client);
  return client;
}

function scripted(name: string, env: Record<string, string>): ServerConfigInput {
  return { name, command: process.execPath, args: [SCRIPTED], env, shutdown_grace: 0.3 };
}

/** Resolves when `predicate` holds after some listChanged event, or rejects after `ms`. */
function untilListed(client: MCPClient, predicate: () => boolean, ms = 5000): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      off();
      fail(new Error(`tools never matched; they are ${client.getAvailableTools().join(", ")}`));
    }, ms);
    const off = client.on("listChanged", () => {
      if (!predicate()) return;
      clearTimeout(timer);
      off();
      done();
    });
  });
}

describe("MCPClient lifecycle races", () => {
  it("connect() right after disconnect() settles both (no deadlock)", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const closing = client.disconnect();
    const reopening = client.connect();
    await Promise.all([closing, reopening]);
    expect(client.state).toBe("connected");
    expect((await client.callTool("echo", { message: "x" })).content).toEqual([
      { type: "text", text: "Echo: x" },
    ]);
  });

  it("concurrent reconnect() calls share one loop", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    let connects = 0;
    client.on("connecting", () => connects++);
    const [a, b] = await Promise.all([
      client.reconnect({ maxRetries: 2, retryDelay: 0.05 }),
      client.reconnect({ maxRetries: 2, retryDelay: 0.05 }),
    ]);
    expect([a, b]).toEqual([true, true]);
    expect(connects).toBe(1);
    expect(client.isConnected()).toBe(true);
  });

  it("disconnect() stops a running reconnect loop", async () => {
    const client = track(new MCPClient(faultStdio("exit-immediately:1")));
    let attempts = 0;
    const loop = client.reconnect({ maxRetries: 50, retryDelay: 0.05 });
    await new Promise<void>((started) =>
      client.on("reconnecting", () => {
        if (++attempts === 2) started();
      }),
    );
    await client.disconnect();
    expect(await loop).toBe(false);
    expect(attempts).toBeLessThan(5);
    expect(client.state).toBe("disconnected");
  });

  it("reconnect() with retryDelay 0 retries at once instead of throwing", async () => {
    const client = track(new MCPClient(faultStdio("exit-immediately:1")));
    await expect(client.reconnect({ maxRetries: 2, retryDelay: 0 })).resolves.toBe(false);
  });
});

describe("MCPClient lists and schemas", () => {
  it("a list_changed that arrives while a refresh runs is not lost", async () => {
    const client = track(
      await MCPClient.createAndConnect(
        scripted("race", { LIST_VERSIONS: JSON.stringify([["a"], ["a", "b"], ["a", "b", "c"]]), RACE: "1" }),
      ),
    );
    expect(client.getAvailableTools().sort()).toEqual(["a", "bump"]);
    const complete = untilListed(client, () => client.getAvailableTools().includes("c"));
    await client.callTool("bump", {});
    await complete;
    expect(client.getAvailableTools().sort()).toEqual(["a", "b", "bump", "c"]);
  });

  it("two servers whose schemas share an $id each keep their own validator", async () => {
    const id = "https://example.com/schemas/args.json";
    const tool = (required: string, type: string) =>
      JSON.stringify([
        {
          name: "t",
          inputSchema: {
            $id: id,
            type: "object",
            properties: { [required]: { type } },
            required: [required],
          },
        },
      ]);
    const one = track(await MCPClient.createAndConnect(scripted("one", { TOOLS: tool("a", "string") })));
    const two = track(await MCPClient.createAndConnect(scripted("two", { TOOLS: tool("b", "number") })));
    expect((await one.callTool("t", { a: "x" })).content).toEqual([{ type: "text", text: 'ok {"a":"x"}' }]);
    expect((await two.callTool("t", { b: 1 })).content).toEqual([{ type: "text", text: 'ok {"b":1}' }]);
    await expect(two.callTool("t", { a: "x" })).rejects.toMatchObject({ code: "INVALID_ARGUMENTS" });
  });
});

describe("MCPClient with a very long list page", () => {
  it("a tools/list page of 150,000 tools (about 7 MB) connects: items are not spread as arguments", async () => {
    const client = track(new MCPClient(scripted("many", { TOOL_COUNT: "150000" })));
    await client.connect();
    expect(client.tools.size).toBe(150_000);
    expect(client.tools.has("t149999")).toBe(true);
  });
});

describe("MCPClient per-call options", () => {
  it.each([0, -5, Number.NaN, "10"])("refuses timeout %s before sending", async (timeout) => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    const error = await client
      .callTool("echo", { message: "x" }, { timeout: timeout as number })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPValidationError);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENTS", rule: "options.timeout" });
  });

  it("accepts Infinity (no limit) for timeout and maxTotalTimeout, with and without progress", async () => {
    const client = track(await MCPClient.createAndConnect(demoStdio()));
    await expect(client.callTool("echo", { message: "x" }, { timeout: Infinity })).resolves.toBeDefined();
    const steps: number[] = [];
    await client.callTool(
      "slow_task",
      { seconds: 0.1, steps: 2 },
      {
        timeout: Infinity,
        maxTotalTimeout: Infinity,
        resetTimeoutOnProgress: true,
        onProgress: (p) => steps.push(p.progress),
      },
    );
    expect(steps).toEqual([1, 2]);
  });
});

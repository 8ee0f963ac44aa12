// Per-call options are checked by one function for MCPClient, MultiMCPClient and ConnectionPool: the
// same bad value gets the same error class, code, rule and message from each, before anything is
// sent, queued or started, and nothing is clamped (issue 11 item 10).
import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../../src/client/mcpClient.js";
import { MCPTimeoutError, MCPValidationError } from "../../../src/errors/errors.js";
import type { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { MCPConnectionPool } from "../../../src/pool/connectionPool.js";
import { cfg, setupMulti } from "../../fakes/fakeClient.js";

const created: MultiMCPClient[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((multi) => multi.disconnect()));
});

/** A client that is never connected: option checks come before the connection check. */
const single = () => new MCPClient(cfg("srv"));

async function multiClient() {
  const setup = setupMulti(created, [cfg("srv")]);
  await setup.multi.connect();
  return setup;
}

const settle = (work: () => Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> =>
  work().then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );

describe("one check of per-call options for both clients", () => {
  it.each([
    [0, "0"],
    [-1, "-1"],
    [Number.NaN, "NaN"],
    ["5", 'the string "5"'],
  ])("timeout %s: the same MCPValidationError from MCPClient and MultiMCPClient", async (timeout, shown) => {
    const { multi, get } = await multiClient();
    const options = { timeout: timeout as number };
    const fromSingle = await settle(() => single().callTool("echo", {}, options));
    const fromMulti = await settle(() => multi.callTool("mcp__srv__echo", {}, options));
    for (const outcome of [fromSingle, fromMulti]) {
      expect(outcome.error).toBeInstanceOf(MCPValidationError);
      expect(outcome.error).toMatchObject({
        code: "INVALID_ARGUMENTS",
        serverName: "srv",
        field: "timeout",
        rule: "options.timeout",
      });
    }
    const message = (fromSingle.error as Error).message;
    expect(message).toBe(
      `Invalid option for tools/call "echo" on server "srv": timeout must be a number of seconds > 0, or Infinity for no limit, got ${shown}. Nothing was sent or started; pass a value in range, or leave the option out for its default.`,
    );
    expect((fromMulti.error as Error).message).toBe(message);
    // Refused before the queue, the breaker or the server: nothing was sent, and it is no timeout.
    expect(fromMulti.error).not.toBeInstanceOf(MCPTimeoutError);
    expect(get("srv").call).not.toHaveBeenCalled();
    expect(multi.getServerStatus("srv")).toMatchObject({ consecutiveFailures: 0, breaker: "closed" });
  });

  it("timeout Infinity is accepted by both (no limit)", async () => {
    const { multi } = await multiClient();
    const fromSingle = await settle(() => single().callTool("echo", {}, { timeout: Infinity }));
    // Accepted, so the next check speaks: this client is not connected.
    expect(fromSingle.error).toMatchObject({ code: "NOT_CONNECTED" });
    await expect(multi.callTool("mcp__srv__echo", {}, { timeout: Infinity })).resolves.toBeDefined();
  });

  it("resources and prompts get the same check", async () => {
    const { multi } = await multiClient();
    for (const work of [
      () => single().getResource("x://a", { timeout: -1 }),
      () => single().getPrompt("p", {}, { timeout: 0 }),
      () => multi.getResource("x://a", { server: "srv", timeout: -1 }),
    ]) {
      await expect(work()).rejects.toMatchObject({ code: "INVALID_ARGUMENTS", rule: "options.timeout" });
    }
  });

  it("maxTotalTimeout, signal, onProgress and resetTimeoutOnProgress are checked too, every problem at once", async () => {
    const { multi } = await multiClient();
    const options = {
      maxTotalTimeout: -2,
      signal: "stop" as unknown as AbortSignal,
      onProgress: 1 as unknown as () => void,
      resetTimeoutOnProgress: "yes" as unknown as boolean,
    };
    for (const work of [
      () => single().callTool("echo", {}, options),
      () => multi.callTool("mcp__srv__echo", {}, options),
    ]) {
      const error = (await settle(work)).error as MCPValidationError;
      expect(error).toBeInstanceOf(MCPValidationError);
      expect(error.rule).toBe("options.maxTotalTimeout");
      for (const part of [
        "maxTotalTimeout must be a number of seconds > 0, or Infinity for no limit, got -2",
        'signal must be an AbortSignal, got the string "stop"',
        "onProgress must be a function, got 1",
        'resetTimeoutOnProgress must be true or false, got the string "yes"',
      ]) {
        expect(error.message).toContain(part);
      }
    }
  });

  it("options that are not an object are refused, not read", async () => {
    const { multi } = await multiClient();
    for (const work of [
      () => single().callTool("echo", {}, 5 as never),
      () => multi.callTool("mcp__srv__echo", {}, "fast" as never),
    ]) {
      await expect(work()).rejects.toMatchObject({ code: "INVALID_ARGUMENTS", rule: "options.type" });
    }
  });
});

describe("null means the default; each option is read once, and what is read is what is checked", () => {
  it("null options and null option values are accepted as the defaults", async () => {
    const { multi } = await multiClient();
    const nulls = { timeout: null, signal: null, onProgress: null, maxTotalTimeout: null } as never;
    // Past the option check, the next check speaks: this client is not connected.
    await expect(single().callTool("echo", {}, nulls)).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    await expect(single().callTool("echo", {}, null as never)).rejects.toMatchObject({
      code: "NOT_CONNECTED",
    });
    await expect(multi.callTool("mcp__srv__echo", {}, nulls)).resolves.toBeDefined();
    await expect(single().healthCheck({ timeout: null } as never)).resolves.toBe(false);
    await expect(single().reconnect({ maxRetries: 0, retryDelay: null } as never)).resolves.toBe(false);
    await expect(multi.healthCheckAll({ timeout: null } as never)).resolves.toEqual({ srv: true });
    await expect(multi.reconnectServer("srv", { maxRetries: null } as never)).resolves.toBe(true);
  });

  it("an inherited option is checked like an own one", async () => {
    const { multi } = await multiClient();
    const inherited = Object.create({ timeout: -1 }) as { timeout: number };
    for (const work of [
      () => single().callTool("echo", {}, inherited),
      () => multi.callTool("mcp__srv__echo", {}, inherited),
      () => single().healthCheck(inherited),
    ]) {
      await expect(work()).rejects.toMatchObject({ code: "INVALID_ARGUMENTS", rule: "options.timeout" });
    }
  });

  it("a getter is read once: the value checked is the value used", async () => {
    const { multi, get } = await multiClient();
    let reads = 0;
    const options = {
      get timeout() {
        reads++;
        return reads === 1 ? 7 : -1;
      },
    };
    await expect(multi.callTool("mcp__srv__echo", {}, options)).resolves.toBeDefined();
    expect(reads).toBe(1);
    expect(get("srv").call).toHaveBeenCalledTimes(1);
    expect(get("srv").call.mock.calls[0]?.[2]).toMatchObject({ timeout: 7 });
  });

  it("a bad option is refused the same way for an unknown tool by both clients (options before names)", async () => {
    const { multi } = await multiClient();
    for (const work of [
      () => single().callTool("nope", {}, { timeout: -1 }),
      () => multi.callTool("mcp__srv__nope", {}, { timeout: -1 }),
      () => multi.getPrompt("mcp__srv__nope", {}, { timeout: -1 }),
      () => multi.getResource("x://unknown", { timeout: -1 }),
    ]) {
      await expect(work()).rejects.toMatchObject({ code: "INVALID_ARGUMENTS", rule: "options.timeout" });
    }
  });
});

describe("reconnect options are refused, not clamped", () => {
  it.each([
    [{ maxRetries: -1 }, "maxRetries", "a whole number from 0 to 100, got -1"],
    [{ maxRetries: 2.5 }, "maxRetries", "a whole number from 0 to 100, got 2.5"],
    [{ maxRetries: Infinity }, "maxRetries", "a whole number from 0 to 100, got Infinity"],
    [{ retryDelay: -1 }, "retryDelay", "a number of seconds from 0 to 3600, got -1"],
    [{ retryDelay: Number.NaN }, "retryDelay", "a number of seconds from 0 to 3600, got NaN"],
  ])(
    "%o: the same error from MCPClient.reconnect and MultiMCPClient.reconnectServer",
    async (options, option, range) => {
      const { multi, get } = await multiClient();
      get("srv").lose();
      const fromSingle = await settle(() => single().reconnect(options));
      const fromMulti = await settle(() => multi.reconnectServer("srv", options));
      for (const outcome of [fromSingle, fromMulti]) {
        expect(outcome.error).toBeInstanceOf(MCPValidationError);
        expect(outcome.error).toMatchObject({ serverName: "srv", field: option, rule: `options.${option}` });
        expect((outcome.error as Error).message).toBe(
          `Invalid option for reconnect on server "srv": ${option} must be ${range}. Nothing was sent or started; pass a value in range, or leave the option out for its default.`,
        );
      }
    },
  );

  it("0 retries and a 0 s delay stay valid", async () => {
    const { multi } = await multiClient();
    await expect(single().reconnect({ maxRetries: 0, retryDelay: 0 })).resolves.toBe(false);
    await expect(multi.reconnectServer("srv", { maxRetries: 0, retryDelay: 0 })).resolves.toBe(true);
  });
});

describe("health checks and the pool use the same check", () => {
  it("MCPClient.healthCheck and MultiMCPClient.healthCheckAll refuse timeout 0 instead of reporting every server dead", async () => {
    const { multi, get } = await multiClient();
    await expect(single().healthCheck({ timeout: 0 })).rejects.toMatchObject({ rule: "options.timeout" });
    await expect(multi.healthCheckAll({ timeout: 0 })).rejects.toMatchObject({ rule: "options.timeout" });
    expect(get("srv").ping).not.toHaveBeenCalled();
  });

  it("MCPConnectionPool.acquire refuses timeout -1 before creating a client", async () => {
    let createdClients = 0;
    const pool = new MCPConnectionPool(cfg("srv"), {
      createClient: (config, options) => {
        createdClients++;
        return new MCPClient(config, options);
      },
    });
    await expect(pool.acquire({ timeout: -1 })).rejects.toMatchObject({
      code: "INVALID_ARGUMENTS",
      serverName: "srv",
      rule: "options.timeout",
    });
    expect(createdClients).toBe(0);
    await pool.close();
  });

  it("a pool healthCheckTimeout out of range is refused when the pool is made, not at the first ping", () => {
    expect(() => new MCPConnectionPool(cfg("srv"), { healthCheckTimeout: 0 })).toThrow(
      /healthCheckTimeout must be a number of seconds > 0, or Infinity for no limit, got 0/,
    );
  });

  it.each([[-1], [0], [Number.NaN], ["5"]])(
    "a pool acquireTimeout of %s is refused when the pool is made, by the per-call timeout's rule",
    (acquireTimeout) => {
      let error: unknown;
      try {
        new MCPConnectionPool(cfg("srv"), { size: 1, acquireTimeout: acquireTimeout as number });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(MCPValidationError);
      expect(error).toMatchObject({ code: "INVALID_ARGUMENTS", field: "acquireTimeout", serverName: "srv" });
      expect((error as Error).message).toContain(
        "acquireTimeout must be a number of seconds > 0, or Infinity for no limit",
      );
    },
  );

  it("a pool acquireTimeout of null or Infinity is accepted", () => {
    expect(() => new MCPConnectionPool(cfg("srv"), { acquireTimeout: null as never })).not.toThrow();
    expect(() => new MCPConnectionPool(cfg("srv"), { acquireTimeout: Infinity })).not.toThrow();
  });
});

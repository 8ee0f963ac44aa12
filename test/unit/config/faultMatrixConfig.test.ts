// Fault-matrix §7.3 rows C1, C2 and P1 as one test each, through the public entry points.
import { describe, expect, it, vi } from "vitest";

import { MCPClient } from "../../../src/client/mcpClient.js";
import { checkServerConfig } from "../../../src/config/serverConfig.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";

function thrown(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("C1: an invalid config is refused as a whole, before anything starts", () => {
  it("lists every problem with its path in one MCPConfigurationError and creates no client", () => {
    const createClient = vi.fn();
    const error = thrown(
      () =>
        new MultiMCPClient(
          [
            { name: "pigeon", type: "carrier-pigeon", command: "node" },
            { name: "nocmd", type: "stdio" },
            { name: "badurl", type: "streamable-http", url: "not a url" },
            { name: "negative", command: "node", args: ["s.js"], timeout: -1 },
            { name: "negative", command: "node", args: ["t.js"] },
          ],
          { createClient },
        ),
    );
    expect(error).toBeInstanceOf(MCPConfigurationError);
    const paths = (error as MCPConfigurationError).issues.map((issue) => issue.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "servers[0].type",
        "servers[1].command",
        "servers[2].url",
        "servers[3].timeout",
        "servers[4].name",
      ]),
    );
    expect((error as MCPConfigurationError).code).toBe("CONFIG_INVALID");
    expect((error as Error).message).toContain("servers[4].name");
    expect(createClient).not.toHaveBeenCalled();
  });

  it("one valid config passes (the other side)", () => {
    const createClient = vi.fn(() => ({}) as MCPClient);
    new MultiMCPClient([{ name: "fine", command: "node", args: ["s.js"] }], { createClient });
    expect(createClient).toHaveBeenCalledTimes(1);
  });
});

describe("C2: partial option objects keep the defaults of the fields they leave out", () => {
  it("reconnect, circuit_breaker, health_check and concurrency merge field by field", () => {
    const { config, issues } = checkServerConfig({
      name: "partial",
      command: "node",
      args: ["s.js"],
      reconnect: { max_attempts: 3 },
      circuit_breaker: { failure_threshold: 2 },
      health_check: { interval: 5 },
      concurrency: { max_in_flight: 2 },
    });
    expect(issues).toEqual([]);
    expect(config).toMatchObject({
      reconnect: { enabled: true, maxAttempts: 3, initialDelay: 1, maxDelay: 30, healthyReset: 60 },
      circuitBreaker: {
        failureThreshold: 2,
        recoveryTimeout: 30,
        expectedException: ["MCPConnectionError", "MCPTimeoutError"],
      },
      healthCheck: { interval: 5, timeout: 5, maxMisses: 2 },
      concurrency: { maxInFlight: 2, maxQueue: 256 },
    });
  });

  it("an empty section is all defaults", () => {
    const { config } = checkServerConfig({ name: "empty", command: "node", args: ["s.js"], reconnect: {} });
    expect(config?.reconnect).toEqual({
      enabled: true,
      maxAttempts: 8,
      initialDelay: 1,
      maxDelay: 30,
      healthyReset: 60,
    });
  });
});

describe("P1: shell metacharacters and shell: true are refused before any spawn", () => {
  it("a command with metacharacters is refused in the constructor (nothing spawned)", () => {
    const error = thrown(() => new MCPClient({ name: "meta", command: "node server.js | sh" }));
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues).toContainEqual(
      expect.objectContaining({ path: "command", rule: "command.metacharacters" }),
    );
  });

  it("shell: true is refused, not silently ignored; shell: false is harmless", () => {
    const error = thrown(
      () => new MCPClient({ name: "sh", command: "node", args: ["s.js"], shell: true } as never),
    );
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues).toEqual([
      expect.objectContaining({ path: "shell", rule: "command.shell" }),
    ]);
    const off = checkServerConfig({ name: "sh", command: "node", args: ["s.js"], shell: false });
    expect(off.issues).toEqual([]);
    expect(off.warnings).toEqual([expect.objectContaining({ path: "shell", rule: "config.unknownKey" })]);
  });
});

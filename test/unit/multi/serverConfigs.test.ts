import { describe, expect, it } from "vitest";

import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";
import { checkServerConfigs, parseServerConfigs } from "../../../src/multi/serverConfigs.js";

const stdio = (name: string) => ({ name, type: "stdio", command: "node", args: ["server.js"] });
const http = (name: string) => ({ name, type: "streamable-http", url: "https://mcp.example.com/mcp" });

describe("server list shapes", () => {
  it("accepts a list, in order", () => {
    const { configs } = parseServerConfigs([stdio("a"), http("b")]);
    expect(configs.map((c) => [c.name, c.type])).toEqual([
      ["a", "stdio"],
      ["b", "streamable-http"],
    ]);
  });

  it("accepts a { name: config } map; the key names the server", () => {
    const { configs, warnings } = parseServerConfigs({
      files: { command: "node", args: ["fs.js"] },
      web: { url: "https://mcp.example.com/mcp", name: "other" },
    });
    expect(configs.map((c) => c.name)).toEqual(["files", "web"]);
    expect(warnings).toEqual([expect.objectContaining({ path: "web.name", rule: "config.ignoredKey" })]);
  });

  it("accepts { mcpServers: map } (Claude/Cursor), { mcpServers: list } and { mcp_servers: … } (MassGen)", () => {
    expect(parseServerConfigs({ mcpServers: { gh: { command: "node" } } }).configs[0]?.name).toBe("gh");
    expect(parseServerConfigs({ mcpServers: [stdio("x")] }).configs[0]?.name).toBe("x");
    expect(parseServerConfigs({ mcp_servers: { y: { command: "node" } } }).configs[0]?.name).toBe("y");
  });

  it("accepts configs that were validated already", () => {
    const validated = MCPConfigValidator.validateServerConfig(stdio("v"));
    expect(parseServerConfigs([validated]).configs[0]).toBe(validated);
  });

  it("reads the new per-server sections in snake_case and camelCase with field-by-field defaults (C2)", () => {
    const { configs } = parseServerConfigs([
      {
        ...stdio("a"),
        reconnect: { max_attempts: 3 },
        health_check: { interval: 10 },
        concurrency: { max_queue: 0 },
      },
      { ...stdio("b"), reconnect: { maxDelay: 5, initialDelay: 0.5 }, healthCheck: { maxMisses: 4 } },
    ]);
    expect(configs[0]).toMatchObject({
      reconnect: { enabled: true, maxAttempts: 3, initialDelay: 1, maxDelay: 30, healthyReset: 60 },
      healthCheck: { interval: 10, timeout: 5, maxMisses: 2 },
      concurrency: { maxInFlight: 16, maxQueue: 0 },
    });
    expect(configs[1]).toMatchObject({
      reconnect: { maxAttempts: 8, initialDelay: 0.5, maxDelay: 5 },
      healthCheck: { interval: undefined, maxMisses: 4 },
    });
  });

  it("reconnect.initial_delay defaults to retry_delay, and the cap follows a larger initial delay", () => {
    const { configs } = parseServerConfigs([
      { ...stdio("a"), retry_delay: 2 },
      { ...stdio("b"), reconnect: { initial_delay: 45 } },
    ]);
    expect(configs[0]?.reconnect).toMatchObject({ initialDelay: 2, maxDelay: 30 });
    expect(configs[1]?.reconnect).toMatchObject({ initialDelay: 45, maxDelay: 45 });
  });
});

describe("all problems at once (C1)", () => {
  it("reports every invalid server with its path, duplicates included, and starts nothing", () => {
    const error = (() => {
      try {
        parseServerConfigs([
          stdio("a"),
          { name: "b", type: "stdio" },
          { name: "c", type: "carrier-pigeon" },
          stdio("a"),
          { ...stdio("d"), timeout: -1, reconnect: { max_attempts: 0 } },
          { ...stdio("e"), concurrency: { max_in_flight: 0 }, health_check: { max_misses: 1.5 } },
          { ...stdio("f"), reconnect: { initial_delay: 5, max_delay: 1 } },
        ]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MCPConfigurationError);
    const paths = (error as MCPConfigurationError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "servers[1].command",
        "servers[2].type",
        "servers[3].name",
        "servers[4].timeout",
        "servers[4].reconnect.max_attempts",
        "servers[6].reconnect.max_delay",
        "servers[5].concurrency.max_in_flight",
        "servers[5].health_check.max_misses",
      ]),
    );
    const duplicate = (error as MCPConfigurationError).issues.find((i) => i.path === "servers[3].name");
    expect(duplicate?.message).toContain('duplicate server name "a" (servers[0] has it already)');
    expect((error as Error).message).toContain("Nothing was started");
  });

  it("uses map paths such as mcpServers.github.url and quotes keys that are not identifiers", () => {
    const { issues } = checkServerConfigs({
      mcpServers: {
        github: { type: "streamable-http", url: "ftp://x" },
        "my.server": { command: "node" },
      },
    });
    const paths = issues.map((i) => i.path);
    expect(paths).toContain("mcpServers.github.url");
    expect(paths.some((p) => p.startsWith('mcpServers["my.server"]'))).toBe(true);
  });

  it("refuses an empty list, a non-object entry and an unknown shape", () => {
    expect(checkServerConfigs([]).issues).toEqual([
      expect.objectContaining({ path: "servers", rule: "config.empty" }),
    ]);
    expect(checkServerConfigs({ mcpServers: {} }).issues[0]?.rule).toBe("config.empty");
    expect(checkServerConfigs({ a: "node server.js" }).issues).toEqual([
      expect.objectContaining({ path: "a", message: "a server config must be an object" }),
    ]);
    expect(checkServerConfigs("servers.json").issues[0]?.path).toBe("servers");
    expect(checkServerConfigs({ mcpServers: 3 }).issues[0]?.path).toBe("mcpServers");
  });

  it("never puts env or header values into messages", () => {
    const { issues } = checkServerConfigs([
      { name: "x", command: "node", env: { LD_PRELOAD: "super-secret-value" } },
      {
        name: "y",
        url: "https://mcp.example.com/mcp",
        headers: { Authorization: "Bearer tok\r\nen-secret" },
      },
    ]);
    expect(issues.length).toBeGreaterThan(0);
    expect(JSON.stringify(issues)).not.toMatch(/super-secret-value|en-secret/);
  });
});

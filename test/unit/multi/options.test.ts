// MultiMCPClient's own options are checked like a config: every bad option is one issue naming its
// path, the value given and the allowed range, all thrown at once as MCPConfigurationError before
// any server is started. Nothing is clamped.
import { describe, expect, it } from "vitest";

import {
  MAX_HEALTH_CHECK_MAX_MISSES,
  MAX_SCHEDULE_SECONDS,
  MAX_TIMEOUT_SECONDS,
} from "../../../src/config/defaults.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";
import type { MultiMCPClientOptions } from "../../../src/multi/multiClient.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { checkOptions } from "../../../src/multi/options.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import { cfg, fakeFactory } from "../../fakes/fakeClient.js";

function refusal(options: MultiMCPClientOptions): { error: MCPConfigurationError; started: number } {
  const factory = fakeFactory();
  try {
    new MultiMCPClient([cfg("a")], { createClient: factory.createClient, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(MCPConfigurationError);
    return { error: error as MCPConfigurationError, started: factory.fakes.size };
  }
  throw new Error("the options were accepted");
}

describe("MultiMCPClient options: one typed error, every problem, no clamp", () => {
  it("lists every bad option at once, each with its path, the value given and the range", () => {
    const { error, started } = refusal({
      healthCheck: { interval: -1, timeout: 0, maxMisses: 0 },
      autoReconnect: "yes" as unknown as boolean,
      onStatus: 1 as unknown as MultiMCPClientOptions["onStatus"],
      clock: {} as unknown as MultiMCPClientOptions["clock"],
      excludeTools: ["ok", 7 as unknown as string],
    });
    expect(started).toBe(0);
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.issues.map((i) => [i.path, i.message])).toEqual([
      ["options.exclude_tools[1]", "must be a tool name (a string), got 7"],
      [
        "options.health_check.interval",
        `must be a number of seconds > 0 and ≤ ${MAX_SCHEDULE_SECONDS}, got -1`,
      ],
      ["options.health_check.timeout", `must be a number of seconds > 0 and ≤ ${MAX_TIMEOUT_SECONDS}, got 0`],
      [
        "options.health_check.max_misses",
        `must be a whole number from 1 to ${MAX_HEALTH_CHECK_MAX_MISSES}, got 0`,
      ],
      ["options.autoReconnect", 'must be true or false, got the string "yes"'],
      ["options.onStatus", "must be a function, got 1"],
      [
        "options.clock",
        "must be a Clock (an object with now(), setTimeout() and clearTimeout()), got an object",
      ],
    ]);
    expect(error.message).toMatch(
      /^Invalid config for MultiMCPClient options: 7 problems\. Nothing was started\.\n/,
    );
    expect(error.message).toContain(
      `  - options.health_check.interval: must be a number of seconds > 0 and ≤ ${MAX_SCHEDULE_SECONDS}, got -1 (rule options.range)`,
    );
  });

  it("refuses values just outside each range instead of clamping them, and accepts the bounds", () => {
    for (const healthCheck of [
      { interval: MAX_SCHEDULE_SECONDS + 1 },
      { interval: Number.POSITIVE_INFINITY },
      { interval: Number.NaN },
      { timeout: MAX_TIMEOUT_SECONDS + 0.5 },
      { maxMisses: MAX_HEALTH_CHECK_MAX_MISSES + 1 },
      { maxMisses: 1.5 },
    ]) {
      expect(checkOptions({ healthCheck }), JSON.stringify(healthCheck)).toHaveLength(1);
    }
    expect(
      checkOptions({
        healthCheck: {
          interval: MAX_SCHEDULE_SECONDS,
          timeout: MAX_TIMEOUT_SECONDS,
          maxMisses: MAX_HEALTH_CHECK_MAX_MISSES,
        },
      }),
    ).toEqual([]);
    expect(checkOptions({ healthCheck: { interval: 0.001, timeout: 0.001, maxMisses: 1 } })).toEqual([]);
  });

  it("accepts the documented forms and leaves undefined options to their defaults", () => {
    expect(checkOptions({})).toEqual([]);
    expect(
      checkOptions({
        allowedTools: [],
        excludeTools: ["mcp__a__x"],
        healthCheck: true,
        autoReconnect: false,
        onStatus: () => undefined,
        clock: new ManualClock(),
        environment: {},
        clientInfo: { name: "n", version: "1" },
        handlers: {},
        auth: {},
        lookup: undefined,
      } as MultiMCPClientOptions),
    ).toEqual([]);
    expect(checkOptions({ healthCheck: false, allowedTools: undefined })).toEqual([]);
  });

  it("refuses options that are not an object, and a health_check that is neither a flag nor settings", () => {
    expect(checkOptions(null as unknown as MultiMCPClientOptions)).toEqual([
      { path: "options", message: "must be an object, got null", rule: "options.type" },
    ]);
    expect(checkOptions({ healthCheck: 30 as unknown as boolean }).map((i) => i.message)).toEqual([
      "must be true, false or { interval, timeout, maxMisses }, got 30",
    ]);
    expect(checkOptions({ allowedTools: "echo" as unknown as string[] }).map((i) => i.message)).toEqual([
      'must be a list of tool names, got the string "echo"',
    ]);
  });

  it("reports the option problems together with the server config problems", () => {
    const factory = fakeFactory();
    let error: unknown;
    try {
      new MultiMCPClient([cfg("a"), { name: "b" }], {
        createClient: factory.createClient,
        healthCheck: { maxMisses: -3 },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["servers[1].command", "options.health_check.max_misses"]),
    );
    expect(factory.fakes.size).toBe(0);
  });
});

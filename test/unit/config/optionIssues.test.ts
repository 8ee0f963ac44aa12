import { describe, expect, it } from "vitest";

import { OptionIssues } from "../../../src/config/optionIssues.js";
import { MCPConnectionPool } from "../../../src/pool/connectionPool.js";
import { ConcurrencyLimit } from "../../../src/resilience/concurrencyLimit.js";
import { HealthMonitor } from "../../../src/resilience/healthMonitor.js";
import { refusal } from "../../helpers/configRefusals.js";

describe("OptionIssues: one policy for invalid runtime options", () => {
  it("collects every problem and throws one error naming each option, value and range", () => {
    const error = refusal(() => {
      const check = new OptionIssues('the widget of server "s"', { serverName: "s" });
      check.wholeNumber("size", 0, { min: 1 });
      check.number("delay", -1, { min: 0, exclusiveMin: true, unit: "seconds" });
      check.wholeNumber("count", 7, { min: 1, max: 5 });
      check.number("ok", 2, { min: 1 });
      check.throwIfAny();
    });
    expect(error.code).toBe("CONFIG_INVALID");
    expect(error.serverName).toBe("s");
    expect(error.issues).toEqual([
      { path: "size", rule: "options.range", message: "must be a whole number ≥ 1, got 0" },
      { path: "delay", rule: "options.range", message: "must be a number > 0 seconds, got -1" },
      { path: "count", rule: "options.range", message: "must be a whole number from 1 to 5, got 7" },
    ]);
    expect(error.message).toBe(
      'Invalid options for the widget of server "s": 3 problems. Nothing was created; pass values in range, or leave an option out for its default.\n' +
        "  - size: must be a whole number ≥ 1, got 0 (rule options.range)\n" +
        "  - delay: must be a number > 0 seconds, got -1 (rule options.range)\n" +
        "  - count: must be a whole number from 1 to 5, got 7 (rule options.range)",
    );
  });

  it("does nothing when every option is in range", () => {
    const check = new OptionIssues("x");
    expect(check.number("a", 1, { min: 0, exclusiveMin: true })).toBe(1);
    expect(() => check.throwIfAny()).not.toThrow();
  });

  it("refuses NaN, Infinity (unless the range allows no limit) and values of another type; never clamps", () => {
    const check = new OptionIssues("x");
    check.number("nan", Number.NaN, { min: 0 });
    check.number("inf", Number.POSITIVE_INFINITY, { min: 0 });
    check.number("unbounded", Number.POSITIVE_INFINITY, { min: 0, max: Number.POSITIVE_INFINITY });
    check.wholeNumber("text", "3" as never, { min: 0 });
    expect(check.issues.map((i) => i.message)).toEqual([
      "must be a number ≥ 0, got NaN",
      "must be a number ≥ 0, got Infinity",
      'must be a whole number ≥ 0, got the string "3"',
    ]);
  });

  it("redacts a secret value", () => {
    const check = new OptionIssues("x");
    check.add("token", "sk-very-secret", "a token of 32 characters", { secret: true, rule: "options.type" });
    expect(check.issues).toEqual([
      {
        path: "token",
        rule: "options.type",
        message: "must be a token of 32 characters, got [REDACTED]",
      },
    ]);
  });
});

describe("runtime options of the pool and the resilience parts report every problem at once", () => {
  it("MCPConnectionPool: size, idleTimeout and maxWaiters together; idleTimeout Infinity is no limit", () => {
    const config = { name: "srv", command: "node", args: ["server.js"] };
    const error = refusal(() => new MCPConnectionPool(config, { size: 0, idleTimeout: -1, maxWaiters: 1.5 }));
    expect(error.issues.map((i) => i.path)).toEqual(["size", "idleTimeout", "maxWaiters"]);
    expect(error.serverName).toBe("srv");
    expect(() => new MCPConnectionPool(config, { idleTimeout: Number.POSITIVE_INFINITY })).not.toThrow();
  });

  it("ConcurrencyLimit and HealthMonitor", () => {
    expect(
      refusal(() => new ConcurrencyLimit({ name: "a", maxInFlight: 0, maxQueue: -1 })).issues.map(
        (i) => i.path,
      ),
    ).toEqual(["maxInFlight", "maxQueue"]);
    const monitor = { ping: async () => true, isBusy: () => false };
    expect(
      refusal(
        () => new HealthMonitor({ ...monitor, intervalMs: 0, timeoutMs: Number.NaN, maxMisses: 0 }),
      ).issues.map((i) => i.path),
    ).toEqual(["intervalMs", "timeoutMs", "maxMisses"]);
  });
});

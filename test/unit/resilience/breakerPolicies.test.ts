import { describe, expect, it } from "vitest";

import { MCPConfigurationError } from "../../../src/errors/errors.js";
import { ConsecutiveFailurePolicy } from "../../../src/resilience/breakerPolicies.js";

describe("ConsecutiveFailurePolicy", () => {
  it("asks to open on the n-th consecutive failure, not before", () => {
    const policy = new ConsecutiveFailurePolicy(3);
    expect(policy.failure()).toBe(false);
    expect(policy.failure()).toBe(false);
    expect(policy.failures).toBe(2);
    expect(policy.failure()).toBe(true);
    expect(policy.failures).toBe(3);
  });

  it("a success in between starts the count over", () => {
    const policy = new ConsecutiveFailurePolicy(2);
    policy.failure();
    policy.success();
    expect(policy.failures).toBe(0);
    expect(policy.failure()).toBe(false);
    expect(policy.failure()).toBe(true);
  });

  it("reset() forgets the count; a threshold of 1 opens on the first failure", () => {
    const policy = new ConsecutiveFailurePolicy(1);
    expect(policy.failure()).toBe(true);
    policy.reset();
    expect(policy.failures).toBe(0);
  });

  it("refuses a threshold that is not a whole number ≥ 1", () => {
    expect(() => new ConsecutiveFailurePolicy(0)).toThrow(/got 0/);
    expect(() => new ConsecutiveFailurePolicy(1.5)).toThrow(MCPConfigurationError);
    expect(() => new ConsecutiveFailurePolicy(Number.NaN)).toThrow(MCPConfigurationError);
  });
});

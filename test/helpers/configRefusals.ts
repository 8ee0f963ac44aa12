// The MCPConfigurationError a config is refused with, for tests that look at its issues.
import { expect } from "vitest";

import { loadConfig } from "../../src/config/loadConfig.js";
import { MCPConfigurationError } from "../../src/errors/errors.js";

/** The error `run` throws; fails the test when it throws nothing or something else. */
export function refusal(run: () => unknown): MCPConfigurationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MCPConfigurationError);
    return error as MCPConfigurationError;
  }
  throw new Error("expected the config to be refused");
}

/** The error `loadConfig(source)` rejects with, with no environment variables set. */
export async function loadRefusal(source: string | object): Promise<MCPConfigurationError> {
  try {
    await loadConfig(source, { environment: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(MCPConfigurationError);
    return error as MCPConfigurationError;
  }
  throw new Error("expected the config to be refused");
}

import { describe, expect, it } from "vitest";

import {
  BLOCKED_PORTS,
  DEFAULT_ALLOWED_EXECUTABLES,
  DEFAULT_DENIED_ENV_VARS,
  DEFAULT_TOOL_ARGUMENT_LIMITS,
  defaultSecurityPolicy,
  MAX_ARG_LENGTH,
  MAX_ARGS_COUNT,
  MAX_COMMAND_LENGTH,
  MAX_CWD_LENGTH,
  MAX_ENV_KEY_LENGTH,
  MAX_ENV_VALUE_LENGTH,
  MAX_HEADER_KEY_LENGTH,
  MAX_HEADER_VALUE_LENGTH,
  MAX_URL_LENGTH,
} from "../../../src/security/defaults.js";
import type { SecurityLevel } from "../../../src/security/types.js";

describe("security defaults", () => {
  it("keeps MassGen's limits", () => {
    expect([
      MAX_COMMAND_LENGTH,
      MAX_ARG_LENGTH,
      MAX_ARGS_COUNT,
      MAX_URL_LENGTH,
      MAX_ENV_KEY_LENGTH,
      MAX_ENV_VALUE_LENGTH,
      MAX_HEADER_KEY_LENGTH,
      MAX_HEADER_VALUE_LENGTH,
      MAX_CWD_LENGTH,
    ]).toEqual([1000, 500, 50, 2048, 100, 1000, 100, 1000, 500]);
    expect([...BLOCKED_PORTS].sort((a, b) => a - b)).toEqual([
      22, 23, 25, 53, 135, 139, 445, 1433, 1521, 3306, 3389, 5432, 6379,
    ]);
  });

  it("builds the executable lists per level", () => {
    const strict = DEFAULT_ALLOWED_EXECUTABLES.strict;
    expect(strict).toContain("python3.14");
    expect(strict).toContain("uvx");
    expect(strict).toContain("cmd");
    expect(strict).not.toContain("git");
    expect(strict).not.toContain("docker");
    expect(strict).toHaveLength(35);
    expect(DEFAULT_ALLOWED_EXECUTABLES.moderate).toEqual([...strict, "git", "nodejs"]);
    expect(DEFAULT_ALLOWED_EXECUTABLES.permissive).toEqual([...strict, "git", "curl", "wget", "nodejs"]);
  });

  it("builds the env deny-lists per level, with preload variables everywhere", () => {
    const base = ["LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "PYTHONPATH", "PWD", "OLDPWD"];
    for (const level of ["strict", "moderate", "permissive"] as const) {
      expect(DEFAULT_DENIED_ENV_VARS[level]).toEqual(
        expect.arrayContaining([...base, "LD_PRELOAD", "DYLD_INSERT_LIBRARIES"]),
      );
    }
    expect(DEFAULT_DENIED_ENV_VARS.strict).toEqual(
      expect.arrayContaining(["PATH", "HOME", "USER", "USERNAME", "SHELL", "NODE_OPTIONS"]),
    );
    expect(DEFAULT_DENIED_ENV_VARS.moderate).toContain("NODE_OPTIONS");
    expect(DEFAULT_DENIED_ENV_VARS.moderate).not.toContain("PATH");
    expect(DEFAULT_DENIED_ENV_VARS.permissive).not.toContain("NODE_OPTIONS");
    expect(DEFAULT_DENIED_ENV_VARS.permissive).not.toContain("HOME");
  });

  it("has the tool-argument limits per level", () => {
    expect(DEFAULT_TOOL_ARGUMENT_LIMITS.strict).toEqual({
      maxDepth: 5,
      maxKeys: 100,
      maxItems: 1000,
      maxStringLength: 10_000,
      maxSize: 10_000,
    });
    expect(DEFAULT_TOOL_ARGUMENT_LIMITS.moderate).toEqual({
      maxDepth: 10,
      maxKeys: 1000,
      maxItems: 10_000,
      maxStringLength: 1_000_000,
      maxSize: 1_048_576,
    });
    expect(DEFAULT_TOOL_ARGUMENT_LIMITS.permissive).toEqual({
      maxDepth: 32,
      maxKeys: 10_000,
      maxItems: 100_000,
      maxStringLength: 10_485_760,
      maxSize: 10_485_760,
    });
  });

  it("freezes the tables", () => {
    expect(Object.isFrozen(DEFAULT_ALLOWED_EXECUTABLES.strict)).toBe(true);
    expect(Object.isFrozen(DEFAULT_DENIED_ENV_VARS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_TOOL_ARGUMENT_LIMITS.strict)).toBe(true);
    expect(Object.isFrozen(BLOCKED_PORTS)).toBe(true);
  });

  it.each<[SecurityLevel, boolean, boolean, boolean]>([
    ["strict", false, false, false],
    ["moderate", false, true, false],
    ["permissive", true, true, true],
  ])("defaultSecurityPolicy(%s)", (level, localAndPrivate, insecureHttp, inlineExec) => {
    const policy = defaultSecurityPolicy(level);
    expect(policy).toEqual({
      level,
      allowedExecutables: undefined,
      allowInlineExec: inlineExec,
      env: { level, mode: "denylist", allowedVars: [], deniedVars: undefined },
      allowLocalhost: localAndPrivate,
      allowPrivateIps: localAndPrivate,
      allowInsecureHttp: insecureHttp,
      resolveDns: false,
      allowedHostnames: [],
      toolArguments: DEFAULT_TOOL_ARGUMENT_LIMITS[level],
    });
    policy.toolArguments.maxDepth = 99;
    expect(defaultSecurityPolicy(level).toolArguments.maxDepth).toBe(
      DEFAULT_TOOL_ARGUMENT_LIMITS[level].maxDepth,
    );
  });

  it("defaults to strict and refuses an unknown level", () => {
    expect(defaultSecurityPolicy().level).toBe("strict");
    expect(() => defaultSecurityPolicy("high" as SecurityLevel)).toThrow(RangeError);
  });
});

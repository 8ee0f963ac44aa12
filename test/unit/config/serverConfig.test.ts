import { describe, expect, it } from "vitest";

import { checkServerConfig, isValidatedConfig } from "../../../src/config/serverConfig.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";

const stdio = { name: "srv", type: "stdio", command: "node", args: ["server.js"] };
const http = { name: "web", type: "streamable-http", url: "https://mcp.example.com/mcp" };

function issuesOf(raw: unknown) {
  return checkServerConfig(raw).issues;
}

function expectValid(raw: unknown) {
  const { config, issues } = checkServerConfig(raw);
  expect(issues).toEqual([]);
  expect(config).toBeDefined();
  return config!;
}

describe("server config: defaults and normalisation", () => {
  it("applies every default in one place", () => {
    const config = expectValid(stdio);
    expect(config).toMatchObject({
      name: "srv",
      type: "stdio",
      command: "node",
      args: ["server.js"],
      env: {},
      timeout: 30,
      connectTimeout: 30,
      maxRetries: 3,
      retryDelay: 1,
      maxMessageBytes: 10 * 1024 * 1024,
      shutdownGrace: 2,
      allowedTools: undefined,
      excludeTools: [],
      circuitBreaker: {
        failureThreshold: 5,
        recoveryTimeout: 30,
        expectedException: ["MCPConnectionError", "MCPTimeoutError"],
      },
    });
    expect(config.security.level).toBe("strict");
  });

  it("accepts the seed's snake_case keys and their camelCase forms alike", () => {
    const snake = expectValid({
      ...http,
      timeout: 10,
      connect_timeout: 5,
      http_read_timeout: 60,
      max_retries: 7,
      retry_delay: 0.5,
      allowed_tools: ["a"],
      exclude_tools: ["b"],
      circuit_breaker: { failure_threshold: 2, recovery_timeout: 9, expected_exception: "MCPTimeoutError" },
      security: { level: "moderate", allow_private_ips: true, tool_arguments: { max_size: 2048 } },
    });
    const camel = expectValid({
      ...http,
      timeout: 10,
      connectTimeout: 5,
      httpReadTimeout: 60,
      maxRetries: 7,
      retryDelay: 0.5,
      allowedTools: ["a"],
      excludeTools: ["b"],
      circuitBreaker: { failureThreshold: 2, recoveryTimeout: 9, expectedException: "MCPTimeoutError" },
      security: { level: "moderate", allowPrivateIps: true, toolArguments: { maxSize: 2048 } },
    });
    expect(snake).toEqual(camel);
    expect(snake).toMatchObject({
      connectTimeout: 5,
      httpReadTimeout: 60,
      maxRetries: 7,
      retryDelay: 0.5,
      circuitBreaker: { failureThreshold: 2, recoveryTimeout: 9, expectedException: ["MCPTimeoutError"] },
    });
    expect(snake.security.toolArguments.maxSize).toBe(2048);
    // Fields not given keep the level's defaults (field-by-field merge, not whole-object replacement).
    expect(snake.security.toolArguments.maxDepth).toBeGreaterThan(0);
  });

  it("connect_timeout defaults to timeout", () => {
    expect(expectValid({ ...stdio, timeout: 12 }).connectTimeout).toBe(12);
  });

  it("refuses a key given in both spellings", () => {
    const issues = issuesOf({ ...stdio, max_retries: 1, maxRetries: 2 });
    expect(issues).toEqual([expect.objectContaining({ path: "max_retries", rule: "config.duplicateKey" })]);
  });

  it("keeps unknown keys and warns with a typo suggestion", () => {
    const { config, warnings } = checkServerConfig({
      ...stdio,
      timout: 5,
      description: "x",
      resource_limits: {},
    });
    expect(config?.extra).toEqual({ timout: 5, resource_limits: {} });
    expect(config?.timeout).toBe(30);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        path: "timout",
        rule: "config.unknownKey",
        message: expect.stringContaining('did you mean "timeout"'),
      }),
    );
    expect(warnings).toContainEqual(expect.objectContaining({ path: "resource_limits" }));
  });

  it("warns about unknown keys inside sections too", () => {
    const { warnings } = checkServerConfig({ ...stdio, security: { levl: "strict" } });
    expect(warnings).toContainEqual(
      expect.objectContaining({ path: "security.levl", message: expect.stringContaining('"level"') }),
    );
  });

  it("returns a frozen config that is recognised without revalidation", () => {
    const config = expectValid(stdio);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.security)).toBe(true);
    expect(isValidatedConfig(config)).toBe(true);
    expect(isValidatedConfig({ ...config })).toBe(false);
    expect(checkServerConfig(config).config).toBe(config);
  });
});

describe("server config: transport type", () => {
  it.each([
    ["stdio", "stdio"],
    ["streamable-http", "streamable-http"],
    ["http", "streamable-http"],
    ["streamableHttp", "streamable-http"],
    ["sse", "sse"],
  ])("accepts type %s", (type, expected) => {
    const raw = expected === "stdio" ? { ...stdio, type } : { ...http, type };
    expect(expectValid(raw).type).toBe(expected);
  });

  it("infers the transport from the fields", () => {
    expect(expectValid({ name: "a", command: "node" }).type).toBe("stdio");
    expect(expectValid({ name: "a", url: "https://x.example.com/mcp" }).type).toBe("streamable-http");
    expect(expectValid({ name: "a", url: "https://x.example.com/sse" }).type).toBe("sse");
  });

  it("refuses an unknown type and names the accepted ones", () => {
    const issues = issuesOf({ ...stdio, type: "websocket" });
    expect(issues).toEqual([
      expect.objectContaining({
        path: "type",
        rule: "config.type",
        message: expect.stringContaining("stdio"),
      }),
    ]);
  });

  it("refuses stdio keys on an HTTP server", () => {
    const issues = issuesOf({ ...http, command: "node" });
    expect(issues).toContainEqual(
      expect.objectContaining({ path: "command", rule: "config.transportMismatch" }),
    );
  });

  it("needs a url for HTTP servers", () => {
    expect(issuesOf({ name: "w", type: "sse" })).toContainEqual(
      expect.objectContaining({ path: "url", rule: "url.required" }),
    );
  });
});

describe("server config: limits, both sides", () => {
  it("name: 50 characters pass, 51 fail", () => {
    expect(issuesOf({ ...stdio, name: "a".repeat(50) })).toEqual([]);
    expect(issuesOf({ ...stdio, name: "a".repeat(51) })).toContainEqual(
      expect.objectContaining({ path: "name" }),
    );
  });

  it.each(["", "  ", "has space", "dot.name", "slash/name"])("name %j is refused", (name) => {
    expect(issuesOf({ ...stdio, name })).toContainEqual(expect.objectContaining({ path: "name" }));
  });

  it("name is required", () => {
    expect(issuesOf({ command: "node" })).toContainEqual(expect.objectContaining({ path: "name" }));
  });

  it.each(["timeout", "connect_timeout", "http_read_timeout"])(
    "%s: 300 passes, above 300 and ≤ 0 fail",
    (key) => {
      const base = key === "http_read_timeout" ? http : stdio;
      expect(issuesOf({ ...base, [key]: 300 })).toEqual([]);
      expect(issuesOf({ ...base, [key]: 0.001 })).toEqual([]);
      expect(issuesOf({ ...base, [key]: 300.001 })).toContainEqual(expect.objectContaining({ path: key }));
      expect(issuesOf({ ...base, [key]: 0 })).toContainEqual(expect.objectContaining({ path: key }));
      expect(issuesOf({ ...base, [key]: -1 })).toContainEqual(expect.objectContaining({ path: key }));
      expect(issuesOf({ ...base, [key]: "30" })).toContainEqual(expect.objectContaining({ path: key }));
      expect(issuesOf({ ...base, [key]: true })).toContainEqual(expect.objectContaining({ path: key }));
    },
  );

  it("max_retries: 0 and 100 pass; -1, 101 and fractions fail", () => {
    expect(issuesOf({ ...stdio, max_retries: 0 })).toEqual([]);
    expect(issuesOf({ ...stdio, max_retries: 100 })).toEqual([]);
    for (const bad of [-1, 101, 1.5, "3"]) {
      expect(issuesOf({ ...stdio, max_retries: bad })).toContainEqual(
        expect.objectContaining({ path: "max_retries" }),
      );
    }
  });

  it("circuit_breaker.failure_threshold must be a whole number ≥ 1", () => {
    expect(issuesOf({ ...stdio, circuit_breaker: { failure_threshold: 1 } })).toEqual([]);
    expect(issuesOf({ ...stdio, circuit_breaker: { failure_threshold: 0 } })).toContainEqual(
      expect.objectContaining({ path: "circuit_breaker.failure_threshold" }),
    );
  });

  it("lists must be lists of strings", () => {
    expect(issuesOf({ ...stdio, args: "server.js" })).toContainEqual(
      expect.objectContaining({ path: "args" }),
    );
    expect(issuesOf({ ...stdio, allowed_tools: [1] })).toContainEqual(
      expect.objectContaining({ path: "allowed_tools[0]" }),
    );
  });

  it("an unknown security level is an error, not a silent strict", () => {
    expect(issuesOf({ ...stdio, security: { level: "high" } })).toContainEqual(
      expect.objectContaining({ path: "security.level" }),
    );
  });
});

describe("server config: security rules are applied", () => {
  it("refuses args without command (MassGen bug 1)", () => {
    expect(issuesOf({ name: "x", type: "stdio", args: ["python", "-m", "x"] })).toContainEqual(
      expect.objectContaining({ rule: "command.required" }),
    );
  });

  it("refuses an executable outside the allow-list", () => {
    expect(issuesOf({ ...stdio, command: "docker" })).toContainEqual(
      expect.objectContaining({ rule: "command.allowlist" }),
    );
    expect(issuesOf({ ...stdio, command: "docker", security: { allowed_executables: ["docker"] } })).toEqual(
      [],
    );
  });

  it("refuses inline exec under strict", () => {
    expect(issuesOf({ ...stdio, command: "bash", args: ["-c", "echo hi"] })).toContainEqual(
      expect.objectContaining({ rule: "args.inlineExec" }),
    );
  });

  it("splits a string command into executable and leading args", () => {
    const config = expectValid({ name: "x", command: "npx -y @scope/server", args: ["--flag"] });
    expect(config).toMatchObject({ command: "npx", args: ["-y", "@scope/server", "--flag"] });
  });

  it("refuses private and loopback URLs unless allowed", () => {
    expect(issuesOf({ ...http, url: "http://127.0.0.1:8000/mcp" }).length).toBeGreaterThan(0);
    expect(
      issuesOf({ ...http, url: "http://127.0.0.1:8000/mcp", security: { allow_localhost: true } }),
    ).toEqual([]);
  });

  it("refuses CR/LF in header values", () => {
    expect(issuesOf({ ...http, headers: { "X-A": "a\r\nInjected: 1" } })).toContainEqual(
      expect.objectContaining({ rule: "headers.crlf" }),
    );
  });
});

describe("MCPConfigValidator.validateServerConfig", () => {
  it("reports every problem at once, with paths and rules", () => {
    let error: unknown;
    try {
      MCPConfigValidator.validateServerConfig({
        name: "bad name",
        type: "stdio",
        command: "docker",
        timeout: -5,
        env: { PATH: "/tmp" },
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MCPConfigurationError);
    const config = error as MCPConfigurationError;
    expect(config.code).toBe("CONFIG_INVALID");
    const paths = config.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["name", "timeout"]));
    expect(config.message).toContain("problems");
    expect(config.message).toContain("name");
    expect(config.message).toContain("timeout");
  });

  it("never puts env or header values in messages or the error's JSON", () => {
    const secret = "s3cr3t-VALUE-42";
    const attempts = [
      { ...stdio, env: { PATH: secret, LD_PRELOAD: secret, "BAD=NAME": secret, X: `$(${secret})` } },
      { ...http, headers: { Authorization: `Bearer ${secret}\r\n`, "bad header": secret } },
      { ...http, url: 123, headers: { "X-Api-Key": secret }, timeout: "x" },
    ];
    for (const raw of attempts) {
      let error: MCPConfigurationError | undefined;
      try {
        MCPConfigValidator.validateServerConfig(raw);
      } catch (caught) {
        error = caught as MCPConfigurationError;
      }
      expect(error).toBeInstanceOf(MCPConfigurationError);
      expect(error!.message).not.toContain(secret);
      expect(JSON.stringify(error!.toJSON())).not.toContain(secret);
      expect(JSON.stringify(error!.issues)).not.toContain(secret);
    }
  });

  it("reports policy problems even when other fields fail the schema", () => {
    const issues = checkServerConfig({ ...stdio, command: "docker", timeout: -1 }).issues;
    expect(issues).toContainEqual(expect.objectContaining({ rule: "command.allowlist" }));
    expect(issues).toContainEqual(expect.objectContaining({ path: "timeout" }));
  });

  it("returns the validated config", () => {
    const config = MCPConfigValidator.validateServerConfig(stdio);
    expect(config.name).toBe("srv");
  });

  it("refuses non-objects", () => {
    for (const raw of [null, 42, "x", []]) {
      expect(() => MCPConfigValidator.validateServerConfig(raw)).toThrow(MCPConfigurationError);
    }
  });
});

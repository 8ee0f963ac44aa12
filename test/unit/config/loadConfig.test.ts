import { homedir } from "node:os";
import { join, resolve } from "node:path";

import { describe, expect, it } from "vitest";

import { expandString } from "../../../src/config/expandVariables.js";
import { loadConfig } from "../../../src/config/loadConfig.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";

const dir = resolve("test/fixtures/configs");
const file = (name: string) => join(dir, name);
const env = { GITHUB_TOKEN: "ghp_secret_1", API_TOKEN: "tok_secret_2", DOCS_KEY: "k3", DISCORD_TOKEN: "d4" };

async function failure(
  source: string | object,
  environment: Record<string, string> = env,
): Promise<MCPConfigurationError> {
  try {
    await loadConfig(source, { environment });
  } catch (error) {
    expect(error).toBeInstanceOf(MCPConfigurationError);
    return error as MCPConfigurationError;
  }
  throw new Error("expected the config to be refused");
}

describe("loadConfig: the shapes users already have", () => {
  it("reads Claude Desktop mcpServers, expands variables and skips disabled servers", async () => {
    const loaded = await loadConfig(file("claudeDesktop.json"), { environment: env });
    expect(loaded.shape).toBe("mcpServers");
    expect(loaded.file).toBe(file("claudeDesktop.json"));
    expect(loaded.servers.map((s) => s.name)).toEqual(["filesystem", "github"]);
    const github = loaded.servers[1]!;
    expect(github.type).toBe("stdio");
    // args, env, headers and auth keep their ${VAR} references: MCPClient expands them once, at connect.
    expect(github.type === "stdio" && github.env).toEqual({
      GITHUB_PERSONAL_ACCESS_TOKEN: "${GITHUB_TOKEN}",
    });
    expect(loaded.warnings).toContainEqual(
      expect.objectContaining({
        path: "mcpServers.old",
        rule: "config.disabled",
        line: 12,
        file: file("claudeDesktop.json"),
      }),
    );
  });

  it("reads Claude Code .mcp.json: type http and sse, headers, ${VAR:-default}", async () => {
    const loaded = await loadConfig(file("claudeCode.mcp.json"), { environment: env });
    const byName = Object.fromEntries(loaded.servers.map((s) => [s.name, s]));
    expect(byName.local).toMatchObject({
      type: "stdio",
      command: "node",
      env: { LEVEL: "${LOG_LEVEL:-info}" },
    });
    expect(byName.remote).toMatchObject({
      type: "streamable-http",
      headers: { Authorization: "Bearer ${API_TOKEN}" },
    });
    expect(byName.events).toMatchObject({ type: "sse" });
  });

  it("reads Cursor: ${env:VAR}, ${workspaceFolder}, ${userHome}, and infers SSE from a /sse path", async () => {
    const loaded = await loadConfig(file("cursor.json"), {
      environment: env,
      workspaceFolder: "/work/project",
    });
    const docs = loaded.servers.find((s) => s.name === "docs")!;
    expect(docs).toMatchObject({
      args: ["/work/project/docs-server.js"],
      env: { HOME_DIR: homedir(), KEY: "${env:DOCS_KEY}" },
    });
    expect(loaded.servers.find((s) => s.name === "search")).toMatchObject({
      type: "sse",
      url: "https://search.example.com/sse",
    });
  });

  it("reads VS Code .vscode/mcp.json with comments and trailing commas; the workspace is the project folder", async () => {
    const loaded = await loadConfig(file(".vscode/mcp.json"), { environment: env });
    expect(loaded.shape).toBe("servers");
    expect(loaded.servers.map((s) => [s.name, s.type])).toEqual([
      ["memory", "stdio"],
      ["api", "streamable-http"],
    ]);
  });

  it("reads Gemini settings: httpUrl is streamable HTTP, includeTools maps to allowed_tools", async () => {
    const loaded = await loadConfig(file("gemini.json"), { environment: env });
    const analytics = loaded.servers.find((s) => s.name === "analytics")!;
    expect(analytics).toMatchObject({
      type: "streamable-http",
      url: "https://analytics.example.com/mcp",
      allowedTools: ["query", "describe"],
      excludeTools: ["drop_table"],
    });
    expect(loaded.servers.find((s) => s.name === "python")).toMatchObject({ cwd: "/srv/app", timeout: 60 });
  });

  it("reads MassGen YAML with agents[].backend.mcp_servers as lists and maps, and backend filters", async () => {
    const loaded = await loadConfig(file("massgenAgents.yaml"), { environment: {} });
    expect(loaded.shape).toBe("massgen");
    expect(loaded.servers.map((s) => s.name)).toEqual(["weather", "discord", "filesystem"]);
    expect(loaded.servers[1]).toMatchObject({ headers: { Authorization: "Bearer ${DISCORD_TOKEN:-none}" } });
    expect(loaded.servers[1]!.security.level).toBe("moderate");
    expect(loaded.servers[2]).toMatchObject({ args: ["-y", "@modelcontextprotocol/server-filesystem", dir] });
    // Each backend's filters belong to its own servers (MassGen gives every agent its own client).
    expect(loaded.servers[0]).toMatchObject({
      name: "weather",
      allowedTools: ["mcp__weather__get_forecast"],
    });
    expect(loaded.servers[1]).toMatchObject({
      name: "discord",
      allowedTools: ["mcp__weather__get_forecast"],
    });
    expect(loaded.servers[2]).toMatchObject({
      name: "filesystem",
      allowedTools: undefined,
      excludeTools: ["read_media_file"],
    });
  });

  it("reads a MassGen backend with mcp_servers as a map; unknown keys are kept and reported", async () => {
    const loaded = await loadConfig(file("massgenBackend.yaml"));
    expect(loaded.servers).toHaveLength(1);
    expect(loaded.servers[0]).toMatchObject({
      name: "test_server",
      command: "python",
      description: "extra keys are kept",
    });
  });

  it("reads a plain list (the seed's format) and plain objects given in code", async () => {
    const fromFile = await loadConfig(file("list.json"));
    expect(fromFile.shape).toBe("list");
    expect(fromFile.servers.map((s) => s.name)).toEqual(["file_server", "web_server"]);
    const fromObject = await loadConfig({ mcpServers: { a: { command: "node", args: ["x.js"] } } });
    expect(fromObject.file).toBeUndefined();
    expect(fromObject.servers[0]).toMatchObject({ name: "a", type: "stdio" });
  });
});

describe("loadConfig: MassGen agents and variables", () => {
  it("uses a server listed identically by several agents once, and refuses a clash", async () => {
    const weather = { type: "stdio", command: "npx", args: ["-y", "weather"] };
    const shared = await loadConfig({
      agents: [
        { backend: { mcp_servers: [{ name: "weather", ...weather }] } },
        { backend: { mcp_servers: [{ name: "weather", ...weather }] } },
      ],
    });
    expect(shared.servers.map((s) => s.name)).toEqual(["weather"]);
    expect(shared.warnings).toContainEqual(expect.objectContaining({ rule: "config.sharedServer" }));
    const clash = await failure({
      agents: [
        { backend: { mcp_servers: [{ name: "weather", ...weather }] } },
        { backend: { mcp_servers: [{ name: "weather", ...weather, args: ["other"] }] } },
      ],
    });
    expect(clash.issues).toEqual([
      expect.objectContaining({ rule: "config.duplicateName", path: "agents[1].backend.mcp_servers[0]" }),
    ]);
  });

  it("reports a duplicate name even when the first definition is invalid", async () => {
    const error = await failure({
      mcp_servers: [
        { name: "a", command: "docker" },
        { name: "a", command: "npx" },
      ],
    });
    expect(error.issues.map((i) => i.rule)).toEqual(
      expect.arrayContaining(["command.allowlist", "config.duplicateName"]),
    );
  });

  it("leaves ${VAR} in args, env and headers for the connect step, so a secret holding ${ is expanded once", async () => {
    const loaded = await loadConfig(
      { mcpServers: { s: { command: "node", args: ["x.js"], env: { P: "${PASSWORD}" } } } },
      { environment: { PASSWORD: "a${b}c" } },
    );
    const server = loaded.servers[0]!;
    expect(server.type === "stdio" && server.env).toEqual({ P: "${PASSWORD}" });
    expect(expandString("${PASSWORD}", { PASSWORD: "a${b}c" })).toEqual({ value: "a${b}c", missing: [] });
  });
});

describe("loadConfig: errors point at the file, the key and the line", () => {
  it("points at an aliased key (httpUrl) the way the user wrote it", async () => {
    const error = await failure(file("aliasError.json"));
    expect(error.issues[0]).toMatchObject({ path: "mcpServers.api.url", line: 4 });
  });

  it("reports every problem at once, each with its path, rule and line", async () => {
    const error = await failure(file("invalid.yaml"));
    expect(error.configFile).toBe(file("invalid.yaml"));
    const byPath = (path: string) =>
      error.issues.filter((i) => i.path === path || i.path.startsWith(`${path}.`));
    expect(byPath("mcp_servers[1].name")).toEqual([
      expect.objectContaining({ line: 5, file: file("invalid.yaml") }),
    ]);
    expect(byPath("mcp_servers[1].timeout")).toEqual([expect.objectContaining({ line: 8 })]);
    expect(error.issues).toContainEqual(expect.objectContaining({ rule: "command.allowlist", line: 6 }));
    expect(error.issues).toContainEqual(
      expect.objectContaining({ rule: "args.inlineExec", path: expect.stringContaining("mcp_servers[2]") }),
    );
    expect(error.issues).toContainEqual(
      expect.objectContaining({ rule: "config.duplicateName", path: "mcp_servers[3]", line: 12 }),
    );
    expect(error.message).toContain("invalid.yaml");
    expect(error.message).toContain("invalid.yaml:5");
  });

  it("names an unset variable and where it is used, without leaking other values", async () => {
    const error = await failure(file("claudeDesktop.json"), {});
    expect(error.issues).toEqual([
      expect.objectContaining({
        rule: "env.unsetVariable",
        path: "mcpServers.github.env.GITHUB_PERSONAL_ACCESS_TOKEN",
        message: expect.stringContaining('"GITHUB_TOKEN"'),
        line: 10,
      }),
    ]);
  });

  it("never shows expanded secret values in messages", async () => {
    const secret = "tok_SENTINEL_value";
    const error = await failure(
      {
        mcpServers: {
          r: { url: "https://x.example.com/mcp", headers: { Authorization: "Bearer ${T}\r\n" } },
        },
      },
      { T: secret },
    );
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  });

  it("reports YAML and JSON syntax errors with their line", async () => {
    const yamlError = await failure(file("syntax.yaml"));
    expect(yamlError.issues[0]).toMatchObject({ rule: "config.syntax", file: file("syntax.yaml") });
    expect(yamlError.issues[0]!.line).toBeGreaterThanOrEqual(3);
    const jsonError = await failure(file("syntax.json"));
    expect(jsonError.issues[0]).toMatchObject({ rule: "config.syntax", line: 4 });
  });

  it("reports a missing file and a file without servers", async () => {
    expect((await failure(file("nope.json"))).issues[0]).toMatchObject({
      rule: "config.file",
      message: expect.stringContaining("does not exist"),
    });
    expect((await failure({ something: "else" })).issues[0]).toMatchObject({ rule: "config.shape" });
  });
});

describe("MassGen validators", () => {
  it("validateBackendMcpConfig turns a map into a validated list and keeps other keys", () => {
    const out = MCPConfigValidator.validateBackendMcpConfig({
      type: "openai",
      mcp_servers: { s1: { type: "stdio", command: "npx", args: ["a"] } },
      allowed_tools: ["x"],
    });
    expect(out.type).toBe("openai");
    expect(out.mcp_servers?.map((s) => s.name)).toEqual(["s1"]);
    expect(out.allowed_tools).toEqual(["x"]);
  });

  it("validateBackendMcpConfig returns a backend without servers unchanged", () => {
    const backend = { type: "openai" };
    expect(MCPConfigValidator.validateBackendMcpConfig(backend)).toEqual(backend);
  });

  it("validateBackendMcpConfig reports duplicates, bad filters and bad shapes at once", () => {
    let error: MCPConfigurationError | undefined;
    try {
      MCPConfigValidator.validateBackendMcpConfig({
        mcp_servers: [
          { name: "a", command: "npx" },
          { name: "a", command: "npx" },
        ],
        allowed_tools: "not-a-list",
      });
    } catch (caught) {
      error = caught as MCPConfigurationError;
    }
    expect(error?.issues.map((i) => i.rule)).toEqual(
      expect.arrayContaining(["config.duplicateName", "config.schema"]),
    );
    expect(() => MCPConfigValidator.validateBackendMcpConfig({ mcp_servers: "x" })).toThrow(
      /list or a mapping/,
    );
  });

  it("validateMcpIntegration walks agents as a list or a map and aggregates problems", () => {
    const ok = MCPConfigValidator.validateMcpIntegration({
      agents: {
        a1: { backend: { mcp_servers: [{ name: "s", command: "npx" }] } },
        a2: { backend: { type: "x" } },
      },
    }) as { agents: Record<string, { backend: { mcp_servers?: unknown[] } }> };
    expect(ok.agents.a1!.backend.mcp_servers).toHaveLength(1);
    let error: MCPConfigurationError | undefined;
    try {
      MCPConfigValidator.validateMcpIntegration({
        agents: [42, { backend: { mcp_servers: [{ name: "b", command: "docker" }] } }],
      });
    } catch (caught) {
      error = caught as MCPConfigurationError;
    }
    expect(error?.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "agents[0]" }),
        expect.objectContaining({
          path: expect.stringContaining("agents[1].backend.mcp_servers[0]"),
          rule: "command.allowlist",
        }),
      ]),
    );
  });
});

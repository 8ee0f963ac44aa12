import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { MCPClient } from "../../../src/client/mcpClient.js";
import { expandAll, expandString } from "../../../src/config/expandVariables.js";
import { loadConfig } from "../../../src/config/loadConfig.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import type { ConfigIssue } from "../../../src/errors/errors.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { parseServerConfigs } from "../../../src/multi/serverConfigs.js";
import { loadRefusal, refusal } from "../../helpers/configRefusals.js";

/**
 * `__proto__`, `constructor` and `prototype` keys in configs. JSON.parse (and the YAML parser) make
 * `__proto__` an own key; copying it with `obj[key] = child` made it the prototype, and the schema
 * then read `security` settings through it while the validator said the key "is ignored".
 */

const dir = mkdtempSync(join(tmpdir(), "mcp-tools-proto-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const rulesOf = (issues: readonly ConfigIssue[]) => issues.map((issue) => issue.rule);
const prototypeIssues = (issues: readonly ConfigIssue[]) =>
  issues.filter((issue) => issue.rule === "config.prototypeKey");

/** Each one turns off a strict-level refusal that the server below would otherwise hit. */
const ESCALATIONS: Array<{ name: string; server: string; refusedBy: string }> = [
  {
    name: "allow_inline_exec",
    server: `{"name":"x","command":"python3","args":["-c","print(1)"],"__proto__":{"security":{"allow_inline_exec":true}}}`,
    refusedBy: "args.inlineExec",
  },
  {
    name: "allowInlineExec inside security",
    server: `{"name":"x","command":"python3","args":["-c","print(1)"],"security":{"__proto__":{"allowInlineExec":true}}}`,
    refusedBy: "args.inlineExec",
  },
  {
    name: "allow_localhost",
    server: `{"name":"x","url":"https://localhost/mcp","__proto__":{"security":{"allow_localhost":true}}}`,
    refusedBy: "url.localhost",
  },
  {
    name: "allowed_executables",
    server: `{"name":"x","command":"/tmp/evil","__proto__":{"security":{"allowed_executables":["/tmp/evil"]}}}`,
    refusedBy: "command.notAllowed",
  },
  {
    name: "allowed_hostnames with the metadata address",
    server: `{"name":"x","url":"https://169.254.169.254/latest/meta-data","__proto__":{"security":{"allowed_hostnames":["169.254.169.254"]}}}`,
    refusedBy: "url.metadata",
  },
];

describe("a __proto__ key never switches the strict policy off", () => {
  for (const { name, server, refusedBy } of ESCALATIONS) {
    it(`new MCPClient refuses a JSON config whose __proto__ sets ${name}`, () => {
      const error = refusal(() => new MCPClient(JSON.parse(server) as Record<string, unknown>));
      expect(error.code).toBe("CONFIG_INVALID");
      // The key itself, and the refusal the key tried to switch off: every problem at once.
      expect(rulesOf(error.issues)).toContain("config.prototypeKey");
      expect(error.issues.map((issue) => issue.rule ?? "")).toEqual(
        expect.arrayContaining([expect.stringContaining(refusedBy.split(".")[0]!)]),
      );
      expect(error.message).toContain("__proto__");
      expect(error.message).not.toContain("is ignored");
    });
  }

  it("the validator reports the key as refused, never as ignored, and the policy stays strict", () => {
    const check = MCPConfigValidator.checkServerConfig(JSON.parse(ESCALATIONS[0]!.server));
    expect(check.config).toBeUndefined();
    expect(check.warnings).toEqual([]);
    expect(check.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "__proto__", rule: "config.prototypeKey" }),
        expect.objectContaining({ path: "args[0]", rule: "args.inlineExec" }),
      ]),
    );
  });

  it("refuses __proto__, constructor and prototype nested in security, env, headers, auth and args objects, all at once", () => {
    const stdio = JSON.parse(`{
      "name": "x",
      "command": "node",
      "args": ["server.js", {"__proto__": {"a": 1}}],
      "env": {"__proto__": {"LD_PRELOAD": "/tmp/evil.so"}, "constructor": "x"},
      "security": {"env": {"__proto__": {"mode": "allowlist"}}, "tool_arguments": {"prototype": {"max_size": 1}}},
      "constructor": {"prototype": {"security": {"level": "permissive"}}}
    }`) as unknown;
    const error = refusal(() => new MCPClient(stdio as Record<string, unknown>));
    expect(prototypeIssues(error.issues).map((issue) => issue.path)).toEqual([
      "args[1].__proto__",
      "env.__proto__",
      "env.constructor",
      "security.env.__proto__",
      "security.tool_arguments.prototype",
      "constructor",
    ]);
    // The object in args is still reported for what it is.
    expect(rulesOf(error.issues)).toContain("config.schema");

    const http = JSON.parse(`{
      "name": "y",
      "url": "https://mcp.example.com/mcp",
      "headers": {"__proto__": {"Authorization": "Bearer x"}, "constructor": "x"},
      "auth": {"flow": "client_credentials", "client_id": "id", "client_secret": "s",
               "__proto__": {"token_store": "file"}, "idp": {"prototype": {}}}
    }`) as unknown;
    const httpError = refusal(() => MCPConfigValidator.validateServerConfig(http));
    expect(prototypeIssues(httpError.issues).map((issue) => issue.path)).toEqual([
      "headers.__proto__",
      "headers.constructor",
      "auth.__proto__",
      "auth.idp.prototype",
    ]);
  });

  it("refuses an object literal with a replaced prototype (settings inherited, not own)", () => {
    const config = {
      name: "x",
      command: "python3",
      args: ["-c", "print(1)"],
      security: Object.create({ allowInlineExec: true }) as Record<string, unknown>,
    };
    const error = refusal(() => new MCPClient(config));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "security", rule: "config.prototypeKey" }),
        expect.objectContaining({ rule: "args.inlineExec" }),
      ]),
    );
  });

  it("an unknown key named like an Object.prototype member is an ordinary unknown key", () => {
    const check = MCPConfigValidator.checkServerConfig(
      JSON.parse(`{"name":"x","command":"node","args":["a.js"],"toString":1,"hasOwnProperty":2}`),
    );
    expect(check.issues).toEqual([]);
    expect(check.warnings.map((w) => [w.path, w.rule])).toEqual([
      ["toString", "config.unknownKey"],
      ["hasOwnProperty", "config.unknownKey"],
    ]);
  });

  it('type "constructor" or "toString" is an unsupported transport, not an inherited member', () => {
    for (const type of ["constructor", "toString", "__proto__"]) {
      const check = MCPConfigValidator.checkServerConfig({
        name: "x",
        type,
        url: "https://mcp.example.com/mcp",
      });
      expect(check.config).toBeUndefined();
      expect(check.issues).toEqual([expect.objectContaining({ path: "type", rule: "config.type" })]);
    }
  });
});

describe("server names", () => {
  it("toString, hasOwnProperty and valueOf are ordinary names everywhere", async () => {
    const names = ["toString", "hasOwnProperty", "valueOf"];
    const map = Object.fromEntries(names.map((n) => [n, { command: "node", args: [`${n}.js`] }]));
    expect(parseServerConfigs(map).configs.map((c) => c.name)).toEqual(names);
    expect(parseServerConfigs({ mcpServers: map }).configs.map((c) => c.name)).toEqual(names);
    expect(new MCPClient({ name: "toString", command: "node", args: ["a.js"] }).name).toBe("toString");
    const file = writeFile("names.json", JSON.stringify({ mcpServers: map }, null, 2));
    const loaded = await loadConfig(file, { environment: {} });
    expect(loaded.servers.map((s) => s.name)).toEqual(names);
  });

  it("loadConfig reports problems of servers named toString/constructor/hasOwnProperty as config errors, never a TypeError", async () => {
    const file = writeFile(
      "badNames.json",
      `{
  "mcpServers": {
    "toString": { "command": "node", "args": ["a.js"], "toString": 1, "timeout": -1 },
    "hasOwnProperty": { "command": "node", "args": ["b.js"], "hasOwnProperty": true, "valueOf": 2 },
    "constructor": { "command": "node", "args": ["c.js"] }
  }
}
`,
    );
    const error = await loadRefusal(file);
    expect(error.issues.map((issue) => [issue.path, issue.rule, issue.line])).toEqual([
      ["mcpServers.toString.timeout", "config.schema", 3],
      ["mcpServers.constructor", "config.prototypeKey", 5],
    ]);
    expect(error.warnings.map((w) => [w.path, w.line])).toEqual([
      ["mcpServers.toString.toString", 3],
      ["mcpServers.hasOwnProperty.hasOwnProperty", 4],
      ["mcpServers.hasOwnProperty.valueOf", 4],
    ]);
  });

  it("__proto__, constructor and prototype are refused as names, in every shape", () => {
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const listed = refusal(() => parseServerConfigs([{ name, command: "node", args: ["a.js"] }]));
      expect(listed.issues).toEqual([
        expect.objectContaining({ path: "servers[0].name", rule: "config.reservedName" }),
      ]);
      const single = refusal(() => new MCPClient({ name, command: "node", args: ["a.js"] }));
      expect(rulesOf(single.issues)).toEqual(["config.reservedName"]);
      const keyed = JSON.parse(`{"${name}": {"command": "node", "args": ["a.js"]}}`) as Record<
        string,
        unknown
      >;
      const mapped = refusal(() => parseServerConfigs(keyed));
      expect(mapped.issues).toEqual([expect.objectContaining({ path: name, rule: "config.prototypeKey" })]);
      const wrapped = refusal(() => new MultiMCPClient({ mcpServers: keyed } as never));
      expect(wrapped.issues).toEqual([
        expect.objectContaining({ path: `mcpServers.${name}`, rule: "config.prototypeKey" }),
      ]);
    }
  });
});

describe("MultiMCPClient", () => {
  it("refuses a __proto__ key in a server of a JSON server list, with its path", () => {
    const input = JSON.parse(`{"mcpServers": {"x": ${ESCALATIONS[0]!.server}}}`) as never;
    const error = refusal(() => new MultiMCPClient(input));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "mcpServers.x.__proto__", rule: "config.prototypeKey" }),
        expect.objectContaining({ path: "mcpServers.x.args[0]", rule: "args.inlineExec" }),
      ]),
    );
    const list = JSON.parse(`[${ESCALATIONS[2]!.server}]`) as never;
    expect(refusal(() => new MultiMCPClient(list)).issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "servers[0].__proto__", rule: "config.prototypeKey" }),
        expect.objectContaining({ path: "servers[0].url", rule: "url.localhost" }),
      ]),
    );
  });

  it("reads the mcpServers wrapper as an own key only", () => {
    const inherited = Object.create({ mcpServers: { x: { command: "node" } } }) as Record<string, unknown>;
    inherited.real = { command: "node", args: ["a.js"] };
    const error = refusal(() => parseServerConfigs(inherited));
    expect(error.issues).toEqual([expect.objectContaining({ path: "", rule: "config.prototypeKey" })]);
  });
});

describe("loadConfig: refused keys with file and line", () => {
  it("a JSON file: every refused key at once, in file order, with file and line", async () => {
    const file = writeFile(
      "proto.json",
      `{
  "mcpServers": {
    "x": {
      "command": "python3",
      "args": ["-c", "print(1)"],
      "__proto__": {
        "security": { "allow_inline_exec": true }
      },
      "env": { "constructor": "1" }
    }
  },
  "prototype": {}
}
`,
    );
    const error = await loadRefusal(file);
    expect(error.configFile).toBe(file);
    expect(error.issues.map((issue) => [issue.path, issue.rule, issue.line, issue.file])).toEqual([
      ["mcpServers.x.args[0]", "args.inlineExec", 5, file],
      ["mcpServers.x.__proto__", "config.prototypeKey", 6, file],
      ["mcpServers.x.env.constructor", "config.prototypeKey", 9, file],
      // `prototype` at the top is in no part that is read (see "only the parts read" below).
    ]);
    expect(error.message).toContain(`${file}:6`);
    expect(error.warnings).toEqual([]);
  });

  it("a YAML file: the parser makes __proto__ an own key too; refused with its line", async () => {
    const file = writeFile(
      "proto.yaml",
      `mcpServers:
  x:
    command: python3
    args: ["-c", "print(1)"]
    __proto__:
      security:
        allow_inline_exec: true
  y:
    url: https://mcp.example.com/mcp
    headers:
      constructor: x
`,
    );
    const error = await loadRefusal(file);
    expect(error.issues.map((issue) => [issue.path, issue.rule, issue.line])).toEqual([
      ["mcpServers.x.args[0]", "args.inlineExec", 4],
      ["mcpServers.x.__proto__", "config.prototypeKey", 5],
      ["mcpServers.y.headers.constructor", "config.prototypeKey", 11],
    ]);
  });

  it("a key brought in by a YAML 1.1 merge (<<: *base) is refused where it lands, with the line of the merge", async () => {
    const file = writeFile(
      "merge.yaml",
      `%YAML 1.1
---
base: &base
  __proto__:
    security:
      allow_inline_exec: true
mcpServers:
  x:
    <<: *base
    command: python3
    args: ["-c", "print(1)"]
`,
    );
    const error = await loadRefusal(file);
    expect(error.issues.map((issue) => [issue.path, issue.rule, issue.line])).toEqual([
      ["mcpServers.x.__proto__", "config.prototypeKey", 8],
      ["mcpServers.x.args[0]", "args.inlineExec", 11],
    ]);
  });

  it("MassGen shapes and objects given in code are checked the same way", async () => {
    const massgen = JSON.parse(
      `{"agents": [{"backend": {"mcp_servers": [${ESCALATIONS[0]!.server}]}, "system_message": {"__proto__": {}}}]}`,
    ) as object;
    const error = await loadRefusal(massgen);
    // loadConfig reads the servers only; validateMcpIntegration hands the whole config back.
    expect(prototypeIssues(error.issues).map((issue) => issue.path)).toEqual([
      "agents[0].backend.mcp_servers[0].__proto__",
    ]);
    expect(rulesOf(error.issues)).toContain("args.inlineExec");
    const integration = refusal(() => MCPConfigValidator.validateMcpIntegration(massgen));
    expect(prototypeIssues(integration.issues).map((issue) => issue.path)).toEqual([
      "agents[0].backend.mcp_servers[0].__proto__",
      "agents[0].system_message.__proto__",
    ]);
    const backend = JSON.parse(`{"mcp_servers": {"x": ${ESCALATIONS[0]!.server}}}`) as unknown;
    const backendError = refusal(() => MCPConfigValidator.validateBackendMcpConfig(backend));
    expect(prototypeIssues(backendError.issues).map((issue) => issue.path)).toEqual([
      "mcp_servers.x.__proto__",
    ]);
  });

  it("a clean config is not copied: validated configs keep their identity through MultiMCPClient", () => {
    const validated = MCPConfigValidator.validateServerConfig({ name: "a", command: "node", args: ["a.js"] });
    expect(parseServerConfigs([validated]).configs[0]).toBe(validated);
  });
});

describe("${VAR} expansion reads own variables only", () => {
  it("${toString}, ${constructor} and ${__proto__} are unset variables, not inherited members", () => {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty"]) {
      expect(expandString(`a\${${name}}b`, {})).toEqual({ value: "ab", missing: [name] });
      expect(expandString(`\${${name}:-fallback}`, {})).toEqual({ value: "fallback", missing: [] });
      expect(expandString(`\${${name}}`).missing).toEqual([name]);
    }
  });

  it("expandAll keeps a __proto__ entry as an own key (the connect-time copy of env and headers)", () => {
    const issues: ConfigIssue[] = [];
    const env = JSON.parse(`{"__proto__": "x", "A": "\${A}"}`) as Record<string, string>;
    const out = expandAll(env, "env", issues, { A: "1" });
    expect(Object.keys(out)).toEqual(["__proto__", "A"]);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(issues).toEqual([]);
  });
});

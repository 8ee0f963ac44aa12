import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { MCPClient } from "../../../src/client/mcpClient.js";
import { renderKeyPath } from "../../../src/common/keyPath.js";
import { snapshotConfig } from "../../../src/config/keys.js";
import { loadConfig } from "../../../src/config/loadConfig.js";
import { checkServerConfig } from "../../../src/config/serverConfig.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import type { ConfigIssue } from "../../../src/errors/errors.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { loadRefusal, refusal } from "../../helpers/configRefusals.js";

/**
 * Configs built in code. The prototype-key refusal used to look at the caller's objects and then
 * hand them on: a prototype with its own `constructor` passed for a class instance, a class with
 * getters was never looked into, and a getter (or a Proxy) read once for the check answered
 * differently when the schema read it again. Validation now works on one snapshot of the input.
 */

const dir = mkdtempSync(join(tmpdir(), "mcp-tools-snapshot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rulesOf = (issues: readonly ConfigIssue[]) => issues.map((issue) => issue.rule);

/** An inline-exec server: the strict policy refuses it unless `allowInlineExec` is switched on. */
const base = { command: "python3", args: ["-c", "print(1)"] };
/** `{ __proto__: {…} }` written in code, with a `constructor` so it looks like a class instance. */
const inherit = (settings: object): Record<string, unknown> =>
  ({ __proto__: { constructor: Object, ...settings } }) as Record<string, unknown>;

class SecuritySettings {
  get allowInlineExec(): boolean {
    return true;
  }
}

/** Each builds a fresh server (getters count their reads) whose only way past the policy is a bypass. */
const BYPASSES: Array<{ name: string; server: () => Record<string, unknown>; rule?: string }> = [
  {
    name: "a __proto__ with its own constructor (proto1/proto2)",
    server: () => ({ ...base, security: inherit({ allowInlineExec: true }) }),
    rule: "config.prototypeKey",
  },
  {
    name: "a __proto__ with its own constructor at the top",
    server: () => Object.assign(inherit({ security: { allowInlineExec: true } }), base),
    rule: "config.prototypeKey",
  },
  {
    name: "a class instance with a getter",
    server: () => ({ ...base, security: new SecuritySettings() }),
    rule: "config.plainObject",
  },
  {
    name: "a getter answering clean first and with a replaced prototype next",
    server: () => {
      let reads = 0;
      return {
        ...base,
        get security() {
          return reads++ === 0 ? {} : { __proto__: { allowInlineExec: true } };
        },
      };
    },
  },
  {
    name: "a Proxy answering clean first and with a replaced prototype next",
    server: () => {
      let reads = 0;
      return new Proxy({ ...base, security: {} } as Record<string, unknown>, {
        get(target, key, receiver) {
          if (key === "security") return reads++ === 0 ? {} : Object.create({ allowInlineExec: true });
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    },
  },
];

describe("objects built in code never switch the strict policy off", () => {
  for (const { name, server, rule } of BYPASSES) {
    const expectRefused = (issues: readonly ConfigIssue[]) => {
      expect(rulesOf(issues)).toContain("args.inlineExec");
      if (rule) expect(rulesOf(issues)).toContain(rule);
    };

    it(`checkServerConfig: ${name}`, () => {
      const check = checkServerConfig(named(server()));
      expect(check.config).toBeUndefined();
      expectRefused(check.issues);
    });

    it(`new MCPClient: ${name}`, () => {
      expectRefused(refusal(() => new MCPClient(named(server()) as never)).issues);
    });

    it(`new MultiMCPClient (list and map): ${name}`, () => {
      expectRefused(refusal(() => new MultiMCPClient([named(server())] as never)).issues);
      expectRefused(refusal(() => new MultiMCPClient({ mcpServers: { s: server() } } as never)).issues);
    });

    it(`loadConfig(object): ${name}`, async () => {
      expectRefused((await loadRefusal({ mcpServers: { s: server() } })).issues);
      expectRefused((await loadRefusal({ agents: [{ backend: { mcp_servers: { s: server() } } }] })).issues);
    });
  }

  it("the metadata address through an inherited allowed_hostnames is refused (proto2)", async () => {
    const http = {
      name: "h",
      url: "http://169.254.169.254/latest",
      security: inherit({ allowedHostnames: ["169.254.169.254"], allowInsecureHttp: true }),
    };
    const error = await loadRefusal([http]);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "[0].security", rule: "config.prototypeKey" }),
        expect.objectContaining({ path: "[0].url", rule: "url.metadataHost" }),
      ]),
    );
    expect(rulesOf(refusal(() => new MCPClient(http as never)).issues)).toContain("url.metadataHost");
    expect(rulesOf(refusal(() => new MultiMCPClient([http] as never)).issues)).toContain("url.metadataHost");
  });

  it("reads every getter exactly once, also through MCPClient and MultiMCPClient", () => {
    for (const validate of [
      (config: object) => new MCPClient(config as never),
      (config: object) => new MultiMCPClient([config] as never),
      (config: object) => MCPConfigValidator.validateServerConfig(config),
    ]) {
      const reads: Record<string, number> = {};
      const counted = (key: string, value: unknown) => {
        reads[key] = 0;
        return {
          get() {
            reads[key]!++;
            return value;
          },
          enumerable: true,
        };
      };
      const config = Object.defineProperties(
        {},
        {
          name: counted("name", "s"),
          command: counted("command", "python3"),
          args: counted("args", ["-c", "print(1)"]),
          security: counted("security", {}),
        },
      );
      refusal(() => validate(config));
      expect(reads).toEqual({ name: 1, command: 1, args: 1, security: 1 });
    }
  });

  it("a Proxy's traps run once per key", () => {
    const gets: string[] = [];
    const target = { name: "s", command: "node", args: ["a.js"], security: { level: "strict" } };
    const proxy = new Proxy(target, {
      get(t, key, receiver) {
        gets.push(String(key));
        return Reflect.get(t, key, receiver) as unknown;
      },
    });
    const config = MCPConfigValidator.validateServerConfig(proxy);
    expect(config.type === "stdio" && config.command).toBe("node");
    expect(gets.sort()).toEqual(["args", "command", "name", "security"]);
  });

  it("class instances and replaced prototypes in every position are refused with their path and rule", () => {
    const check = checkServerConfig({
      name: "s",
      command: "node",
      args: ["a.js", new Date(0)],
      env: new Map([["A", "1"]]),
      security: { env: inherit({ mode: "allowlist" }) },
      reconnect: new (class Reconnect {
        enabled = false;
      })(),
    });
    expect(check.config).toBeUndefined();
    expect(check.issues.filter((i) => i.rule !== "config.schema").map((i) => [i.path, i.rule])).toEqual([
      ["args[1]", "config.plainObject"],
      ["env", "config.plainObject"],
      ["security.env", "config.prototypeKey"],
      ["reconnect", "config.plainObject"],
    ]);
    expect(check.issues.find((i) => i.path === "reconnect")?.message).toContain("instance of Reconnect");
  });

  it("a getter or Proxy that throws is a config error, never a TypeError", () => {
    const throwing = {
      name: "s",
      command: "node",
      get args(): string[] {
        throw new TypeError("boom");
      },
    };
    const error = refusal(() => new MCPClient(throwing as never));
    expect(error.issues).toEqual([expect.objectContaining({ path: "args", rule: "config.plainObject" })]);
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new TypeError("boom");
        },
      },
    );
    expect(rulesOf(refusal(() => new MultiMCPClient([trap] as never)).issues)).toContain(
      "config.plainObject",
    );
  });

  it("a value nested 100,000 levels deep is refused, not a stack overflow", async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) deep = { deep };
    const check = checkServerConfig({ name: "s", command: "node", args: ["a.js"], notes: deep });
    expect(check.config).toBeUndefined();
    expect(rulesOf(check.issues)).toEqual(["config.schema"]);
    expect((await loadRefusal({ mcpServers: { s: { command: "node", notes: deep } } })).issues).toHaveLength(
      1,
    );
  });

  it("keys nobody validates are copied: the caller's objects are neither kept nor frozen", () => {
    const limits = { cpu: 1, nested: { memory: "1g" } };
    const config = MCPConfigValidator.validateServerConfig({
      name: "s",
      command: "node",
      args: ["a.js"],
      resource_limits: limits,
    });
    expect(config.extra.resource_limits).toEqual(limits);
    expect(config.extra.resource_limits).not.toBe(limits);
    expect(Object.isFrozen(limits)).toBe(false);
    // Handed back to the caller: ordinary objects, not prototype-less ones.
    expect(Object.getPrototypeOf(config.extra.resource_limits)).toBe(Object.prototype);
    expect(String(config.extra.resource_limits)).toBe("[object Object]");
  });

  it("the snapshot itself: one copy of own data without prototypes, every refusal listed", () => {
    const shared = { a: 1 };
    const input = JSON.parse('{"x": {"__proto__": {"y": 1}, "z": [1, {"constructor": 2}]}}') as Record<
      string,
      unknown
    >;
    input.twice = [shared, shared];
    const { value, findings } = snapshotConfig(input);
    expect(findings).toEqual([
      { kind: "prototypeKey", path: ["x", "__proto__"], key: "__proto__" },
      { kind: "prototypeKey", path: ["x", "z", 1, "constructor"], key: "constructor" },
    ]);
    const copy = value as { x: object; twice: object[] };
    expect(Object.getPrototypeOf(copy)).toBeNull();
    expect(Object.getPrototypeOf(copy.x)).toBeNull();
    expect(copy.twice[0]).toBe(copy.twice[1]);
    expect(copy.twice[0]).not.toBe(shared);
  });
});

describe("loadConfig reads only the parts that hold servers (C3)", () => {
  it("a MassGen file whose unrelated parts hold prototype keys loads", async () => {
    const file = join(dir, "massgen.yaml");
    writeFileSync(
      file,
      `ui:
  theme:
    prototype: true
  constructor: dark
agents:
  - id: a
    system_message:
      __proto__: {}
    backend:
      type: claude
      extra:
        constructor: 1
      mcp_servers:
        - name: files
          command: node
          args: ["fs.js"]
`,
    );
    const loaded = await loadConfig(file, { environment: {} });
    expect(loaded.servers.map((s) => s.name)).toEqual(["files"]);
  });

  it("refusals inside servers and on the way to them keep their file and line", async () => {
    const file = join(dir, "massgenRefused.yaml");
    writeFileSync(
      file,
      `ui:
  prototype: true
agents:
  - backend:
      mcp_servers:
        constructor:
          command: node
        files:
          command: node
          env:
            __proto__: x
      allowed_tools: [{prototype: 1}]
`,
    );
    const error = await loadRefusal(file);
    expect(
      error.issues
        .filter((i) => i.rule === "config.prototypeKey")
        .map((issue) => [issue.path, issue.line, issue.file]),
    ).toEqual([
      ["agents[0].backend.mcp_servers.constructor", 6, file],
      ["agents[0].backend.mcp_servers.files.env.__proto__", 11, file],
      ["agents[0].backend.allowed_tools[0].prototype", 12, file],
    ]);
  });
});

describe("one renderer of config paths (Q3)", () => {
  it("renders keys that are not names quoted, the same in loadConfig and MultiMCPClient", async () => {
    expect(renderKeyPath(["mcpServers", "my.server", "args", 2])).toBe('mcpServers["my.server"].args[2]');
    const servers = { "my.server": { command: "node", args: ["a.js"], timeout: -1 } };
    const file = join(dir, "quoted.json");
    writeFileSync(file, JSON.stringify({ mcpServers: servers }, null, 2));
    const loaded = await loadRefusal(file);
    const multi = refusal(() => new MultiMCPClient({ mcpServers: servers } as never));
    const paths = (issues: readonly ConfigIssue[]) =>
      issues.map((i) => i.path).filter((p) => p.endsWith("timeout"));
    expect(paths(loaded.issues)).toEqual(['mcpServers["my.server"].timeout']);
    expect(paths(multi.issues)).toEqual(['mcpServers["my.server"].timeout']);
    // The quoted path still finds its line.
    expect(loaded.issues.find((i) => i.path.endsWith("timeout"))?.line).toBe(8);
  });

  it("config, env and header paths are written alike, with long keys cut", () => {
    const long = "x".repeat(10_000);
    const check = checkServerConfig({
      name: "s",
      url: "https://mcp.example.com/mcp",
      headers: { "Bad Name": "v" },
      [long]: 1,
    });
    expect(check.issues.map((i) => i.path)).toEqual(['headers["Bad Name"]']);
    expect(check.warnings.map((w) => w.path)).toEqual([`["${"x".repeat(120)}…"]`]);
    const env = checkServerConfig({
      name: "s",
      command: "node",
      args: ["a.js"],
      env: { "A B": 1 },
    });
    expect(env.issues.map((i) => i.path)).toEqual(['env["A B"]']);
  });
});

/** The server with `name` defined on it (not copied: a copy would read the getters first). */
function named(server: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(server, "name", { value: "s", enumerable: true, configurable: true });
  return server;
}

import { describe, expect, it } from "vitest";

import { loadConfig } from "../../../src/config/loadConfig.js";
import { checkServerConfigs } from "../../../src/config/serverList.js";
import { duplicateNameIssue, serverListEntries, ServerNames } from "../../../src/config/serverList.js";
import { loadRefusal } from "../../helpers/configRefusals.js";

describe("serverListEntries: the one walker of server lists and maps", () => {
  it("reads a list by index and a { name: config } map by key, and nothing else", () => {
    expect(serverListEntries([{ a: 1 }, "x"], ["servers"])).toEqual([
      { path: ["servers", 0], raw: { a: 1 } },
      { path: ["servers", 1], raw: "x" },
    ]);
    expect(serverListEntries({ gh: { command: "node" } }, ["mcpServers"])).toEqual([
      { path: ["mcpServers", "gh"], raw: { command: "node" }, key: "gh" },
    ]);
    expect(serverListEntries("servers.json", [])).toBeUndefined();
    expect(serverListEntries(null, [])).toBeUndefined();
  });
});

describe("one duplicate-name check for in-memory lists and config files", () => {
  it("ServerNames hands back the first entry of a name", () => {
    const names = new ServerNames<{ path: string }>();
    expect(names.claim("a", { path: "servers[0]" })).toBeUndefined();
    expect(names.claim("b", { path: "servers[1]" })).toBeUndefined();
    expect(names.claim("a", { path: "servers[2]" })).toEqual({ path: "servers[0]" });
  });

  it("reports a duplicate with the same text from MultiMCPClient's list and from loadConfig", async () => {
    const servers = [
      { name: "a", command: "node", args: ["x.js"] },
      { name: "a", command: "node", args: ["y.js"] },
    ];
    const inMemory = checkServerConfigs(servers).issues.find((i) => i.rule === "config.duplicateName");
    const fromFile = (await loadRefusal({ mcp_servers: servers })).issues.find(
      (i) => i.rule === "config.duplicateName",
    );
    expect(inMemory).toEqual(duplicateNameIssue("a", "servers[1].name", "servers[0]"));
    expect(fromFile).toMatchObject(duplicateNameIssue("a", "mcp_servers[1]", "mcp_servers[0]"));
    expect(inMemory?.message).toBe(
      'duplicate server name "a" (servers[0] has it already); names must be unique because they prefix tool names',
    );
  });

  it("a map can never hold a duplicate: its keys name the servers", async () => {
    const loaded = await loadConfig({ mcpServers: { a: { command: "node" }, b: { command: "node" } } });
    expect(loaded.servers.map((s) => s.name)).toEqual(["a", "b"]);
  });
});

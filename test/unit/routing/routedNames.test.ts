import { describe, expect, it } from "vitest";

import { buildResourceIndex, matchesTemplate } from "../../../src/routing/resourceIndex.js";
import {
  prefixedName,
  ROUTED_NAME_PATTERN,
  sanitizeNamePart,
  unusableNameReason,
} from "../../../src/routing/routedNames.js";
import type { NameGroup } from "../../../src/routing/routedNameTable.js";
import { RoutedNameTable } from "../../../src/routing/routedNameTable.js";
import { nameListed, toolFilter } from "../../../src/routing/toolFilter.js";

const group = (server: string, ...names: unknown[]): NameGroup<string> => ({
  server,
  items: names.map((rawName) => ({ rawName, value: `${server}/${String(rawName)}` })),
});

describe("routed names", () => {
  it("prefixes as mcp__{server}__{tool} and keeps valid names unchanged", () => {
    expect(prefixedName("github", "create_issue")).toBe("mcp__github__create_issue");
    expect(prefixedName("web-srv", "fetch-url")).toBe("mcp__web-srv__fetch-url");
  });

  it("replaces characters LLM APIs refuse (dots, spaces, slashes, non-ASCII) with _", () => {
    expect(sanitizeNamePart("files.read v2/é")).toBe("files_read_v2__");
    expect(prefixedName("s", "files.read")).toBe("mcp__s__files_read");
  });

  it("keeps every routed name within 64 characters and the OpenAI pattern, deterministically", () => {
    const server50 = "s".repeat(50);
    const names = [
      "x".repeat(200),
      "tool.with.dots".repeat(10),
      "a",
      "日本語のツール名",
      "t".repeat(7),
      "t".repeat(8),
    ];
    for (const server of ["a", "github", server50]) {
      for (const raw of names) {
        for (const suffix of ["", "_2", "_13"]) {
          const name = prefixedName(server, raw, suffix);
          expect(name, `${server} / ${raw} / ${suffix}`).toMatch(ROUTED_NAME_PATTERN);
          expect(name.length).toBeLessThanOrEqual(64);
          expect(prefixedName(server, raw, suffix)).toBe(name);
        }
      }
    }
  });

  it("shortens long names at exactly 64 characters with a hash that keeps shared beginnings apart", () => {
    const budget = 64 - "mcp__srv__".length;
    expect(prefixedName("srv", "x".repeat(budget))).toBe(`mcp__srv__${"x".repeat(budget)}`);
    const long1 = prefixedName("srv", `${"x".repeat(budget)}_one`);
    const long2 = prefixedName("srv", `${"x".repeat(budget)}_two`);
    expect(long1).toHaveLength(64);
    expect(long1).not.toBe(long2);
    expect(long1.startsWith("mcp__srv__xxxx")).toBe(true);
  });

  it("rejects only names that cannot be routed: not a string, empty, no letter or digit", () => {
    expect(unusableNameReason(42)).toMatch(/not a string/);
    expect(unusableNameReason(null)).toMatch(/null/);
    expect(unusableNameReason("  ")).toMatch(/empty/);
    expect(unusableNameReason("...")).toMatch(/letter or digit/);
    // No reserved names (MassGen bug 9): list, help, config, status are ordinary tools.
    for (const name of ["list", "help", "config", "status", "ping", "mcp__x"]) {
      expect(unusableNameReason(name)).toBeUndefined();
    }
  });
});

describe("RoutedNameTable", () => {
  it("maps every routed name back to the stored server and raw name (no string slicing, MassGen bug 10)", () => {
    const table = new RoutedNameTable<string>("tool");
    const { entries } = table.build([group("fs", "read.file", "_private_", "mcp__x__y")]);
    expect([...entries.keys()]).toEqual(["mcp__fs__read_file", "mcp__fs___private_", "mcp__fs__mcp__x__y"]);
    expect(entries.get("mcp__fs__read_file")).toMatchObject({ server: "fs", rawName: "read.file" });
    expect(entries.get("mcp__fs__mcp__x__y")).toMatchObject({ server: "fs", rawName: "mcp__x__y" });
  });

  it("resolves collisions deterministically (config order, then _2, _3…) and reports each one", () => {
    const table = new RoutedNameTable<string>("tool");
    const { entries, collisions } = table.build([
      group("a", "b__c", "x.y", "x_y", "x-y"),
      group("a__b", "c"),
    ]);
    expect(entries.get("mcp__a__b__c")).toMatchObject({ server: "a", rawName: "b__c" });
    expect(entries.get("mcp__a__b__c_2")).toMatchObject({ server: "a__b", rawName: "c" });
    expect(entries.get("mcp__a__x_y")).toMatchObject({ rawName: "x.y" });
    expect(entries.get("mcp__a__x_y_2")).toMatchObject({ rawName: "x_y" });
    expect(entries.get("mcp__a__x-y")).toMatchObject({ rawName: "x-y" });
    expect(collisions.map((c) => [c.server, c.rawName, c.name, c.conflictsWith.server])).toEqual([
      ["a", "x_y", "mcp__a__x_y_2", "a"],
      ["a__b", "c", "mcp__a__b__c_2", "a"],
    ]);
    expect(collisions[1]!.message).toContain('server "a"');
    // Same input, fresh table: same result.
    const again = new RoutedNameTable<string>("tool").build([
      group("a", "b__c", "x.y", "x_y", "x-y"),
      group("a__b", "c"),
    ]);
    expect([...again.entries.keys()]).toEqual([...entries.keys()]);
  });

  it("skips an unusable name with a reason, never the rest of the server (MassGen bug 9)", () => {
    const table = new RoutedNameTable<string>("tool");
    const { entries, skipped } = table.build([group("s", "ok", "", 7, "???", "help")]);
    expect([...entries.keys()]).toEqual(["mcp__s__ok", "mcp__s__help"]);
    expect(skipped.map((s) => s.rawName)).toEqual(["", 7, "???"]);
    expect(skipped[0]!.message).toContain('Server "s"');
  });

  it("keeps handed-out names across rebuilds even when a colliding item appears earlier in config order", () => {
    const table = new RoutedNameTable<string>("tool");
    const first = table.build([group("a"), group("a__b", "c")]);
    expect(first.entries.get("mcp__a__b__c")).toMatchObject({ server: "a__b" });
    // Server "a" (earlier in config order) reconnects with a tool that would take the name.
    const second = table.build([group("a", "b__c"), group("a__b", "c")]);
    expect(second.entries.get("mcp__a__b__c")).toMatchObject({ server: "a__b", rawName: "c" });
    expect(second.entries.get("mcp__a__b__c_2")).toMatchObject({ server: "a", rawName: "b__c" });
    expect(table.lookup("mcp__a__b__c")).toEqual({ server: "a__b", rawName: "c" });
  });

  it("remembers the holder of a name while its server is down (lookup)", () => {
    const table = new RoutedNameTable<string>("tool");
    table.build([group("s", "echo")]);
    table.build([]);
    expect(table.lookup("mcp__s__echo")).toEqual({ server: "s", rawName: "echo" });
    expect(table.build([group("s", "echo")]).entries.get("mcp__s__echo")).toMatchObject({ rawName: "echo" });
  });

  it("never hands a name to another item, not even while its holder's server is down", () => {
    const table = new RoutedNameTable<string>("tool");
    table.build([group("gh", "repo__delete")]); // gh__repo is down
    // gh goes down, gh__repo comes up with a tool whose routed name is the one gh holds.
    const { entries, collisions } = table.build([group("gh"), group("gh__repo", "delete")]);
    expect(entries.has("mcp__gh__repo__delete")).toBe(false);
    expect(entries.get("mcp__gh__repo__delete_2")).toMatchObject({ server: "gh__repo", rawName: "delete" });
    expect(collisions).toEqual([
      expect.objectContaining({
        server: "gh__repo",
        name: "mcp__gh__repo__delete_2",
        conflictsWith: { server: "gh", rawName: "repo__delete", name: "mcp__gh__repo__delete" },
        message: expect.stringContaining("not connected now"),
      }),
    ]);
    expect(table.lookup("mcp__gh__repo__delete")).toEqual({ server: "gh", rawName: "repo__delete" });
    // gh is back: each keeps its own name.
    const back = table.build([group("gh", "repo__delete"), group("gh__repo", "delete")]);
    expect(back.entries.get("mcp__gh__repo__delete")).toMatchObject({
      server: "gh",
      rawName: "repo__delete",
    });
    expect(back.entries.get("mcp__gh__repo__delete_2")).toMatchObject({ server: "gh__repo" });
    expect(back.collisions).toEqual([]);
  });

  it("ignores a name a server lists twice (first definition wins)", () => {
    const { entries, collisions } = new RoutedNameTable<string>("tool").build([group("s", "echo", "echo")]);
    expect(entries.size).toBe(1);
    expect(collisions).toEqual([]);
  });
});

describe("tool filters (MassGen bug 13: raw and prefixed names)", () => {
  const lists = {
    serverAllowed: undefined,
    serverExcluded: [],
    clientAllowed: undefined,
    clientExcluded: [],
  };

  it("matches raw, mcp__{server}__{raw} and routed forms", () => {
    expect(nameListed(["read.file"], "fs", "read.file")).toBe(true);
    expect(nameListed(["mcp__fs__read.file"], "fs", "read.file")).toBe(true);
    expect(nameListed(["mcp__fs__read_file"], "fs", "read.file")).toBe(true);
    expect(nameListed(["mcp__other__read_file"], "fs", "read.file")).toBe(false);
  });

  it("exclusions (server ∪ client) win over allow-lists", () => {
    const keep = toolFilter("fs", { ...lists, clientAllowed: ["a", "b"], clientExcluded: ["mcp__fs__b"] });
    expect(["a", "b", "c"].filter(keep)).toEqual(["a"]);
    const serverExcl = toolFilter("fs", { ...lists, serverExcluded: ["a"], clientExcluded: ["mcp__fs__c"] });
    expect(["a", "b", "c"].filter(serverExcl)).toEqual(["b"]);
  });

  it("a server's allowed_tools replaces the client's, and [] allows nothing", () => {
    const server = toolFilter("fs", { ...lists, serverAllowed: ["mcp__fs__c"], clientAllowed: ["a"] });
    expect(["a", "b", "c"].filter(server)).toEqual(["c"]);
    const none = toolFilter("fs", { ...lists, serverAllowed: [], clientAllowed: ["a"] });
    expect(["a", "b"].filter(none)).toEqual([]);
    const all = toolFilter("fs", lists);
    expect(["a", "b"].filter(all)).toEqual(["a", "b"]);
  });
});

describe("resources", () => {
  it("indexes by URI; a URI listed twice stays with the first server and is reported", () => {
    const { entries, collisions } = buildResourceIndex([
      { server: "a", resources: [{ uri: "file:///x", name: "x" }] },
      {
        server: "b",
        resources: [
          { uri: "file:///x", name: "x" },
          { uri: "file:///y", name: "y" },
        ],
      },
    ]);
    expect(entries.get("file:///x")?.server).toBe("a");
    expect(entries.get("file:///y")?.server).toBe("b");
    expect(collisions).toEqual([expect.objectContaining({ uri: "file:///x", server: "b", keptServer: "a" })]);
  });

  it("matches RFC 6570 templates", () => {
    expect(matchesTemplate("demo://notes/{id}", "demo://notes/42")).toBe(true);
    expect(matchesTemplate("demo://notes/{id}", "demo://notes/42/x")).toBe(false);
    expect(matchesTemplate("demo://notes/{id}", "demo://other/42")).toBe(false);
    expect(matchesTemplate("file:///{+path}", "file:///a/b/c.txt")).toBe(true);
    expect(matchesTemplate({ uriTemplate: "x://{a}.{b}", name: "t" }, "x://1.2")).toBe(true);
  });
});

describe("messages quote the servers' names and URIs through the server-text gate", () => {
  const TOKEN = "ghp_registryLeakToken0123456789abcdef";
  const HOSTILE = `x\x1b]0;pwned\x07\x1b[2J\u009b31m\u202e Authorization: Bearer ${TOKEN}`;
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;
  const expectClean = (message: string) => {
    expect(message).not.toContain(TOKEN);
    expect(message).not.toMatch(CONTROL);
  };

  it("a collision and a skipped name", () => {
    // Short enough to keep its routed name unhashed: `.` and `/` both become `_`, so the two collide.
    const short = `\x1b[2J\u202e ${TOKEN}`;
    const { collisions } = new RoutedNameTable<string>("tool").build([group("s", `${short}.`, `${short}/`)]);
    expect(collisions).toHaveLength(1);
    // The routed names keep [A-Za-z0-9_-] of the raw name (they are what the caller uses); the raw
    // names are gated.
    expectClean(collisions[0]!.message.replace(/"mcp__[\w-]+"/g, ""));
    expect(collisions[0]!.message).toContain('The tool " [REDACTED]/" of server "s"');
    // The items keep the raw names exactly.
    expect(collisions[0]!.rawName).toBe(`${short}/`);
    // Nothing of this name can be routed (no ASCII letter or digit), but the message still shows it.
    const { skipped } = new RoutedNameTable<string>("tool").build([
      group("c", `\x1b[\x07\u202e${"!".repeat(300)}`),
    ]);
    expect(skipped).toHaveLength(1);
    expectClean(skipped[0]!.message);
    expect(skipped[0]!.message).toMatch(/… \(\d+ more characters\)"/);
  });

  it("a resource URI two servers list", () => {
    const uri = `file:///${HOSTILE}?access_token=${TOKEN}`;
    const { collisions } = buildResourceIndex([
      { server: "a", resources: [{ uri, name: "r" }] },
      { server: "b", resources: [{ uri, name: "r" }] },
    ]);
    expect(collisions).toHaveLength(1);
    expectClean(collisions[0]!.message);
    expect(collisions[0]!.uri).toBe(uri);
  });
});

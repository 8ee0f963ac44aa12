import { describe, expect, it } from "vitest";

import { joinKeyPath, parseKeyPath, renderKeyPath } from "../../../src/common/keyPath.js";

describe("renderKeyPath: the one way a path is written", () => {
  it("writes names after dots, indexes in brackets, anything else quoted, and reads it back", () => {
    const path = ["mcpServers", "my.server", "env", "MY VAR", "args", 2, "X-Api-Key", "__proto__", ""];
    const text = renderKeyPath(path);
    expect(text).toBe('mcpServers["my.server"].env["MY VAR"].args[2].X-Api-Key.__proto__[""]');
    expect(parseKeyPath(text)).toEqual(path);
    expect(renderKeyPath([0, "a"], "servers")).toBe("servers[0].a");
    expect(renderKeyPath(['quote"d'])).toBe('["quote\\"d"]');
    expect(parseKeyPath(renderKeyPath(['quote"d', "]"]))).toEqual(['quote"d', "]"]);
  });

  it("cuts a very long key, so a hostile document cannot fill the message with it", () => {
    const long = "k".repeat(100_000);
    // Quoted: what is shown is not the key itself.
    expect(renderKeyPath(["env", long])).toBe(`env["${"k".repeat(120)}…"]`);
    expect(renderKeyPath(["a", long], "arguments", 64)).toBe(`arguments.a["${"k".repeat(64)}…"]`);
  });

  it("joins a relative path to its prefix", () => {
    expect(joinKeyPath("servers[0]", "env.A")).toBe("servers[0].env.A");
    expect(joinKeyPath("x", '["a.b"]')).toBe('x["a.b"]');
    expect(joinKeyPath("", "a")).toBe("a");
    expect(joinKeyPath("a", "")).toBe("a");
  });

  it("parses the paths the checks wrote by hand too", () => {
    expect(parseKeyPath("headers.X Bad")).toEqual(["headers", "X Bad"]);
    expect(parseKeyPath("a[x]")).toBeUndefined();
  });
});

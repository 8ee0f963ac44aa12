// The one tool filter of both clients. MCPClient used to match only `mcp__{server}__{raw}`, so
// `allowed_tools: ["mcp__srv__a_b"]` (the routed name of tool `a.b`) kept the tool in
// MultiMCPClient and dropped it in MCPClient. Both clients now filter with configuredToolFilter;
// these tests pin what it keeps.
import { describe, expect, it } from "vitest";

import { prefixedName } from "../../../src/routing/routedNames.js";
import { configuredToolFilter } from "../../../src/routing/toolFilter.js";

const server = (allowedTools: readonly string[] | undefined, excludeTools: readonly string[] = []) => ({
  allowedTools,
  excludeTools,
});

describe("configuredToolFilter: one behaviour for MCPClient and MultiMCPClient", () => {
  it("keeps tool a.b when allowed_tools names it raw, prefixed or by its sanitised routed name", () => {
    expect(prefixedName("srv", "a.b")).toBe("mcp__srv__a_b");
    for (const name of ["a.b", "mcp__srv__a.b", "mcp__srv__a_b"]) {
      const keep = configuredToolFilter("srv", server([name]), {});
      expect(keep("a.b"), name).toBe(true);
      expect(keep("other"), name).toBe(false);
    }
  });

  it("drops tool a.b when exclude_tools names it in any of the three forms", () => {
    for (const name of ["a.b", "mcp__srv__a.b", "mcp__srv__a_b"]) {
      expect(configuredToolFilter("srv", server(undefined, [name]), {})("a.b"), name).toBe(false);
      expect(configuredToolFilter("srv", server(undefined), { excludeTools: [name] })("a.b"), name).toBe(
        false,
      );
    }
  });

  it("matches the client-level allow-list the same way", () => {
    const keep = configuredToolFilter("srv", server(undefined), { allowedTools: ["mcp__srv__a_b"] });
    expect(keep("a.b")).toBe(true);
    expect(keep("c")).toBe(false);
  });

  it("does not match another server's routed name", () => {
    expect(configuredToolFilter("srv", server(["mcp__other__a_b"]), {})("a.b")).toBe(false);
    expect(configuredToolFilter("srv", server(undefined, ["mcp__other__a_b"]), {})("a.b")).toBe(true);
  });

  it("lets the server's allow-list (even an empty one) replace the client's, and adds both exclusions", () => {
    expect(configuredToolFilter("srv", server(["x"]), { allowedTools: ["a.b"] })("a.b")).toBe(false);
    expect(configuredToolFilter("srv", server([]), { allowedTools: ["a.b"] })("a.b")).toBe(false);
    const keep = configuredToolFilter("srv", server(["a", "b", "c"], ["a"]), {
      excludeTools: ["mcp__srv__b"],
    });
    expect(["a", "b", "c"].filter(keep)).toEqual(["c"]);
  });

  it("keeps every tool when no list is given, and exclusions win over the allow-list", () => {
    expect(configuredToolFilter("srv", server(undefined), {})("anything")).toBe(true);
    expect(configuredToolFilter("srv", server(["a.b"], ["mcp__srv__a_b"]), {})("a.b")).toBe(false);
  });
});

import { createHash } from "node:crypto";

import { describe, expect, it } from "vitest";

import {
  assignProviderNames,
  isValidProviderName,
  PROVIDER_NAME_RULES,
  sanitizeProviderName,
} from "../../../src/converters/names.js";

const hash = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 6);

describe("isValidProviderName", () => {
  it("accepts 1 to 64 allowed characters and refuses 0 and 65", () => {
    expect(isValidProviderName("a", "openai")).toBe(true);
    expect(isValidProviderName("a".repeat(64), "openai")).toBe(true);
    expect(isValidProviderName("a".repeat(65), "openai")).toBe(false);
    expect(isValidProviderName("", "openai")).toBe(false);
  });

  it("applies each provider's character set", () => {
    expect(isValidProviderName("read.file", "openai")).toBe(false);
    expect(isValidProviderName("read.file", "anthropic")).toBe(false);
    expect(isValidProviderName("read.file", "gemini")).toBe(true);
    expect(isValidProviderName("ns:read", "gemini")).toBe(true);
    expect(isValidProviderName("read.file", "portable")).toBe(false);
    expect(isValidProviderName("read-file_2", "portable")).toBe(true);
  });

  it("applies Gemini's first-character rule (letter or underscore) but not OpenAI's", () => {
    expect(isValidProviderName("3d_render", "openai")).toBe(true);
    expect(isValidProviderName("3d_render", "gemini")).toBe(false);
    expect(isValidProviderName("-x", "gemini")).toBe(false);
    expect(isValidProviderName("_x", "gemini")).toBe(true);
    expect(isValidProviderName("3d_render", "portable")).toBe(false);
  });
});

describe("sanitizeProviderName", () => {
  it("replaces each disallowed character (code point) with _", () => {
    expect(sanitizeProviderName("files/read.v2", "openai")).toEqual({
      name: "files_read_v2",
      reasons: ["characters"],
    });
    expect(sanitizeProviderName("résumé", "openai").name).toBe("r_sum_");
    expect(sanitizeProviderName("a😀b", "openai").name).toBe("a_b");
  });

  it("puts _ in front of a first character Gemini refuses", () => {
    expect(sanitizeProviderName("3d", "gemini")).toEqual({ name: "_3d", reasons: ["start"] });
    expect(sanitizeProviderName("3d", "openai")).toEqual({ name: "3d", reasons: [] });
  });

  it("shortens a long name to exactly 64 characters ending in a hash of the full name", () => {
    const long = `mcp__${"server".repeat(6)}__${"tool".repeat(12)}`;
    const { name, reasons } = sanitizeProviderName(long, "openai");
    expect(name).toHaveLength(64);
    expect(name).toBe(`${long.slice(0, 57)}_${hash(long)}`);
    expect(reasons).toEqual(["length"]);
  });

  it("names an empty name 'tool'", () => {
    expect(sanitizeProviderName("", "openai")).toEqual({ name: "tool", reasons: ["empty"] });
  });
});

describe("assignProviderNames", () => {
  it("keeps valid names and reports nothing", () => {
    const table = assignProviderNames(["echo", "add"], "openai");
    expect(table.changes).toEqual([]);
    expect(table.toProvider.get("echo")).toBe("echo");
    expect(table.toOriginal.get("add")).toBe("add");
  });

  it("reports every rewritten name with its reasons", () => {
    const table = assignProviderNames(["echo", "fs.read"], "openai");
    expect(table.changes).toEqual([{ original: "fs.read", name: "fs_read", reasons: ["characters"] }]);
    expect(table.toOriginal.get("fs_read")).toBe("fs.read");
  });

  it("lets a valid name keep its name when a rewritten one collides with it", () => {
    for (const order of [
      ["a.b", "a_b"],
      ["a_b", "a.b"],
    ]) {
      const table = assignProviderNames(order, "openai");
      expect(table.toProvider.get("a_b")).toBe("a_b");
      expect(table.toProvider.get("a.b")).toBe(`a_b_${hash("a.b")}`);
      expect(table.changes).toEqual([
        { original: "a.b", name: `a_b_${hash("a.b")}`, reasons: ["characters", "collision"] },
      ]);
    }
  });

  it("keeps two rewritten names apart, whatever the input order", () => {
    const forward = assignProviderNames(["a.b", "a:b"], "openai");
    const backward = assignProviderNames(["a:b", "a.b"], "openai");
    expect([...forward.toProvider].sort()).toEqual([...backward.toProvider].sort());
    expect(new Set(forward.toProvider.values()).size).toBe(2);
  });

  it("keeps long names that share their first 55 characters apart", () => {
    const head = "x".repeat(60);
    const table = assignProviderNames([`${head}_alpha`, `${head}_beta`], "openai");
    const names = [...table.toProvider.values()];
    expect(new Set(names).size).toBe(2);
    for (const name of names) {
      expect(name).toHaveLength(64);
      expect(isValidProviderName(name, "openai")).toBe(true);
    }
  });

  it("produces names that are valid under the rules, for awkward inputs", () => {
    const inputs = ["", "9lives", "-dash", "a/b/c", "mcp__srv__tool", "x".repeat(200), "ünïcödé", "a b", "_"];
    for (const rules of ["openai", "anthropic", "gemini", "portable"] as const) {
      const table = assignProviderNames(inputs, rules);
      const names = [...table.toProvider.values()];
      expect(new Set(names).size, rules).toBe(inputs.length);
      for (const name of names)
        expect(isValidProviderName(name, PROVIDER_NAME_RULES[rules]), `${rules}: ${name}`).toBe(true);
      for (const input of inputs) expect(table.toOriginal.get(table.toProvider.get(input)!)).toBe(input);
    }
  });

  it("maps a duplicated original once", () => {
    const table = assignProviderNames(["a.b", "a.b"], "openai");
    expect(table.changes).toHaveLength(1);
    expect(table.toProvider.size).toBe(1);
  });

  it("is stable across calls (the same input gives the same names)", () => {
    const inputs = ["one.two", "x".repeat(90), "3d"];
    expect([...assignProviderNames(inputs, "gemini").toProvider]).toEqual([
      ...assignProviderNames(inputs, "gemini").toProvider,
    ]);
  });

  it("refuses unknown rule sets with the list of known ones", () => {
    expect(() => assignProviderNames(["a"], "mistral" as never)).toThrow(
      /openai, anthropic, gemini, portable/,
    );
  });
});

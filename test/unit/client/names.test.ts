import { describe, expect, it } from "vitest";

import { suggestNames } from "../../../src/client/names.js";

describe("suggestNames", () => {
  it("lists names as they are, with a close match first", () => {
    expect(suggestNames("ech", ["echo", "add"])).toBe(' Did you mean "echo"? Available: echo, add.');
    expect(suggestNames("x", [])).toBe(" The server offers none.");
  });

  it("puts every name a server chose through the server-text gate: cut, no escape codes, no secrets", () => {
    const long = `${"n".repeat(100_000)}`;
    const hostile = "\x1b]0;pwned\x07\x1b[2Jtool Bearer ghp_namesLeakToken0123456789abcdefAB";
    const text = suggestNames("nnnn", [long, hostile]);
    expect(text.length).toBeLessThan(400);
    expect(text).toContain("… (99900 more characters)");
    expect(text).toContain("tool Bearer [REDACTED]");
    expect(text).not.toContain("\x1b");
  });
});

describe("suggestNames with very long names", () => {
  it("still finds the close one among names whose length alone rules them out", () => {
    const names = Array.from({ length: 100 }, (_, i) => `${"b".repeat(100_000)}${i}`);
    expect(suggestNames("a".repeat(1_000), [...names, "a".repeat(999)])).toContain(
      `Did you mean "${"a".repeat(100)}… (899 more characters)"?`,
    );
  });
});

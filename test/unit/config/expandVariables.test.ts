import { describe, expect, it } from "vitest";

import { expandAll, expandString, hasReference } from "../../../src/config/expandVariables.js";
import type { ConfigIssue } from "../../../src/errors/errors.js";

const env = { TOKEN: "abc", EMPTY: "", HOST: "example.com" };

describe("variable expansion", () => {
  it("expands ${VAR}, ${env:VAR} and several references in one value", () => {
    expect(expandString("Bearer ${TOKEN}", env)).toEqual({ value: "Bearer abc", missing: [] });
    expect(expandString("${env:HOST}", env)).toEqual({ value: "example.com", missing: [] });
    expect(expandString("https://${HOST}/x?t=${TOKEN}&a=1", env).value).toBe(
      "https://example.com/x?t=abc&a=1",
    );
  });

  it("uses ${VAR:-default} when unset or empty", () => {
    expect(expandString("${NOPE:-fallback}", env).value).toBe("fallback");
    expect(expandString("${EMPTY:-fallback}", env).value).toBe("fallback");
    expect(expandString("${NOPE:-}", env).value).toBe("");
    expect(expandString("${TOKEN:-unused}", env).value).toBe("abc");
  });

  it("reports unset variables without defaults by name, never as literal text", () => {
    expect(expandString("a ${NOPE} b ${ALSO_NOPE}", env)).toEqual({
      value: "a  b ",
      missing: ["NOPE", "ALSO_NOPE"],
    });
    expect(expandString("${EMPTY}", env).missing).toEqual(["EMPTY"]);
  });

  it("leaves text without references and lower-case ${cwd}-style names that are set alone", () => {
    expect(expandString("plain $HOME text", env)).toEqual({ value: "plain $HOME text", missing: [] });
    expect(hasReference("x ${A} y")).toBe(true);
    expect(hasReference("x $A y")).toBe(false);
  });

  it("expands lists and maps, reporting each missing variable with its path", () => {
    const issues: ConfigIssue[] = [];
    expect(expandAll(["--token", "${TOKEN}", "${MISSING}"], "args", issues, env)).toEqual([
      "--token",
      "abc",
      "",
    ]);
    expect(expandAll({ A: "${TOKEN}", B: "${GONE}" }, "env", issues, env)).toEqual({ A: "abc", B: "" });
    expect(issues).toEqual([
      expect.objectContaining({
        path: "args[2]",
        rule: "env.unsetVariable",
        message: expect.stringContaining('"MISSING"'),
      }),
      expect.objectContaining({
        path: "env.B",
        rule: "env.unsetVariable",
        message: expect.stringContaining('"GONE"'),
      }),
    ]);
  });
});

import { describe, expect, it } from "vitest";

import { exampleText, run, syncReadme } from "../../../scripts/syncExamples.mjs";

/*
 * README.md's TypeScript blocks are copies of examples/*.ts, which `npm run typecheck` compiles
 * against the built package (examples/tsconfig.json). This test fails when a copy drifts, so a
 * README example is always one that type-checks; `npm run examples:sync` rewrites the copies.
 */
describe("README examples", () => {
  it("every TypeScript block of README.md is its examples/ file, and every example is shown", () => {
    const { problems, differs } = run({ check: true });
    expect(problems).toEqual([]);
    expect(differs, "README.md differs from examples/: run `npm run examples:sync`").toBe(false);
  });
});

describe("syncExamples", () => {
  const files: Record<string, string> = {
    "examples/a.ts":
      'import { MCPClient } from "mcp-tools";\n\nnew MCPClient({ name: "a", command: "node" });\n',
    "examples/b.ts":
      "declare const hidden: number;\n\n// #region readme\nconsole.log(hidden);\n// #endregion readme\n",
  };
  const read = (file: string): string => {
    const text = files[file];
    if (text === undefined) throw new Error("no such file");
    return text;
  };

  it("shows the whole file, or only its readme region", () => {
    expect(exampleText(read("examples/a.ts"))).toBe(
      'import { MCPClient } from "mcp-tools";\n\nnew MCPClient({ name: "a", command: "node" });',
    );
    expect(exampleText(read("examples/b.ts"))).toBe("console.log(hidden);");
    expect(() => exampleText("// #region readme\nx;\n")).toThrow(/unbalanced/);
  });

  it("replaces a drifted block with its example and keeps the rest of the README", () => {
    const readme = "# Title\n\n<!-- example: examples/b.ts -->\n\n```ts\nconsole.log(old);\n```\n\nText.\n";
    const { text, problems } = syncReadme(readme, read, ["examples/b.ts"]);
    expect(problems).toEqual([]);
    expect(text).toBe(
      "# Title\n\n<!-- example: examples/b.ts -->\n\n```ts\nconsole.log(hidden);\n```\n\nText.\n",
    );
  });

  it("reports a TypeScript block without a marker, a missing file and an example no block shows", () => {
    const readme =
      "```ts\nhand();\n```\n\n<!-- example: examples/gone.ts -->\n\n```ts\nx;\n```\n\n```sh\nnpm test\n```\n";
    const { problems } = syncReadme(readme, read, ["examples/a.ts", "examples/gone.ts"]);
    expect(problems).toEqual([
      "README.md:1: a ts block without an <!-- example: examples/….ts --> marker",
      "README.md:5: examples/gone.ts: no such file",
      "examples/a.ts: no README block shows it (add a marker, or delete the file)",
    ]);
  });
});

// The public surface is a promise: a name added to or dropped from an entry point (the root,
// `mcp-tools/converters`, `mcp-tools/testing`) changes these snapshots, so the change shows in review
// instead of slipping out with a release.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import ts from "typescript";
import { describe, expect, it } from "vitest";

import * as converters from "../../../src/converters/index.js";
import * as root from "../../../src/index.js";
import * as testing from "../../../src/testing.js";

const entries = [
  { subpath: ".", source: "../../../src/index.ts", api: root, snapshot: "" },
  {
    subpath: "./converters",
    source: "../../../src/converters/index.ts",
    api: converters,
    snapshot: "converters.",
  },
  { subpath: "./testing", source: "../../../src/testing.ts", api: testing, snapshot: "testing." },
] as const;

describe.each(entries)("public exports of $subpath", ({ source, api, snapshot }) => {
  const file = fileURLToPath(new URL(source, import.meta.url));

  it("match the committed list of runtime names", async () => {
    const names = Object.keys(api).sort();
    await expect(`${names.join("\n")}\n`).toMatchFileSnapshot(`./${snapshot}exports.snapshot.txt`);
  });

  it("match the committed list of type-only names", async () => {
    const program = ts.createProgram([file], { noEmit: true, skipLibCheck: true, strict: true });
    const checker = program.getTypeChecker();
    const sourceFile = program.getSourceFile(file);
    const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile);
    expect(moduleSymbol, `${source} has a module symbol`).toBeDefined();
    const runtime = new Set(Object.keys(api));
    const types = checker
      .getExportsOfModule(moduleSymbol!)
      .map((symbol) => symbol.name)
      .filter((name) => !runtime.has(name))
      .sort();
    await expect(`${types.join("\n")}\n`).toMatchFileSnapshot(`./${snapshot}typeExports.snapshot.txt`);
  });
});

describe("package.json exports", () => {
  it("has one entry per public entry point, each with its types and its code", () => {
    const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      exports: Record<string, unknown>;
    };
    const built = (source: string) => source.replace("../../../src/", "./dist/").replace(/\.ts$/, "");
    expect(manifest.exports).toEqual({
      ...Object.fromEntries(
        entries.map(({ subpath, source }) => [
          subpath,
          { types: `${built(source)}.d.ts`, default: `${built(source)}.js` },
        ]),
      ),
      "./package.json": "./package.json",
    });
  });
});

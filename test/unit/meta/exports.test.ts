// The public surface is a promise: a name added to or dropped from src/index.ts changes these
// snapshots, so the change shows in review instead of slipping out with a release.
import { fileURLToPath } from "node:url";

import ts from "typescript";
import { describe, expect, it } from "vitest";

import * as api from "../../../src/index.js";

const INDEX = fileURLToPath(new URL("../../../src/index.ts", import.meta.url));

describe("public exports", () => {
  it("match the committed list of runtime names", async () => {
    const names = Object.keys(api).sort();
    await expect(`${names.join("\n")}\n`).toMatchFileSnapshot("./exports.snapshot.txt");
  });

  it("match the committed list of type-only names", async () => {
    const program = ts.createProgram([INDEX], { noEmit: true, skipLibCheck: true, strict: true });
    const checker = program.getTypeChecker();
    const source = program.getSourceFile(INDEX);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    expect(moduleSymbol, "src/index.ts has a module symbol").toBeDefined();
    const runtime = new Set(Object.keys(api));
    const types = checker
      .getExportsOfModule(moduleSymbol!)
      .map((symbol) => symbol.name)
      .filter((name) => !runtime.has(name))
      .sort();
    await expect(`${types.join("\n")}\n`).toMatchFileSnapshot("./typeExports.snapshot.txt");
  });
});

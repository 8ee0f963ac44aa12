// Importing the package must not pay for transports it has not used yet: neither
// transport/httpTransport.ts and undici (about a quarter of a second of cold start) nor the stdio
// transport with its process-tree code, nor the OAuth session. connection.ts imports each with a
// dynamic import() when a server of that kind first connects. This walks the static import graph from src/index.ts as Node would load it from dist/
// (`import type` and `export type` are erased; dynamic import() is not followed).
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));

/** The modules a file loads when it is imported: relative files (as .ts) and bare package names. */
function staticImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest);
  const found: string[] = [];
  for (const statement of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      specifier = statement.moduleSpecifier;
    } else if (ts.isExportDeclaration(statement) && !statement.isTypeOnly) {
      specifier = statement.moduleSpecifier;
    }
    if (!specifier || !ts.isStringLiteral(specifier)) continue;
    const name = specifier.text;
    found.push(name.startsWith(".") ? resolve(dirname(file), name.replace(/\.js$/, ".ts")) : name);
  }
  return found;
}

/** Every module reachable from `entry` through static imports, with the chain that reaches it. */
function graph(entry: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[entry, [entry]]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const chain = chains.get(file)!;
    for (const next of staticImports(file)) {
      if (chains.has(next)) continue;
      chains.set(next, [...chain, next]);
      if (next.endsWith(".ts")) queue.push(next);
    }
  }
  return chains;
}

const shown = (chain: string[] | undefined) => chain?.map((f) => f.replace(SRC, "src/")).join(" → ");

describe("lazy transports", () => {
  const reachable = graph(resolve(SRC, "index.ts"));

  it("importing the package reaches neither the stdio transport, the process trees nor the OAuth session", () => {
    for (const file of ["transport/stdioTransport.ts", "transport/processTree.ts", "auth/session.ts"])
      expect(shown(reachable.get(resolve(SRC, file))), `a static import chain to ${file}`).toBeUndefined();
    for (const name of ["cross-spawn", "signal-exit"])
      expect(shown(reachable.get(name)), `a static import chain to ${name}`).toBeUndefined();
  });

  it("importing the package reaches neither transport/httpTransport.ts nor undici", () => {
    const http = reachable.get(resolve(SRC, "transport/httpTransport.ts"));
    expect(shown(http), "a static import chain to the HTTP transport").toBeUndefined();
    const undici = [...reachable.keys()].find((name) => name === "undici" || name.startsWith("undici/"));
    expect(shown(undici === undefined ? undefined : reachable.get(undici))).toBeUndefined();
  });

  it("the walk itself sees the client and packages (so it would see a transport import)", () => {
    expect(reachable.has(resolve(SRC, "client/requestRunner.ts"))).toBe(true);
    expect(reachable.has("@modelcontextprotocol/client")).toBe(true);
    expect(graph(resolve(SRC, "transport/stdioTransport.ts")).has("cross-spawn")).toBe(true);
    expect(reachable.has(resolve(SRC, "client/connection.ts"))).toBe(true);
    expect(graph(resolve(SRC, "transport/httpTransport.ts")).has("undici")).toBe(true);
  });
});

// docs/fault-matrix.md names, for every row, the test file (by short code) and the test titles that
// cover it. Files get moved and tests renamed; this keeps every reference resolving, so the document
// cannot silently point at tests that no longer exist.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const doc = readFileSync(join(root, "docs/fault-matrix.md"), "utf8");
const rows = doc.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| ---"));
const cells = (row: string): string[] => row.slice(2, -2).split(" | ");

/** A path as the document writes it (under test/, `.test.ts` optional) to the file on disk. */
function resolveTestPath(path: string): string | undefined {
  return [path, `${path}.test.ts`].map((p) => join(root, "test", p)).find((p) => existsSync(p));
}

/** The code → files tables ("| Short | File |"): `CB / BO | \`unit/x/a\`, \`b\`` maps CB to a, BO to b. */
function shortCodes(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  // The rows of each "| Short | File |" table, up to the blank line that ends it.
  const tables = doc
    .split("| Short | File |")
    .slice(1)
    .flatMap(
      (table) =>
        table
          .split("\n\n")[0]
          ?.split("\n")
          .filter((l) => l.startsWith("| ") && !l.startsWith("| ---")) ?? [],
    );
  for (const row of tables) {
    const [names = "", files = ""] = cells(row);
    // "CFG `a`; SCFG `b`": a second code inside the file cell starts its own segment.
    const segments = files.split("; ").map((segment, index) => {
      const inner = /^([A-Z][A-Z0-9]*) (`.*)$/.exec(segment);
      return inner
        ? { names: [inner[1] ?? ""], files: inner[2] ?? "" }
        : { names: index === 0 ? names.split(" / ") : [], files: segment };
    });
    for (const segment of segments) {
      let dir = "";
      const paths = [...segment.files.replace(/\(fixture[^)]*\)/g, "").matchAll(/`([^`]+)`/g)].map(
        ([, path = ""]) => {
          const full = path.includes("/") ? path : posix.join(dir, path);
          dir = posix.dirname(full);
          return full;
        },
      );
      segment.names.forEach((name, i) => {
        codes.set(name, paths.length === segment.names.length ? [paths[i] ?? ""] : paths);
      });
    }
  }
  return codes;
}

const codes = shortCodes();

/** Every `CODE "title"` (and `CODE "a", "b"`) in the row tables, titles cut at "…" and "%s". */
function titleReferences(): { code: string; title: string; fragments: string[] }[] {
  const references: { code: string; title: string; fragments: string[] }[] = [];
  for (const row of rows) {
    for (const cell of cells(row)) {
      let code: string | undefined;
      const tokens = cell.replace(/`[^`]*`/g, "``").matchAll(/\b([A-Z][A-Z0-9]*)\b|"([^"]+)"/g);
      for (const [, word, title] of tokens) {
        if (word !== undefined) code = codes.has(word) ? word : code;
        else if (title !== undefined && code !== undefined) {
          const fragments = title
            .split(/…|%s/)
            .map((f) => f.trim())
            .filter((f) => f.length > 0);
          references.push({ code, title, fragments });
        }
      }
    }
  }
  return references;
}

describe("docs/fault-matrix.md references", () => {
  it("maps the short codes the tables use", () => {
    expect(codes.size).toBeGreaterThan(40);
    expect(codes.get("SF")).toEqual(["integration/stdioFaults.test.ts"]);
    expect(codes.get("BO")).toEqual(["unit/resilience/backoff"]);
    expect(codes.get("SCFG")).toEqual(["unit/config/serverConfig.test.ts"]);
  });

  it("names only test files and fixtures that exist", () => {
    const paths = [...doc.matchAll(/`((?:unit|integration|fixtures|helpers|conformance)\/[^`]+)`/g)].map(
      ([, p = ""]) => p,
    );
    const missing = [...new Set([...paths, ...[...codes.values()].flat()])].filter(
      (p) => resolveTestPath(p) === undefined,
    );
    expect(missing).toEqual([]);
  });

  it("quotes only test titles that exist in the file of their short code", () => {
    const references = titleReferences();
    expect(references.length).toBeGreaterThan(100);
    const missing = references
      .filter(({ code, fragments }) => {
        const texts = (codes.get(code) ?? []).map((p) => readFileSync(resolveTestPath(p) ?? "", "utf8"));
        return !fragments.every((fragment) => texts.some((text) => text.includes(fragment)));
      })
      .map(({ code, title }) => `${code} "${title}"`);
    expect(missing).toEqual([]);
  });
});

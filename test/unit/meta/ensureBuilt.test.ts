// test/helpers/ensureBuilt.mjs decides whether `npm test` rebuilds dist/. A wrong "up to date" lets
// the integration tiers run against code that src/ no longer has.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { staleness } from "../../helpers/ensureBuilt.mjs";

let root: string;

/** Writes `path` under the scratch root with its mtime `seconds` after 2020-01-01. */
function file(path: string, seconds: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, "");
  const time = new Date(Date.UTC(2020, 0, 1) + seconds * 1000);
  utimesSync(full, time, time);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "ensure-built-"));
  for (const config of ["tsconfig.json", "tsconfig.build.json", "package.json"]) file(config, 0);
  file("src/index.ts", 1);
  file("src/cli/main.ts", 1);
  for (const out of ["index.js", "index.d.ts", "index.js.map", "cli/main.js", "cli/main.d.ts"]) {
    file(`dist/${out}`, 2);
  }
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe("ensureBuilt staleness", () => {
  it("is up to date when every source has a newer output and dist/ has nothing else", () => {
    expect(staleness(root)).toBeUndefined();
  });

  it("is stale without dist/, with a missing output, or with a source newer than its output", () => {
    file("src/cli/main.ts", 3);
    expect(staleness(root)).toBe("src/cli/main.ts changed since the build");
    file("src/cli/main.ts", 1);
    file("src/new.ts", 1);
    expect(staleness(root)).toBe("dist/new.js is missing");
    rmSync(join(root, "dist"), { recursive: true });
    expect(staleness(root)).toBe("dist/ is missing");
  });

  it.each(["tsconfig.json", "tsconfig.build.json", "package.json"])(
    "is stale when %s changed since the build",
    (config) => {
      file(config, 3);
      expect(staleness(root)).toMatch(/changed since the build/);
    },
  );

  it("is stale when a source was deleted or renamed: tsc leaves its output behind", () => {
    rmSync(join(root, "src/cli/main.ts"));
    expect(staleness(root)).toMatch(
      /^dist\/cli\/main\.(js|d\.ts) has no source in src\/ \(deleted or renamed\)$/,
    );
  });

  it("is stale when dist/ holds a declaration or map left from another branch", () => {
    file("dist/gone.d.ts.map", 2);
    expect(staleness(root)).toMatch(/^dist\/gone\.d\.ts\.map has no source/);
  });
});

// What an entry point loads is part of its cost: `import("mcp-tools")` must not pay for the config-file
// parsers, the HTTP transport (undici), the converters or the demo server, and `mcp-tools --version` /
// `--help` must not load the library at all. Each case runs the built package (dist/) in a child `node`
// that records every module it resolves (test/fixtures/recordLoads.mjs), so an eager import added
// anywhere below shows up here.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const RECORDER = join(ROOT, "test/fixtures/recordLoads.mjs");
const scratch = mkdtempSync(join(tmpdir(), "mcp-tools-loads-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let runs = 0;
/** The modules a `node` started with `args` (from the package root) resolved, as paths below ROOT. */
async function loadedBy(args: string[]): Promise<string[]> {
  const out = join(scratch, `loads-${++runs}.txt`);
  await promisify(execFile)(process.execPath, ["--import", RECORDER, ...args], {
    cwd: ROOT,
    env: { ...process.env, RECORD_LOADS_FILE: out },
  });
  const seen = new Set(
    readFileSync(out, "utf8")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => (line.startsWith("file://") ? fileURLToPath(line) : line))
      .map((path) => (path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path)),
  );
  return [...seen].sort();
}

const importing = (specifier: string) => [
  "--input-type=module",
  "-e",
  `await import(${JSON.stringify(specifier)})`,
];
const packageOf = (path: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
const packages = (paths: string[]) => new Set(paths.map(packageOf).filter((name) => name !== undefined));

describe('import("mcp-tools")', () => {
  it("loads the SDK client but not the config-file parsers, the converters or the demo server", async () => {
    const paths = await loadedBy(importing("mcp-tools"));
    expect(paths, "the recorder sees the entry point").toContain("dist/index.js");
    const loaded = packages(paths);
    expect(loaded.has("@modelcontextprotocol/client"), "the recorder sees packages").toBe(true);
    for (const name of [
      "yaml",
      "jsonc-parser",
      "@modelcontextprotocol/server",
      "@modelcontextprotocol/node",
      "hono",
    ])
      expect(loaded.has(name), `${name} is not loaded`).toBe(false);
    expect(paths.filter((path) => path.startsWith("dist/converters/"))).toEqual([]);
    expect(paths.filter((path) => path.startsWith("dist/demo/"))).toEqual([]);
  });

  it("loads no transport and no OAuth session until a server of that kind connects", async () => {
    const paths = await loadedBy(importing("mcp-tools"));
    const loaded = packages(paths);
    // undici under the HTTP transport; cross-spawn and signal-exit under the stdio transport.
    for (const name of ["undici", "cross-spawn", "signal-exit"])
      expect(loaded.has(name), `${name} is not loaded`).toBe(false);
    for (const file of [
      "dist/transport/httpTransport.js",
      "dist/transport/stdioTransport.js",
      "dist/transport/processTree.js",
      "dist/auth/session.js",
      "dist/auth/provider.js",
    ])
      expect(paths, `${file} is not loaded`).not.toContain(file);
  });
});

describe('import("mcp-tools/converters")', () => {
  it("loads the converters (the subpath is where they live)", async () => {
    const paths = await loadedBy(importing("mcp-tools/converters"));
    expect(paths).toContain("dist/converters/index.js");
    expect(paths).toContain("dist/converters/formats.js");
  });
});

describe("mcp-tools --version and --help", () => {
  it.each([["--version"], ["--help"]])(
    "%s loads neither the library nor the SDK nor the demo",
    async (flag) => {
      const paths = await loadedBy([join(ROOT, "dist/cli/main.js"), flag]);
      expect(paths).toContain("dist/cli/main.js");
      expect([...packages(paths)].filter((name) => name.startsWith("@modelcontextprotocol/"))).toEqual([]);
      const library = ["client", "multi", "pool", "transport", "converters", "config", "auth", "demo"];
      expect(paths.filter((path) => library.some((folder) => path.startsWith(`dist/${folder}/`)))).toEqual(
        [],
      );
    },
  );
});

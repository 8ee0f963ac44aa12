// The README examples that need only a server from devDependencies run for real: the file from
// examples/ (what README.md shows, test/unit/meta/readmeExamples.test.ts) is transpiled and run by
// the Node running the tests (20 or newer), importing "mcp-tools" as a user does (the package's own
// `exports`, so dist/ must be built). A run must exit 0 by itself: an example that forgot to
// disconnect would keep its server, and so its process, alive.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
/** Inside the package, so that `import "mcp-tools"` resolves to it; .tmp/ is git-ignored. */
const BUILD = join(ROOT, ".tmp", `readme-examples-${process.pid}`);
/** Starting npx and the server, one call, and a bounded disconnect; seconds on an idle machine. */
const BOUND_MS = 60_000;

afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runExample(name: string): Promise<Run> {
  const source = readFileSync(join(ROOT, "examples", `${name}.ts`), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  mkdirSync(BUILD, { recursive: true });
  const file = join(BUILD, `${name}.mjs`);
  writeFileSync(file, outputText);
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe("README examples run", () => {
  it(
    "quick start: connects to server-filesystem through npx, lists /tmp and disconnects",
    async () => {
      const run = await runExample("quickStart");
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("list_directory");
      expect(run.stdout).toContain("type: 'text'");
    },
    BOUND_MS,
  );
});

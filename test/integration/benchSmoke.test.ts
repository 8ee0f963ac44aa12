// The benchmark harness (`npm run bench`) in its smoke plan: it must run end to end against every
// server, transport and contender, and produce a complete, sane result. Speed is never asserted here.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { SMOKE_PLAN } from "../../bench/plan.js";
import type { BenchResult, Row } from "../../bench/results.js";
import { nodeRuns, type Run } from "../helpers/cli.js";
import { tempDir } from "../helpers/servers.js";

const require = createRequire(import.meta.url);
const TSC = require.resolve("typescript/bin/tsc");
const HARNESS = resolve("bench/results/build/main.js");
/** Compiling the harness plus the smoke run; both are seconds on an idle machine, this is a bound. */
const BOUND_MS = 150_000;

const { runNode: run, cleanUp } = nodeRuns();
const scratch = tempDir("mcp-tools-bench-");

afterEach(cleanUp);

afterAll(() => scratch.cleanup());

const ALL = ["mcp-tools", "mcp-tools-multi", "sdk", "langchain", "floor"];
const NO_FLOOR = ALL.filter((id) => id !== "floor");

describe("benchmark harness, smoke plan", () => {
  let result: BenchResult;
  let markdown: string;
  let smoke: Run;

  beforeAll(async () => {
    // `npm test` has built dist/; the harness itself is compiled here (incrementally).
    const compiled = await run([TSC, "-p", "tsconfig.bench.json"]);
    expect(compiled.stdout + compiled.stderr, "compiling the harness").toBe("");
    expect(compiled.code).toBe(0);
    smoke = await run([HARNESS, "--smoke", "--out", scratch.path]);
    const json = join(scratch.path, "latest-smoke.json");
    expect(existsSync(json), `no result written; stderr:\n${smoke.stderr.slice(-2000)}`).toBe(true);
    result = JSON.parse(readFileSync(json, "utf8")) as BenchResult;
    markdown = readFileSync(join(scratch.path, "latest-smoke.md"), "utf8");
  }, BOUND_MS);

  const rows = (section: string, caseName?: string): Row[] =>
    result.rows.filter((row) => row.section === section && (caseName === undefined || row.case === caseName));
  const contendersOf = (section: string, caseName: string) =>
    rows(section, caseName)
      .map((row) => row.contender)
      .sort();

  it("exits 0 with no failed case, no failed call and no server left running", () => {
    expect(smoke.code, smoke.stderr.slice(-2000)).toBe(0);
    expect(result.rows.filter((row) => row.error !== undefined)).toEqual([]);
    expect(result.rows.filter((row) => (row.failedCalls ?? 0) > 0)).toEqual([]);
    expect(result.leftoverProcesses).toEqual([]);
  });

  it("records the machine, the plan and the command", () => {
    expect(result.plan).toEqual(SMOKE_PLAN);
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.machine.ramGiB).toBeGreaterThan(0);
    expect(result.machine.node).toBe(process.version);
    expect(result.machine.cpuModel).not.toBe("");
    expect(result.command).toContain("--smoke");
  });

  it("measures every contender in every case of the plan", () => {
    const [stdioServer] = SMOKE_PLAN.connectStdio;
    const [httpServer] = SMOKE_PLAN.connectHttp;
    expect(contendersOf("connect", `${stdioServer} stdio`)).toEqual([...ALL].sort());
    expect(contendersOf("connect", `${httpServer} http`)).toEqual([...NO_FLOOR].sort());
    for (const count of SMOKE_PLAN.manyCounts) {
      expect(contendersOf("connect-many", `${count} × ${SMOKE_PLAN.manyServer}`)).toEqual([...ALL].sort());
    }
    for (const server of SMOKE_PLAN.echoStdio) {
      expect(contendersOf("sequential", `${server} stdio`)).toEqual([...ALL].sort());
      expect(contendersOf("burst", `${server} stdio, ${SMOKE_PLAN.burstSize} calls`)).toEqual(
        [...ALL].sort(),
      );
    }
    for (const server of SMOKE_PLAN.echoHttp) {
      expect(contendersOf("sequential", `${server} http`)).toEqual([...NO_FLOOR].sort());
      expect(contendersOf("burst", `${server} http, ${SMOKE_PLAN.httpBurstSize} calls`)).toEqual(
        [...NO_FLOOR].sort(),
      );
    }
    expect(contendersOf("close", "demo stdio, exits on EOF")).toEqual([...ALL].sort());
    expect(contendersOf("close", "everything stdio, exits on EOF")).toEqual([...ALL].sort());
    expect(contendersOf("close", "fixture stdio, ignores SIGTERM")).toEqual(
      [...ALL, "mcp-tools (shutdown_grace 0.2 s)"].filter((id) => id !== "mcp-tools-multi").sort(),
    );
    expect(new Set(rows("discovery").map((row) => row.case)).size).toBe(3);
    for (const caseName of new Set(rows("discovery").map((row) => row.case))) {
      expect(contendersOf("discovery", caseName)).toEqual([...ALL].sort());
    }
    expect(
      rows("routing")
        .map((row) => row.contender)
        .sort(),
    ).toEqual(["mcp-tools", "mcp-tools-multi"]);
    expect(contendersOf("memory", "import the library (ms, cold process)")).toEqual([...ALL].sort());
    expect(rows("memory").filter((row) => row.unit === "MiB")).toHaveLength(
      2 * ALL.length + 2 * NO_FLOOR.length,
    );
  });

  it("reports plausible numbers: positive times with min ≤ median ≤ max, ratios to the raw SDK", () => {
    for (const row of result.rows.filter((r) => r.unit !== "MiB")) {
      expect(row.median, `${row.section} / ${row.case} / ${row.contender}`).toBeGreaterThan(0);
      expect(row.low).toBeLessThanOrEqual(row.median);
      expect(row.median).toBeLessThanOrEqual(row.high);
      expect(row.n).toBeGreaterThan(0);
      if (row.section !== "routing") expect(row.ratioToSdk).toBeGreaterThan(0);
    }
    for (const row of rows("sequential")) {
      expect(row.p99).toBeGreaterThanOrEqual(row.median);
    }
    for (const row of rows("memory").filter((r) => r.unit === "MiB")) {
      expect(Number.isFinite(row.median), `${row.case} / ${row.contender}`).toBe(true);
    }
    // Each close stopped its server: EOF closes well inside the shutdown grace, the SIGKILL path after it.
    for (const row of rows("close").filter((r) => r.case.endsWith("exits on EOF"))) {
      expect(row.note).toBe("process gone when close() resolved");
      expect(row.median).toBeLessThan(2_000);
    }
    const grace = rows("close", "fixture stdio, ignores SIGTERM").find((r) => r.contender === "mcp-tools")!;
    expect(grace.median).toBeGreaterThanOrEqual(3_900);
  });

  it("checks the issue's targets and prints the tables", () => {
    const names = result.targets.map((target) => target.name).join("\n");
    expect(names).toMatch(/sequential/);
    expect(names).toMatch(/burst/);
    expect(names).toMatch(/MultiMCPClient connect/);
    expect(names).toMatch(/close/);
    for (const heading of [
      "Connect one server",
      "Sequential echo",
      "Burst",
      "Close time",
      "Discovery",
      "routing",
      "memory",
      "Targets",
    ]) {
      expect(markdown).toContain(heading);
    }
    expect(smoke.stdout).toBe(markdown);
  });
});

describe("benchmark harness, bad arguments", () => {
  it("refuses an unknown contender before starting anything", async () => {
    expect(existsSync(HARNESS), "compiled by the suite above").toBe(true);
    const outcome = await run([HARNESS, "--smoke", "--contenders", "sdk,nope", "--out", scratch.path]);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain("unknown contender(s) nope");
    expect(outcome.stdout).toBe("");
  }, 30_000);
});

/**
 * `npm run bench`: mcp-tools side by side with the raw SDK v2 client, LangChain's MultiServerMCPClient
 * and a hand-written NDJSON client (the floor), in one run, against server-everything, the demo
 * server and the fault fixture, over stdio and streamable HTTP on 127.0.0.1.
 *
 *     node bench/results/build/main.js [--smoke] [--out DIR] [--only connect,echo,many,close,discovery,routing,memory]
 *                             [--contenders mcp-tools,mcp-tools-multi,sdk,langchain,floor]
 *
 * Prints Markdown tables (stdout) and writes DIR/latest-<plan>.{json,md} (default bench/results).
 * Exit code 1 when any contender failed a case; missed targets are reported, not failed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { CONTENDER_IDS, enableOnly, isContenderId, loadContender } from "./contenders.js";
import { machineInfo } from "./machine.js";
import { memory } from "./memory.js";
import { FULL_PLAN, type Plan, SMOKE_PLAN } from "./plan.js";
import { addRatios, type BenchResult, renderMarkdown, type Row, type TargetCheck } from "./results.js";
import {
  closeIgnoringSigterm,
  closeOnEof,
  connectMany,
  connectOne,
  discovery,
  echo,
  Recorder,
  routing,
} from "./scenarios.js";
import type { HttpServer, Target } from "./targets.js";
import {
  demoStdio,
  everythingStdio,
  fixtureStdio,
  liveChildren,
  ROOT,
  startDemoHttp,
  startEverythingHttp,
} from "./targets.js";

const SECTIONS = ["connect", "echo", "many", "close", "discovery", "routing", "memory"] as const;
type Section = (typeof SECTIONS)[number];

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function stdioTarget(server: "everything" | "demo"): Target {
  return server === "everything" ? everythingStdio() : demoStdio();
}

/**
 * HTTP servers for the run. A full run starts a fresh one per section: server-everything keeps every
 * event of every session in memory, so a long-lived one slowly changes what is measured.
 */
class HttpServers {
  private readonly running = new Map<string, HttpServer>();

  constructor(private readonly reuse: boolean) {}

  async with(server: "everything" | "demo", body: (target: Target) => Promise<void>): Promise<void> {
    let http = this.running.get(server);
    if (!http) {
      http = await (server === "everything" ? startEverythingHttp() : startDemoHttp());
      if (this.reuse) this.running.set(server, http);
    }
    try {
      await body(http.target);
    } finally {
      if (!this.reuse) await http.stop();
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((http) => http.stop()));
    this.running.clear();
  }
}

async function run(plan: Plan, only: ReadonlySet<Section>, recorder: Recorder): Promise<void> {
  let sectionStart = performance.now();
  let current = "start";
  const want = (section: Section) => {
    if (!only.has(section)) return false;
    const now = performance.now();
    log(`${current} took ${((now - sectionStart) / 1000).toFixed(1)} s; now: ${section}`);
    sectionStart = now;
    current = section;
    return true;
  };
  const http = new HttpServers(plan.reuseHttpServers);
  try {
    if (want("connect")) {
      for (const server of plan.connectStdio)
        await connectOne(recorder, stdioTarget(server), plan.connectReps, plan.warmupConnect);
      for (const server of plan.connectHttp) {
        await http.with(server, (target) =>
          connectOne(recorder, target, plan.httpConnectReps, plan.warmupConnect),
        );
      }
    }
    if (want("many")) {
      const target = plan.manyServer === "everything" ? everythingStdio() : fixtureStdio("ok");
      for (const count of plan.manyCounts) await connectMany(recorder, target, count, plan.manyReps);
    }
    if (want("echo")) {
      for (const server of plan.echoStdio) {
        await echo(recorder, stdioTarget(server), {
          warmup: plan.warmupCalls,
          sequentialCalls: plan.sequentialCalls,
          sequentialRounds: plan.sequentialRounds,
          burstSize: plan.burstSize,
          burstRounds: plan.burstRounds,
        });
      }
      for (const server of plan.echoHttp) {
        await http.with(server, (target) =>
          echo(recorder, target, {
            warmup: plan.warmupCalls,
            sequentialCalls: plan.httpSequentialCalls,
            sequentialRounds: plan.httpSequentialRounds,
            burstSize: plan.httpBurstSize,
            burstRounds: plan.httpBurstRounds,
          }),
        );
      }
    }
    if (want("close")) {
      const sigterm = plan.overlapSigterm ? closeIgnoringSigterm(recorder, plan.sigtermReps) : undefined;
      await closeOnEof(recorder, demoStdio(), plan.closeReps);
      await closeOnEof(recorder, everythingStdio(), plan.closeReps);
      await (sigterm ?? closeIgnoringSigterm(recorder, plan.sigtermReps));
    }
    if (want("discovery")) await discovery(recorder, plan);
    if (want("routing")) await routing(recorder, plan);
    if (want("memory")) {
      const stdio = plan.memoryStdio === "demo" ? demoStdio() : fixtureStdio("ok");
      await http.with("demo", (target) =>
        memory(recorder, [stdio, target], plan.memoryServers, plan.memoryReps, plan.memoryParallel),
      );
    }
    log(`${current} took ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
  } finally {
    await http.stopAll();
  }
}

function find(rows: readonly Row[], section: string, caseName: string, contender: string): Row | undefined {
  return rows.find(
    (row) =>
      row.section === section &&
      row.case === caseName &&
      row.contender === contender &&
      row.error === undefined,
  );
}

/** The issue's targets, checked against this run (same machine, same run). */
function checkTargets(rows: readonly Row[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const ratioCheck = (
    name: string,
    goal: string,
    row: Row | undefined,
    limit: number,
    against: "sdk" | "floor",
  ) => {
    const value = against === "sdk" ? row?.ratioToSdk : row?.ratioToFloor;
    if (value === undefined) return;
    checks.push({
      name,
      goal,
      measured: `${value.toFixed(2)}× (${row!.median.toFixed(3)} ${row!.unit})`,
      met: value <= limit,
    });
  };
  for (const section of ["sequential", "burst"] as const) {
    for (const caseName of new Set(rows.filter((row) => row.section === section).map((row) => row.case))) {
      for (const contender of ["mcp-tools", "mcp-tools-multi"]) {
        const row = find(rows, section, caseName, contender);
        if (section === "sequential")
          ratioCheck(`${contender} sequential, ${caseName}`, "≤ 1.10× raw SDK", row, 1.1, "sdk");
        else {
          ratioCheck(`${contender} burst, ${caseName}`, "≤ 1.0× raw SDK", row, 1.0, "sdk");
          ratioCheck(`${contender} burst, ${caseName}`, "≤ 1.3× floor (stretch)", row, 1.3, "floor");
        }
      }
    }
  }
  for (const caseName of new Set(
    rows.filter((row) => row.section === "connect-many").map((row) => row.case),
  )) {
    const multi = find(rows, "connect-many", caseName, "mcp-tools-multi");
    ratioCheck(
      `MultiMCPClient connect, ${caseName}`,
      "≤ 1.1× raw SDK clients with Promise.all",
      multi,
      1.1,
      "sdk",
    );
    const langchain = find(rows, "connect-many", caseName, "langchain");
    if (multi && langchain) {
      checks.push({
        name: `MultiMCPClient connect, ${caseName}`,
        goal: "clearly faster than LangChain's sequential start",
        measured: `${(multi.median / langchain.median).toFixed(2)}× LangChain (${multi.median.toFixed(0)} vs ${langchain.median.toFixed(0)} ms)`,
        met: multi.median < 0.8 * langchain.median,
      });
    }
  }
  for (const row of rows.filter(
    (r) =>
      r.section === "close" &&
      r.case.endsWith("exits on EOF") &&
      r.contender.startsWith("mcp-tools") &&
      r.error === undefined,
  )) {
    checks.push({
      name: `${row.contender} close, ${row.case}`,
      goal: "≤ 50 ms",
      measured: `${row.median.toFixed(1)} ms`,
      met: row.median <= 50,
    });
  }
  return checks;
}

/**
 * Children still alive once the clients had a moment to finish: the raw SDK and LangChain send
 * SIGKILL without waiting for the exit, so a just-killed server may take a few milliseconds to go.
 */
async function settledChildren(): Promise<number[]> {
  const deadline = performance.now() + 3_000;
  let children = liveChildren();
  while (children.length > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    children = liveChildren();
  }
  return children;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: "boolean" },
      out: { type: "string" },
      only: { type: "string" },
      contenders: { type: "string" },
    },
    strict: true,
  });
  const plan = values.smoke ? SMOKE_PLAN : FULL_PLAN;
  const only = new Set<Section>(values.only ? (values.only.split(",") as Section[]) : SECTIONS);
  for (const section of only)
    if (!SECTIONS.includes(section))
      throw new Error(`unknown section "${section}" (known: ${SECTIONS.join(", ")})`);
  if (values.contenders) {
    const ids = values.contenders.split(",");
    const unknown = ids.filter((id) => !isContenderId(id));
    if (unknown.length > 0)
      throw new Error(`unknown contender(s) ${unknown.join(", ")} (known: ${CONTENDER_IDS.join(", ")})`);
    enableOnly(ids.filter(isContenderId));
  }
  const outDir = values.out ?? join(ROOT, "bench/results");
  const recorder = new Recorder(log);
  // Count warnings (the raw SDK's MaxListenersExceededWarning…) instead of printing them mid-table.
  process.removeAllListeners("warning");
  process.on("warning", (warning) => recorder.warning(warning));

  const machine = machineInfo();
  log(
    `mcp-tools bench (${plan.mode}): ${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}, load ${machine.loadAverage.join(" / ")}`,
  );
  const started = performance.now();
  for (const id of CONTENDER_IDS) await loadContender(id);
  await run(plan, only, recorder);
  addRatios(recorder.rows);
  const result: BenchResult = {
    plan,
    machine,
    command: `node ${process.argv
      .slice(1)
      .map((arg) => arg.replace(`${ROOT}/`, ""))
      .join(" ")}`,
    durationSeconds: (performance.now() - started) / 1000,
    rows: recorder.rows,
    targets: checkTargets(recorder.rows),
    leftoverProcesses: await settledChildren(),
    warnings: [...recorder.warnings.values()],
  };
  const markdown = renderMarkdown(result);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `latest-${plan.mode}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(outDir, `latest-${plan.mode}.md`), `${markdown}\n`);
  process.stdout.write(`${markdown}\n`);
  const failed = result.rows.filter((row) => row.error !== undefined);
  if (failed.length > 0) {
    log(
      `${failed.length} case(s) failed: ${failed.map((row) => `${row.section}/${row.case}/${row.contender}`).join(", ")}`,
    );
    process.exitCode = 1;
  }
  if (result.leftoverProcesses.length > 0) {
    log(`server processes still running: ${result.leftoverProcesses.join(", ")}`);
    process.exitCode = 1;
  }
}

main().then(
  // Clients under test may leave unref'd handles; the results are written, so end here.
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    log(`bench failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);

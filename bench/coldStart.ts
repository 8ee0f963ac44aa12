/**
 * `npm run bench:cold`: what a cold process pays to start mcp-tools, against its baselines, in one run.
 *
 *   - `import("mcp-tools")` against `import("@modelcontextprotocol/client")` (target ≤ 1.25×);
 *   - `mcp-tools --version` against `node -e 0` (target ≤ 1.5× + 50 ms);
 *   - `import("mcp-tools/converters")` and `mcp-tools --help`, for reference.
 *
 * Each pair runs in turn (A B A B …, after warm-up runs) as whole processes started from the package
 * root: wall time from spawn to exit, and the CPU time the process reports at exit (user + system,
 * which a loaded machine disturbs far less). A ratio is the median of the per-pair ratios, so both
 * sides of a pair see the same machine load; the targets are judged on CPU time.
 * Options: `--runs N` (default 21), `--warmup N` (default 3), `--dist DIR` to measure another build
 * of the library (e.g. `npx tsc -p tsconfig.build.json --outDir bench/results/ab/before/dist` with the
 * package.json next to it: its version is read from there); the subpath case is skipped when the build
 * has none.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { machineInfo } from "./machine.js";
import { median, summarize } from "./stats.js";
import { ROOT } from "./targets.js";

interface Command {
  label: string;
  args: string[];
}

const importing = (specifier: string, target = specifier): Command => ({
  label: `import("${specifier}")`,
  args: ["--input-type=module", "-e", `await import(${JSON.stringify(target)})`],
});

interface Pair {
  name: string;
  subject: Command;
  baseline: Command;
  /** The target for the subject's median, given the baseline's (milliseconds), and its wording. */
  target?: { limit: (baselineMs: number) => number; text: string; ratio?: number };
}

/** The cases, for the build in `dist` (the package's own when it is ROOT/dist: then by its name). */
function pairs(dist: string): Pair[] {
  const own = dist === join(ROOT, "dist");
  const entry = (subpath: string, file: string) =>
    importing(`mcp-tools${subpath}`, own ? `mcp-tools${subpath}` : pathToFileURL(join(dist, file)).href);
  const cli = join(dist, "cli/main.js");
  const all: Pair[] = [
    {
      name: "root import",
      subject: entry("", "index.js"),
      baseline: importing("@modelcontextprotocol/client"),
      target: { limit: (b) => 1.25 * b, text: "≤ 1.25× the SDK client", ratio: 1.25 },
    },
    {
      name: "CLI --version",
      subject: { label: "mcp-tools --version", args: [cli, "--version"] },
      baseline: { label: "node -e 0", args: ["-e", "0"] },
      target: { limit: (b) => 1.5 * b + 50, text: "≤ 1.5× `node -e 0` + 50 ms" },
    },
    {
      name: "converters subpath",
      subject: entry("/converters", "converters/index.js"),
      baseline: importing("@modelcontextprotocol/client"),
    },
    {
      name: "CLI --help",
      subject: { label: "mcp-tools --help", args: [cli, "--help"] },
      baseline: { label: "node -e 0", args: ["-e", "0"] },
    },
  ];
  return all.filter(
    (pair) => own || pair.name !== "converters subpath" || existsSync(join(dist, "converters/index.js")),
  );
}

/** Preloaded into every measured process (both sides alike): its CPU time at exit, on stderr. */
const REPORT_CPU = `data:text/javascript,process.on("exit",()=>{const u=process.cpuUsage();process.stderr.write("\\ncpu-us "+(u.user+u.system)+"\\n")})`;

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** One run of a `node` process: wall milliseconds from spawn to exit, and its CPU milliseconds. */
function time(command: Command): Sample {
  const start = performance.now();
  const result = spawnSync(process.execPath, ["--import", REPORT_CPU, ...command.args], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const wallMs = performance.now() - start;
  const cpu = /cpu-us (\d+)\n$/.exec(result.stderr);
  if (result.status !== 0 || !cpu)
    throw new Error(`${command.label} exited with ${result.status ?? result.signal}: ${result.stderr}`);
  return { wallMs, cpuMs: Number(cpu[1]) / 1000 };
}

/** A whole-number option ≥ `min`; anything else stops the run (a NaN count would print a table of NaN). */
function count(flag: string, raw: string | undefined, fallback: number, min: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (Number.isInteger(value) && value >= min) return value;
  console.error(`${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  process.exit(2);
}

function main(): void {
  const { values } = parseArgs({
    options: { runs: { type: "string" }, warmup: { type: "string" }, dist: { type: "string" } },
  });
  const dist = values.dist === undefined ? join(ROOT, "dist") : resolve(values.dist);
  const runs = count("--runs", values.runs, 21, 1);
  const warmup = count("--warmup", values.warmup, 3, 0);
  const machine = machineInfo();
  console.log(
    `mcp-tools cold start: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(" / ")}; ${runs} runs per command after ${warmup} warm-up, interleaved; build ${dist}\n`,
  );
  console.log(
    "| case | command | CPU median | wall median (min–max) | CPU vs baseline | wall vs baseline | target (CPU) |",
  );
  console.log("| --- | --- | --: | --: | --: | --: | --- |");
  let missed = 0;
  for (const pair of pairs(dist)) {
    for (let i = 0; i < warmup; i++) {
      time(pair.subject);
      time(pair.baseline);
    }
    const subject: Sample[] = [];
    const baseline: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      subject.push(time(pair.subject));
      baseline.push(time(pair.baseline));
    }
    const ratio = (key: keyof Sample) => median(subject.map((a, i) => a[key] / baseline[i]![key]));
    const cpu = median(subject.map((a) => a.cpuMs));
    const baseCpu = median(baseline.map((b) => b.cpuMs));
    let verdict = "–";
    if (pair.target) {
      const limit = pair.target.limit(baseCpu);
      const met = pair.target.ratio === undefined ? cpu <= limit : ratio("cpuMs") <= pair.target.ratio;
      if (!met) missed++;
      verdict = `${pair.target.text}: ${met ? "met" : "missed"} (limit ${limit.toFixed(0)} ms)`;
    }
    const wall = (samples: Sample[]) => {
      const s = summarize(samples.map((sample) => sample.wallMs));
      return `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
    };
    console.log(
      `| ${pair.name} | \`${pair.subject.label}\` | ${cpu.toFixed(0)} ms | ${wall(subject)} | ${ratio("cpuMs").toFixed(2)}× | ${ratio("wallMs").toFixed(2)}× | ${verdict} |`,
    );
    console.log(
      `| | \`${pair.baseline.label}\` | ${baseCpu.toFixed(0)} ms | ${wall(baseline)} | 1.00× | 1.00× | |`,
    );
  }
  // Speed is reported, never asserted: a missed target is printed, and the exit code stays 0.
  if (missed > 0) console.log(`\n${missed} target(s) missed in this run.`);
}

main();

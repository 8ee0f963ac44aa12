/**
 * `npm run bench:cold`: what a cold process pays to start mcp-tools, against its baselines, in one run.
 *
 *   - `import("mcp-tools")` against `import("@modelcontextprotocol/client")` (target ≤ 1.25×);
 *   - `mcp-tools --version` against `node -e 0` (target ≤ 1.5× + 50 ms);
 *   - `import("mcp-tools/converters")` and `mcp-tools --help`, for reference.
 *
 * Each pair runs in turn (A B A B …, after warm-up runs) as whole processes started from the package
 * root, timed from spawn to exit; a ratio is the median of the per-pair ratios, so both sides of a pair
 * see the same machine load. Options: `--runs N` (default 21), `--warmup N` (default 3).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { machineInfo } from "./machine.js";
import { median, summarize } from "./stats.js";
import { ROOT } from "./targets.js";

const CLI = join(ROOT, "dist/cli/main.js");

interface Command {
  label: string;
  args: string[];
}

const importing = (specifier: string): Command => ({
  label: `import("${specifier}")`,
  args: ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)})`],
});

interface Pair {
  name: string;
  subject: Command;
  baseline: Command;
  /** The target for the subject's median, given the baseline's (milliseconds), and its wording. */
  target?: { limit: (baselineMs: number) => number; text: string; ratio?: number };
}

const PAIRS: Pair[] = [
  {
    name: "root import",
    subject: importing("mcp-tools"),
    baseline: importing("@modelcontextprotocol/client"),
    target: { limit: (b) => 1.25 * b, text: "≤ 1.25× the SDK client", ratio: 1.25 },
  },
  {
    name: "CLI --version",
    subject: { label: "mcp-tools --version", args: [CLI, "--version"] },
    baseline: { label: "node -e 0", args: ["-e", "0"] },
    target: { limit: (b) => 1.5 * b + 50, text: "≤ 1.5× `node -e 0` + 50 ms" },
  },
  {
    name: "converters subpath",
    subject: importing("mcp-tools/converters"),
    baseline: importing("@modelcontextprotocol/client"),
  },
  {
    name: "CLI --help",
    subject: { label: "mcp-tools --help", args: [CLI, "--help"] },
    baseline: { label: "node -e 0", args: ["-e", "0"] },
  },
];

/** Milliseconds from spawn to exit of one `node` process. */
function time(command: Command): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, command.args, { cwd: ROOT, stdio: "ignore" });
  const elapsed = performance.now() - start;
  if (result.status !== 0) throw new Error(`${command.label} exited with ${result.status ?? result.signal}`);
  return elapsed;
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: "string" }, warmup: { type: "string" } } });
  const runs = Number(values.runs ?? 21);
  const warmup = Number(values.warmup ?? 3);
  const machine = machineInfo();
  console.log(
    `mcp-tools cold start: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(" / ")}; ${runs} runs per command after ${warmup} warm-up, interleaved\n`,
  );
  console.log("| case | command | median | min–max | vs baseline (median of pair ratios) | target |");
  console.log("| --- | --- | --: | --: | --: | --- |");
  let missed = 0;
  for (const pair of PAIRS) {
    for (let i = 0; i < warmup; i++) {
      time(pair.subject);
      time(pair.baseline);
    }
    const subject: number[] = [];
    const baseline: number[] = [];
    const ratios: number[] = [];
    for (let i = 0; i < runs; i++) {
      const a = time(pair.subject);
      const b = time(pair.baseline);
      subject.push(a);
      baseline.push(b);
      ratios.push(a / b);
    }
    const s = summarize(subject);
    const b = summarize(baseline);
    const ratio = median(ratios);
    let verdict = "–";
    if (pair.target) {
      const met =
        pair.target.ratio === undefined
          ? s.median <= pair.target.limit(b.median)
          : ratio <= pair.target.ratio;
      if (!met) missed++;
      verdict = `${pair.target.text}: ${met ? "met" : "missed"} (limit ${pair.target.limit(b.median).toFixed(0)} ms)`;
    }
    const ms = (value: number) => `${value.toFixed(0)} ms`;
    const range = (summary: typeof s) => `${summary.min.toFixed(0)}–${summary.max.toFixed(0)}`;
    console.log(
      `| ${pair.name} | \`${pair.subject.label}\` | ${ms(s.median)} | ${range(s)} | ${ratio.toFixed(2)}× | ${verdict} |`,
    );
    console.log(`| | \`${pair.baseline.label}\` | ${ms(b.median)} | ${range(b)} | 1.00× | |`);
  }
  // Speed is reported, never asserted: a missed target is printed, and the exit code stays 0.
  if (missed > 0) console.log(`\n${missed} target(s) missed in this run.`);
}

main();

import type { MachineInfo } from "./machine.js";
import type { Plan } from "./plan.js";
import { summarize } from "./stats.js";

/** One contender's numbers in one case. */
export interface Row {
  /** Section key: connect, connect-many, sequential, burst, close, discovery, routing, memory. */
  section: string;
  /** The case within the section, e.g. "everything stdio". Ratios compare rows of the same case. */
  case: string;
  /** Contender id, or a variant such as `mcp-tools (shutdown_grace 0.2 s)`. */
  contender: string;
  unit: "ms" | "µs" | "MiB";
  median: number;
  /** The spread: min and max over repetitions (or rounds). */
  low: number;
  high: number;
  /** Tail latency (sequential: over every call of every round; routing: median of the rounds' p99). */
  p99?: number | undefined;
  /** Samples behind `median` (repetitions, or calls for latencies). */
  n: number;
  /**
   * Per-round values of interleaved rounds (sequential, stdio bursts), in round order. Ratios between
   * two rows that both have them are the median of the per-round ratios: each round's contenders ran
   * back to back, so load from elsewhere on the machine hits both sides of a ratio alike.
   */
  rounds?: number[] | undefined;
  /** median / the raw SDK's median in the same case. */
  ratioToSdk?: number | undefined;
  /** median / the hand-written floor's median in the same case. */
  ratioToFloor?: number | undefined;
  /** Anything needed to read the row: what was checked, leftovers, warnings. */
  note?: string | undefined;
  /** Calls that failed inside an otherwise completed case (bursts). */
  failedCalls?: number | undefined;
  /** The contender failed this case; no numbers. */
  error?: string | undefined;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string;
  met: boolean;
}

export interface BenchResult {
  plan: Plan;
  machine: MachineInfo;
  command: string;
  durationSeconds: number;
  rows: Row[];
  targets: TargetCheck[];
  /** Child processes still alive when the run ended (servers a client failed to stop); should be none. */
  leftoverProcesses: number[];
  /** Process warnings (e.g. MaxListenersExceededWarning) seen per section and contender. */
  warnings: Array<{ section: string; contender: string; name: string; message: string; count: number }>;
}

/** Fills in the ratios to the raw SDK and to the floor within each case. */
export function addRatios(rows: Row[]): void {
  for (const row of rows) {
    if (row.error !== undefined) continue;
    const sameCase = rows.filter(
      (other) => other.section === row.section && other.case === row.case && other.error === undefined,
    );
    row.ratioToSdk = ratioBetween(
      row,
      sameCase.find((other) => other.contender === "sdk"),
    );
    row.ratioToFloor = ratioBetween(
      row,
      sameCase.find((other) => other.contender === "floor"),
    );
  }
}

/** Median of the per-round ratios when both rows have aligned rounds, else the ratio of the medians. */
function ratioBetween(row: Row, base: Row | undefined): number | undefined {
  if (!base || !(base.median > 0)) return undefined;
  if (row.rounds && base.rounds && row.rounds.length === base.rounds.length) {
    const ratios = row.rounds
      .map((value, index) => value / base.rounds![index]!)
      .filter((ratio) => Number.isFinite(ratio));
    if (ratios.length > 0) return summarize(ratios).median;
  }
  return row.median / base.median;
}

const SECTION_TITLES: Record<string, string> = {
  connect: "Connect one server (stdio: spawn + initialize + discovery; HTTP: initialize + discovery)",
  "connect-many": "Connect N servers at once (server-everything, stdio)",
  sequential: "Sequential echo latency (per call)",
  burst: "Burst of concurrent echo calls (total time)",
  close: "Close time",
  discovery: "Discovery (connect to a stdio server, list everything)",
  routing: "callTool routing in a MultiMCPClient (per call, sequential)",
  memory: "Client memory per connected server (each contender in a fresh process), and library import time",
};

function format(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  if (unit === "MiB") return value.toFixed(2);
  if (unit === "µs") return value.toFixed(0);
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1);
  if (value >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

function ratio(value: number | undefined): string {
  return value === undefined ? "–" : `${value.toFixed(2)}×`;
}

/** The results as Markdown tables, one per section. */
export function renderMarkdown(result: BenchResult): string {
  const out: string[] = [];
  const { machine } = result;
  out.push(
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB} GiB RAM, Node ${machine.node}, ${machine.os}; ` +
      `load average at start ${machine.loadAverage.join(" / ")}; ${machine.date}.`,
    "",
    `Command: \`${result.command}\` (${result.plan.mode} plan, ${result.durationSeconds.toFixed(0)} s).`,
    "",
  );
  for (const [section, title] of Object.entries(SECTION_TITLES)) {
    const rows = result.rows.filter((row) => row.section === section);
    if (rows.length === 0) continue;
    const hasP99 = rows.some((row) => row.p99 !== undefined);
    out.push(`### ${title}`, "");
    out.push(
      `| case | contender | median | min–max | ${hasP99 ? "p99 | " : ""}n | vs SDK | vs floor | note |`,
      `|---|---|---:|---:|${hasP99 ? "---:|" : ""}---:|---:|---:|---|`,
    );
    for (const row of rows) {
      const unit = row.unit;
      if (row.error !== undefined) {
        out.push(
          `| ${row.case} | ${row.contender} | error | | ${hasP99 ? "| " : ""}| | | ${row.error.replaceAll("|", "/").slice(0, 120)} |`,
        );
        continue;
      }
      out.push(
        `| ${row.case} | ${row.contender} | ${format(row.median, unit)} ${unit} | ${format(row.low, unit)}–${format(row.high, unit)} | ` +
          `${hasP99 ? `${format(row.p99, unit)} | ` : ""}${row.n} | ${ratio(row.ratioToSdk)} | ${ratio(row.ratioToFloor)} | ${row.note ?? ""} |`,
      );
    }
    out.push("");
  }
  if (result.targets.length > 0) {
    out.push("### Targets", "", "| target | goal | measured | met |", "|---|---|---|---|");
    for (const target of result.targets) {
      out.push(`| ${target.name} | ${target.goal} | ${target.measured} | ${target.met ? "yes" : "**no**"} |`);
    }
    out.push("");
  }
  if (result.leftoverProcesses.length > 0) {
    out.push(
      `**${result.leftoverProcesses.length} server process(es) were still running at the end:** ${result.leftoverProcesses.join(", ")}`,
      "",
    );
  }
  if (result.warnings.length > 0) {
    out.push(
      "### Process warnings seen",
      "",
      "| section | contender | warning | count |",
      "|---|---|---|---:|",
    );
    for (const warning of result.warnings) {
      out.push(
        `| ${warning.section} | ${warning.contender} | ${warning.name}: ${warning.message.slice(0, 100)} | ${warning.count} |`,
      );
    }
    out.push("");
  }
  return out.join("\n");
}

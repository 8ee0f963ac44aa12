import { MultiMCPClient } from "mcp-tools";

import { mcpToolsConfig } from "./contenderMcpTools.js";
import type { Contender, ContenderId, Session } from "./contenders.js";
import { enabledContenders } from "./contenders.js";
import type { Plan } from "./plan.js";
import type { Row } from "./results.js";
import { since, summarize } from "./stats.js";
import type { Target } from "./targets.js";
import { demoStdio, fixtureStdio, processAlive } from "./targets.js";

/** Collects rows and attributes process warnings to the section and contender running now. */
export class Recorder {
  readonly rows: Row[] = [];
  readonly warnings = new Map<
    string,
    { section: string; contender: string; name: string; message: string; count: number }
  >();
  private section = "setup";
  private contender = "-";

  constructor(private readonly log: (line: string) => void) {}

  at(section: string, contender = "-"): void {
    this.section = section;
    this.contender = contender;
  }

  warning(warning: Error): void {
    const key = `${this.section}|${this.contender}|${warning.name}`;
    const seen = this.warnings.get(key);
    if (seen) seen.count++;
    else
      this.warnings.set(key, {
        section: this.section,
        contender: this.contender,
        name: warning.name,
        message: warning.message,
        count: 1,
      });
  }

  add(row: Row): void {
    this.rows.push(row);
    const value =
      row.error !== undefined
        ? `error: ${row.error}`
        : `${row.median.toFixed(3)} ${row.unit} (${row.low.toFixed(3)}–${row.high.toFixed(3)})`;
    this.log(`  ${row.section} | ${row.case} | ${row.contender}: ${value}`);
  }

  /** A row from repeated samples: median and min–max. */
  samples(
    section: string,
    caseName: string,
    contender: string,
    unit: Row["unit"],
    values: number[],
    note?: string,
  ): void {
    const summary = summarize(values);
    this.add({
      section,
      case: caseName,
      contender,
      unit,
      median: summary.median,
      low: summary.min,
      high: summary.max,
      n: summary.n,
      note,
    });
  }

  failed(section: string, caseName: string, contender: string, error: unknown): void {
    this.add({
      section,
      case: caseName,
      contender,
      unit: "ms",
      median: Number.NaN,
      low: Number.NaN,
      high: Number.NaN,
      n: 0,
      error: describe(error),
    });
  }
}

/** One line for the table; BENCH_DEBUG=1 prints the whole error (stack, cause) to stderr. */
function describe(error: unknown): string {
  if (process.env.BENCH_DEBUG) console.error(error);
  return error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);
}

/** The contenders in a different order each round, so drift and warm caches hit everyone alike. */
function rotate<T>(items: readonly T[], round: number): T[] {
  const shift = round % Math.max(1, items.length);
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function caseOf(target: Target): string {
  return `${target.server} ${target.kind}`;
}

function contendersFor(target: Target): Contender[] {
  return enabledContenders().filter((contender) => contender.supports(target));
}

/** One untimed connect per contender: module loading, JIT and lazily built caches are not what is measured. */
async function warmUp(
  recorder: Recorder,
  section: string,
  contenders: readonly Contender[],
  target: Target,
  failures: Map<string, unknown>,
): Promise<void> {
  for (const contender of contenders) {
    recorder.at(section, contender.id);
    try {
      const session = await contender.connect(target);
      await session.close();
    } catch (error) {
      failures.set(contender.id, error);
    }
  }
}

// ─── Connect ────────────────────────────────────────────────────────────────────────────────────

/** Connects one server `reps` times per contender; closing is not timed. */
export async function connectOne(
  recorder: Recorder,
  target: Target,
  reps: number,
  warm: boolean,
): Promise<void> {
  const contenders = contendersFor(target);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  const failures = new Map<string, unknown>();
  let tools = 0;
  if (warm) await warmUp(recorder, "connect", contenders, target, failures);
  for (let rep = 0; rep < reps; rep++) {
    for (const contender of rotate(contenders, rep)) {
      if (failures.has(contender.id)) continue;
      recorder.at("connect", contender.id);
      try {
        const start = performance.now();
        const session = await contender.connect(target);
        samples.get(contender.id)!.push(since(start));
        tools = session.toolCount;
        await session.close();
      } catch (error) {
        failures.set(contender.id, error);
      }
    }
  }
  for (const contender of contenders) {
    const failure = failures.get(contender.id);
    if (failure !== undefined) recorder.failed("connect", caseOf(target), contender.id, failure);
    else
      recorder.samples(
        "connect",
        caseOf(target),
        contender.id,
        "ms",
        samples.get(contender.id)!,
        contender.id === "langchain" ? "lists tools only" : `${tools} tools`,
      );
  }
}

/** Connects `count` instances of a stdio server at once (LangChain starts them one after another by design). */
export async function connectMany(
  recorder: Recorder,
  target: Target,
  count: number,
  reps: number,
): Promise<void> {
  const targets = Array.from({ length: count }, () => target);
  const contenders = enabledContenders(["mcp-tools-multi", "mcp-tools", "sdk", "langchain", "floor"]);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  const failures = new Map<string, unknown>();
  for (let rep = 0; rep < reps; rep++) {
    for (const contender of rotate(contenders, rep)) {
      if (failures.has(contender.id)) continue;
      recorder.at("connect-many", contender.id);
      try {
        const start = performance.now();
        const group = await contender.connectMany(targets);
        const elapsed = since(start);
        await group.close();
        if (group.connected !== count) throw new Error(`${group.connected} of ${count} servers connected`);
        samples.get(contender.id)!.push(elapsed);
      } catch (error) {
        failures.set(contender.id, error);
      }
    }
  }
  const notes: Partial<Record<ContenderId, string>> = {
    "mcp-tools-multi": "MultiMCPClient.connect()",
    "mcp-tools": `${count} × MCPClient.connect(), Promise.all`,
    sdk: `${count} × Client.connect(), Promise.all`,
    langchain: "initializeConnections(): sequential",
    floor: "Promise.all",
  };
  for (const contender of contenders) {
    const failure = failures.get(contender.id);
    if (failure !== undefined)
      recorder.failed("connect-many", `${count} × ${target.server}`, contender.id, failure);
    else
      recorder.samples(
        "connect-many",
        `${count} × ${target.server}`,
        contender.id,
        "ms",
        samples.get(contender.id)!,
        notes[contender.id],
      );
  }
}

// ─── Echo: sequential and burst ─────────────────────────────────────────────────────────────────

export interface EchoPlan {
  warmup: number;
  sequentialCalls: number;
  sequentialRounds: number;
  burstSize: number;
  burstRounds: number;
}

/**
 * One connected session per contender, warmed up; then sequential rounds (each call timed alone) and
 * burst rounds (all calls issued at once, the whole batch timed), contenders interleaved round by round.
 */
export async function echo(recorder: Recorder, target: Target, plan: EchoPlan): Promise<void> {
  const contenders = contendersFor(target);
  const sessions = new Map<string, Session>();
  const failures = new Map<string, unknown>();
  try {
    for (const contender of contenders) {
      recorder.at("sequential", contender.id);
      try {
        const session = await contender.connect(target);
        sessions.set(contender.id, session);
        for (let i = 0; i < plan.warmup; i++) await session.echo(`warm ${i}`);
        await Promise.all(
          Array.from({ length: Math.min(100, plan.burstSize) }, (_, i) => session.echo(`warm burst ${i}`)),
        );
      } catch (error) {
        failures.set(contender.id, error);
      }
    }
    const rounds = new Map<string, Array<{ median: number; total: number }>>();
    /** Every call's latency per contender: p99 is taken over all of them, not per round. */
    const allLatencies = new Map<string, number[]>();
    for (let round = 0; round < plan.sequentialRounds; round++) {
      for (const contender of rotate(contenders, round)) {
        const session = sessions.get(contender.id);
        if (!session || failures.has(contender.id)) continue;
        recorder.at("sequential", contender.id);
        try {
          const latencies = new Array<number>(plan.sequentialCalls);
          const begin = performance.now();
          for (let i = 0; i < plan.sequentialCalls; i++) {
            const start = performance.now();
            await session.echo(`m${i}`);
            latencies[i] = performance.now() - start;
          }
          const total = since(begin);
          const list = rounds.get(contender.id) ?? [];
          list.push({ median: summarize(latencies).median, total });
          rounds.set(contender.id, list);
          allLatencies.set(contender.id, [...(allLatencies.get(contender.id) ?? []), ...latencies]);
        } catch (error) {
          failures.set(contender.id, error);
        }
      }
    }
    for (const contender of contenders) {
      const failure = failures.get(contender.id);
      const list = rounds.get(contender.id);
      if (failure !== undefined || !list) {
        recorder.failed("sequential", caseOf(target), contender.id, failure ?? "no rounds");
        continue;
      }
      const medians = summarize(list.map((r) => r.median));
      const callsPerSecond =
        (plan.sequentialCalls * list.length * 1000) / list.reduce((sum, r) => sum + r.total, 0);
      recorder.add({
        section: "sequential",
        case: caseOf(target),
        contender: contender.id,
        unit: "ms",
        median: medians.median,
        low: medians.min,
        high: medians.max,
        p99: summarize(allLatencies.get(contender.id) ?? []).p99,
        n: plan.sequentialCalls * list.length,
        rounds: list.map((r) => r.median),
        note: `${list.length} round(s) of ${plan.sequentialCalls}; ${callsPerSecond.toFixed(0)} calls/s`,
      });
    }

    // Timed rounds are interleaved like the sequential ones, so load from elsewhere on the machine
    // hits every contender alike. Over stdio they run on the session above after one untimed burst.
    // Over HTTP a burst opens one connection per call, and a pool left idle while the others run
    // meets the server's keep-alive expiry (5 s in Node servers; client-side 4 s for the SDK's global
    // pool, 10 s for mcp-tools' own, which then races the server: see BENCHMARKS.md). So each HTTP
    // round gets a fresh session (connected untimed) warmed by one untimed burst: what is measured is
    // the client on a warm pool. A call failing inside a burst is counted and reported with the row,
    // not allowed to void the contender's whole case.
    const bursts = new Map<string, number[]>();
    const failedCalls = new Map<string, { count: number; first: unknown }>();
    const fire = (session: Session) =>
      Promise.allSettled(Array.from({ length: plan.burstSize }, (_, i) => session.echo(`b${i}`)));
    const timedBurst = async (contender: Contender, session: Session): Promise<void> => {
      const start = performance.now();
      const outcomes = await fire(session);
      const elapsed = since(start);
      const rejected = outcomes.filter(
        (outcome): outcome is PromiseRejectedResult => outcome.status === "rejected",
      );
      if (rejected.length > 0) {
        const seen = failedCalls.get(contender.id);
        failedCalls.set(contender.id, {
          count: (seen?.count ?? 0) + rejected.length,
          first: seen?.first ?? rejected[0]!.reason,
        });
      }
      // A round where every call failed has no time; NaN keeps the rounds aligned for pairing.
      bursts.set(contender.id, [
        ...(bursts.get(contender.id) ?? []),
        rejected.length < plan.burstSize ? elapsed : Number.NaN,
      ]);
    };
    if (target.kind === "stdio") {
      for (const contender of contenders) {
        const session = sessions.get(contender.id);
        if (session && !failures.has(contender.id)) await fire(session);
      }
    }
    for (let round = 0; round < plan.burstRounds; round++) {
      for (const contender of rotate(contenders, round)) {
        if (!sessions.has(contender.id) || failures.has(contender.id)) continue;
        recorder.at("burst", contender.id);
        if (target.kind === "stdio") {
          await timedBurst(contender, sessions.get(contender.id)!);
          continue;
        }
        try {
          const session = await contender.connect(target);
          try {
            await fire(session);
            await timedBurst(contender, session);
          } finally {
            await session.close();
          }
        } catch (error) {
          failures.set(contender.id, error);
        }
      }
    }
    const burstCase = `${caseOf(target)}, ${plan.burstSize} calls`;
    for (const contender of contenders) {
      const rounds = bursts.get(contender.id) ?? [];
      const list = rounds.filter((value) => !Number.isNaN(value));
      const failed = failedCalls.get(contender.id);
      if (failures.has(contender.id) || list.length === 0) {
        recorder.failed(
          "burst",
          burstCase,
          contender.id,
          failures.get(contender.id) ?? failed?.first ?? "no rounds",
        );
        continue;
      }
      const perSecond = (plan.burstSize * 1000) / summarize(list).median;
      const failedNote = failed
        ? `; ${failed.count} of ${plan.burstSize * plan.burstRounds} calls failed (first: ${describe(failed.first)})`
        : "";
      recorder.samples(
        "burst",
        burstCase,
        contender.id,
        "ms",
        list,
        `${perSecond.toFixed(0)} calls/s${failedNote}`,
      );
      const row = recorder.rows.at(-1)!;
      if (failed) row.failedCalls = failed.count;
      row.rounds = rounds;
    }
  } finally {
    await Promise.all([...sessions.values()].map((session) => session.close().catch(() => undefined)));
  }
}

// ─── Close ──────────────────────────────────────────────────────────────────────────────────────

/** server-everything keeps itself alive for 350 ms after initialize (a roots-sync timer); closes wait past that. */
const SETTLE_BEFORE_CLOSE_MS = 500;

/**
 * Close of a server that exits on stdin EOF. All contenders connect, the servers settle, then each
 * close is timed alone; whether the process is gone when close() resolves is checked.
 */
export async function closeOnEof(recorder: Recorder, target: Target, reps: number): Promise<void> {
  const contenders = contendersFor(target);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
  const leftovers = new Map<string, number>();
  const failures = new Map<string, unknown>();
  for (let rep = 0; rep < reps; rep++) {
    const sessions: Array<[Contender, Session]> = [];
    for (const contender of contenders) {
      if (failures.has(contender.id)) continue;
      recorder.at("close", contender.id);
      try {
        const session = await contender.connect(target);
        await session.echo("before close");
        sessions.push([contender, session]);
      } catch (error) {
        failures.set(contender.id, error);
      }
    }
    await sleep(SETTLE_BEFORE_CLOSE_MS);
    for (const [contender, session] of rotate(sessions, rep)) {
      recorder.at("close", contender.id);
      const start = performance.now();
      await session.close();
      samples.get(contender.id)!.push(since(start));
      if (processAlive(session.pid)) leftovers.set(contender.id, (leftovers.get(contender.id) ?? 0) + 1);
    }
  }
  for (const contender of contenders) {
    const failure = failures.get(contender.id);
    if (failure !== undefined)
      recorder.failed("close", `${caseOf(target)}, exits on EOF`, contender.id, failure);
    else {
      const left = leftovers.get(contender.id) ?? 0;
      recorder.samples(
        "close",
        `${caseOf(target)}, exits on EOF`,
        contender.id,
        "ms",
        samples.get(contender.id)!,
        left > 0
          ? `process still alive after close() in ${left} of ${reps}`
          : "process gone when close() resolved",
      );
    }
  }
}

/**
 * Close of a server that ignores SIGTERM and stdin EOF (fault fixture MODE=ignore-sigterm): only
 * SIGKILL ends it. Bound by each client's timers, so the closes run side by side.
 */
export async function closeIgnoringSigterm(recorder: Recorder, reps: number): Promise<void> {
  const target = fixtureStdio("ignore-sigterm");
  const variants: Array<{ name: string; contender: Contender; grace?: number }> = enabledContenders([
    "mcp-tools",
    "sdk",
    "langchain",
    "floor",
  ]).flatMap((contender) =>
    contender.id === "mcp-tools"
      ? [
          { name: "mcp-tools", contender },
          { name: "mcp-tools (shutdown_grace 0.2 s)", contender, grace: 0.2 },
        ]
      : [{ name: contender.id, contender }],
  );
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const leftovers = new Map<string, number>();
  const failures = new Map<string, unknown>();
  for (let rep = 0; rep < reps; rep++) {
    const sessions: Array<[string, Session]> = [];
    for (const variant of variants) {
      if (failures.has(variant.name)) continue;
      recorder.at("close", variant.name);
      try {
        sessions.push([
          variant.name,
          await variant.contender.connect(target, { shutdownGrace: variant.grace }),
        ]);
      } catch (error) {
        failures.set(variant.name, error);
      }
    }
    await Promise.all(
      sessions.map(async ([name, session]) => {
        const start = performance.now();
        await session.close();
        samples.get(name)!.push(since(start));
        if (processAlive(session.pid)) leftovers.set(name, (leftovers.get(name) ?? 0) + 1);
      }),
    );
    // A SIGKILL that close() did not wait for: make sure the next repetition starts clean.
    await sleep(100);
  }
  const notes: Record<string, string> = {
    "mcp-tools": "default shutdown_grace 2 s: EOF, 2 s, SIGTERM to the group, 2 s, SIGKILL, wait for exit",
    "mcp-tools (shutdown_grace 0.2 s)": "same steps, 0.2 s each",
    sdk: "EOF, 2 s, SIGTERM, 2 s, SIGKILL (not awaited)",
    langchain: "SDK v1 transport: EOF, 2 s, SIGTERM, 2 s, SIGKILL (not awaited)",
    floor: "EOF, 2 s, SIGTERM, 2 s, SIGKILL, wait for exit",
  };
  for (const variant of variants) {
    const failure = failures.get(variant.name);
    if (failure !== undefined)
      recorder.failed("close", "fixture stdio, ignores SIGTERM", variant.name, failure);
    else {
      const left = leftovers.get(variant.name) ?? 0;
      recorder.samples(
        "close",
        "fixture stdio, ignores SIGTERM",
        variant.name,
        "ms",
        samples.get(variant.name)!,
        `${notes[variant.name]}${left > 0 ? `; process still alive when close() resolved in ${left} of ${reps}` : ""}`,
      );
    }
  }
}

// ─── Discovery ──────────────────────────────────────────────────────────────────────────────────

/** Connect + discovery of a server with many tools, against the same server with few. */
export async function discovery(recorder: Recorder, plan: Plan): Promise<void> {
  const paged = {
    ...fixtureStdio(`paginate:${plan.discoveryTools}:${plan.discoveryPageSize}`),
    server: "fixture",
  };
  const cases: Array<{ name: string; target: Target; expect: number | undefined }> = [
    { name: `fixture, 4 tools`, target: fixtureStdio("ok"), expect: undefined },
    {
      name: `fixture, ${plan.discoveryTools} tools in ${Math.ceil(plan.discoveryTools / plan.discoveryPageSize)} pages`,
      target: paged,
      expect: plan.discoveryTools,
    },
    {
      name: `demo --tools ${plan.discoveryTools}, one page`,
      target: demoStdio(["--tools", String(plan.discoveryTools)]),
      expect: undefined,
    },
  ];
  const contenders = enabledContenders();
  for (const { name, target, expect } of cases) {
    const samples = new Map<string, number[]>(contenders.map((c) => [c.id, []]));
    const failures = new Map<string, unknown>();
    const counts = new Map<string, number>();
    if (plan.warmupConnect) await warmUp(recorder, "discovery", contenders, target, failures);
    for (let rep = 0; rep < plan.discoveryReps; rep++) {
      for (const contender of rotate(contenders, rep)) {
        if (failures.has(contender.id)) continue;
        recorder.at("discovery", contender.id);
        try {
          const start = performance.now();
          const session = await contender.connect(target);
          samples.get(contender.id)!.push(since(start));
          counts.set(contender.id, session.toolCount);
          await session.close();
          if (expect !== undefined && session.toolCount !== expect)
            throw new Error(`discovered ${session.toolCount} tools, expected ${expect}`);
        } catch (error) {
          failures.set(contender.id, error);
        }
      }
    }
    for (const contender of contenders) {
      const failure = failures.get(contender.id);
      if (failure !== undefined) recorder.failed("discovery", name, contender.id, failure);
      else
        recorder.samples(
          "discovery",
          name,
          contender.id,
          "ms",
          samples.get(contender.id)!,
          `${counts.get(contender.id)} tools${contender.id === "langchain" ? " (tools only)" : ""}`,
        );
    }
  }
}

const WARMUP_ROUTING_CALLS = 50;

// ─── Routing ────────────────────────────────────────────────────────────────────────────────────

/**
 * A MultiMCPClient holding `servers` × `tools` (fault fixture, paginated tool lists); sequential calls
 * by routed name vs the same calls on the server's MCPClient directly, interleaved in rounds.
 */
export async function routing(recorder: Recorder, plan: Plan): Promise<void> {
  const section = "routing";
  const caseName = `${plan.routingServers} servers × ${plan.routingToolsPerServer} tools`;
  recorder.at(section, "mcp-tools-multi");
  const target = fixtureStdio(`paginate:${plan.routingToolsPerServer}:100`);
  const configs = Array.from({ length: plan.routingServers }, (_, index) =>
    mcpToolsConfig(target, `s${index}`),
  );
  let multi: MultiMCPClient | undefined;
  try {
    multi = new MultiMCPClient(configs);
    const summary = await multi.connect();
    if (summary.toolsCount !== plan.routingServers * plan.routingToolsPerServer)
      throw new Error(`${summary.toolsCount} tools routed`);
    const tool = (i: number) => `t${String((i % plan.routingToolsPerServer) + 1).padStart(4, "0")}`;
    const server = (i: number) => `s${i % plan.routingServers}`;
    const routedNames = Array.from(
      { length: Math.max(WARMUP_ROUTING_CALLS, plan.routingCalls) },
      (_, i) =>
        // Routed names (`mcp__{server}__{tool}`); these are short and valid, so none is sanitised.
        `mcp__${server(i)}__${tool(i)}`,
    );
    const clients = Array.from({ length: plan.routingServers }, (_, i) => multi!.getClient(`s${i}`));
    const check = (result: { content?: unknown }, i: number) => {
      const text = (result.content as Array<{ text?: string }> | undefined)?.[0]?.text;
      if (text !== `called ${tool(i)}`) throw new Error(`unexpected answer ${JSON.stringify(text)}`);
    };
    const variants = {
      direct: async (i: number) => check(await clients[i % plan.routingServers]!.callTool(tool(i), {}), i),
      routed: async (i: number) => check(await multi!.callTool(routedNames[i]!, {}), i),
    };
    for (let i = 0; i < WARMUP_ROUTING_CALLS; i++) {
      await variants.direct(i);
      await variants.routed(i);
    }
    const rounds: Record<keyof typeof variants, Array<{ median: number; p99: number }>> = {
      direct: [],
      routed: [],
    };
    for (let round = 0; round < plan.routingRounds; round++) {
      for (const name of rotate(["direct", "routed"] as const, round)) {
        const latencies: number[] = [];
        for (let i = 0; i < plan.routingCalls; i++) {
          const start = performance.now();
          await variants[name](i);
          latencies.push((performance.now() - start) * 1000);
        }
        const summary = summarize(latencies);
        rounds[name].push({ median: summary.median, p99: summary.p99 });
      }
    }
    const row = (name: keyof typeof variants, contender: string, note: string) => {
      const medians = summarize(rounds[name].map((r) => r.median));
      recorder.add({
        section,
        case: caseName,
        contender,
        unit: "µs",
        median: medians.median,
        low: medians.min,
        high: medians.max,
        p99: summarize(rounds[name].map((r) => r.p99)).median,
        n: plan.routingCalls * rounds[name].length,
        note,
      });
    };
    row("direct", "mcp-tools", "multi.getClient(server).callTool(raw name)");
    row(
      "routed",
      "mcp-tools-multi",
      "multi.callTool(routed name): lookup, limit, breaker, then the same MCPClient call",
    );
  } catch (error) {
    recorder.failed(section, caseName, "mcp-tools-multi", error);
  } finally {
    await multi?.disconnect();
  }
}

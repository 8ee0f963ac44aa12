import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { ContenderId } from "./contenders.js";
import { CONTENDER_IDS, enabledContenders } from "./contenders.js";
import type { MemoryProbeResult } from "./memoryProbe.js";
import type { Recorder } from "./scenarios.js";
import { summarize } from "./stats.js";
import type { Target } from "./targets.js";

const PROBE = join(dirname(fileURLToPath(import.meta.url)), "memoryProbe.js");
const PROBE_TIMEOUT_MS = 120_000;

function probe(contender: ContenderId, servers: number, target: Target): Promise<MemoryProbeResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--no-warnings", PROBE, contender, String(servers), JSON.stringify(target)],
      { timeout: PROBE_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${error.message}\n${stderr.slice(-500)}`));
        else resolve(JSON.parse(stdout.trim().split("\n").at(-1)!) as MemoryProbeResult);
      },
    );
  });
}

/** RSS and heap growth per connected server, each contender measured in its own fresh process. */
export async function memory(
  recorder: Recorder,
  targets: readonly Target[],
  servers: number,
  reps: number,
  parallel: number,
): Promise<void> {
  const key = (target: Target, id: ContenderId) => `${target.kind}|${id}`;
  const results = new Map<string, MemoryProbeResult[]>();
  const failures = new Map<string, unknown>();
  const jobs = Array.from({ length: reps }, () =>
    targets.flatMap((target) =>
      enabledContenders()
        .filter((contender) => contender.supports(target))
        .map((contender) => ({ target, id: contender.id })),
    ),
  ).flat();
  const worker = async () => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      const { target, id } = job;
      if (failures.has(key(target, id))) continue;
      recorder.at("memory", id);
      try {
        const result = await probe(id, servers, target);
        results.set(key(target, id), [...(results.get(key(target, id)) ?? []), result]);
      } catch (error) {
        failures.set(key(target, id), error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  for (const id of CONTENDER_IDS) {
    const list = targets.flatMap((target) => results.get(key(target, id)) ?? []);
    if (list.length > 0)
      recorder.samples(
        "memory",
        "import the library (ms, cold process)",
        id,
        "ms",
        list.map((r) => r.importMs),
      );
  }
  for (const target of targets) {
    const ids = enabledContenders()
      .filter((contender) => contender.supports(target))
      .map((contender) => contender.id);
    for (const kind of ["rss", "heap"] as const) {
      const caseName = `${target.server} ${target.kind}, ${servers} servers, ${kind === "rss" ? "RSS" : "JS heap"}`;
      for (const id of ids) {
        const failure = failures.get(key(target, id));
        if (failure !== undefined) {
          recorder.failed("memory", caseName, id, failure);
          continue;
        }
        const list = results.get(key(target, id))!;
        const values = list.map((r) => (kind === "rss" ? r.perServer.rssMiB : r.perServer.heapMiB));
        const library = summarize(
          list.map((r) =>
            kind === "rss" ? r.baseline.rssMiB - r.empty.rssMiB : r.baseline.heapMiB - r.empty.heapMiB,
          ),
        ).median;
        const summary = summarize(values);
        recorder.add({
          section: "memory",
          case: caseName,
          contender: id,
          unit: "MiB",
          median: summary.median,
          low: summary.min,
          high: summary.max,
          n: list.length,
          note: `per server; loading the library and one connect/close cost ${library.toFixed(1)} MiB once`,
        });
      }
    }
  }
}

/**
 * Measures one contender's memory in a fresh process (run with --expose-gc):
 *
 *     node --expose-gc bench/results/build/memoryProbe.js <contender> <servers> <target JSON>
 *
 * Imports only that contender's library, connects one server and closes it (so lazily built caches
 * are not counted), takes the baseline,
 * connects <servers> servers at once, and prints one JSON line with the RSS and heap growth per server.
 */
import { setImmediate as nextTurn } from "node:timers/promises";

import type { ContenderId } from "./contenders.js";
import { isContenderId, loadContender } from "./contenders.js";
import type { Target } from "./targets.js";

export interface MemoryProbeResult {
  contender: ContenderId;
  servers: number;
  /** Time to import the contender's library (a cold start cost, paid once per process). */
  importMs: number;
  /** Before the contender's library was imported. */
  empty: { rssMiB: number; heapMiB: number };
  baseline: { rssMiB: number; heapMiB: number };
  connected: { rssMiB: number; heapMiB: number };
  perServer: { rssMiB: number; heapMiB: number };
}

const MiB = 2 ** 20;

async function settle(): Promise<{ rssMiB: number; heapMiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run the memory probe with node --expose-gc");
  for (let i = 0; i < 4; i++) {
    gc();
    await nextTurn();
  }
  const usage = process.memoryUsage();
  return { rssMiB: usage.rss / MiB, heapMiB: usage.heapUsed / MiB };
}

async function main(): Promise<void> {
  const [id, count, targetJson] = process.argv.slice(2);
  const servers = Number(count);
  if (
    id === undefined ||
    !isContenderId(id) ||
    !Number.isInteger(servers) ||
    servers < 1 ||
    targetJson === undefined
  ) {
    throw new Error("usage: memoryProbe.js <contender> <servers> <target JSON>");
  }
  const beforeLibrary = await settle();
  const importStart = performance.now();
  const contender = await loadContender(id);
  const importMs = performance.now() - importStart;
  const target = JSON.parse(targetJson) as Target;
  const warm = await contender.connectMany([target]);
  await warm.close();
  const baseline = await settle();
  const group = await contender.connectMany(Array.from({ length: servers }, () => target));
  if (group.connected !== servers) throw new Error(`${group.connected} of ${servers} servers connected`);
  const connected = await settle();
  await group.close();
  const result: MemoryProbeResult = {
    contender: contender.id,
    servers,
    importMs,
    empty: beforeLibrary,
    baseline,
    connected,
    perServer: {
      rssMiB: (connected.rssMiB - baseline.rssMiB) / servers,
      heapMiB: (connected.heapMiB - baseline.heapMiB) / servers,
    },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().then(
  // LangChain and the SDK leave unref'd timers and sockets behind; the answer is out, so leave.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`memory probe failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);

// Invariants checked after every test file (fault-matrix §7.1): no child process left running, no
// timer, socket, server or pipe left keeping the event loop alive, and no process warning
// (MaxListenersExceededWarning, TimeoutOverflowWarning, a deprecation, ...) emitted: a warning fails the
// test it was emitted in, or the file when it came after the last test. Unhandled rejections already
// fail a vitest run on their own.
import { afterAll, afterEach, beforeAll, expect } from "vitest";

import { liveChildrenOf } from "./processes.js";

/** Handle types that a leak would show up as. */
const WATCHED = new Set([
  "ProcessWrap",
  "PipeWrap",
  "TCPSocketWrap",
  "TCPServerWrap",
  "Timeout",
  "UDPWrap",
  "FSEventWrap",
]);
/** Closing handles finish on a later loop turn; this bounds how long we give them. */
const SETTLE_MS = 3_000;

function counts(): Map<string, number> {
  const result = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    if (WATCHED.has(type)) result.set(type, (result.get(type) ?? 0) + 1);
  }
  return result;
}

function leaks(baseline: Map<string, number>): string[] {
  const found: string[] = [];
  for (const [type, count] of counts()) {
    const extra = count - (baseline.get(type) ?? 0);
    if (extra > 0) found.push(`${extra} × ${type}`);
  }
  return found;
}

let baseline = new Map<string, number>();

/** Warnings emitted since the last check; Node emits each on the tick after `emitWarning()`. */
const warnings: Error[] = [];
process.on("warning", (warning) => warnings.push(warning));
/** Taken before any test can install fake timers: the checks below must really yield. */
const realSetImmediate = globalThis.setImmediate;
const nextTurn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/** Fails with every warning seen since the last check, each with where it was emitted. */
function expectNoWarnings(when: string): void {
  const seen = warnings.splice(0).map((warning) => {
    const frames = (warning.stack ?? "").split("\n").slice(1);
    const where = frames
      .filter((frame) => !frame.includes("(node:"))
      .slice(0, 4)
      .join("\n");
    return `${warning.name}: ${warning.message}\n${where}`;
  });
  expect(seen, `process warnings emitted ${when}: fix what emits them`).toEqual([]);
}

afterEach(async () => {
  await nextTurn();
  expectNoWarnings("during this test");
});

beforeAll(() => {
  baseline = counts();
});

afterAll(async () => {
  await nextTurn();
  const deadline = Date.now() + SETTLE_MS;
  let remaining = leaks(baseline);
  let children = liveChildrenOf(process.pid);
  while ((remaining.length > 0 || children.length > 0) && Date.now() < deadline) {
    await nextTurn();
    remaining = leaks(baseline);
    children = liveChildrenOf(process.pid);
  }
  expectNoWarnings("after the last test of this file");
  expect(children, "child processes left running after this test file").toEqual([]);
  expect(remaining, "handles left keeping the event loop alive after this test file").toEqual([]);
});

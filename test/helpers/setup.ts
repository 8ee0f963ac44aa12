// Invariants checked after every test file (fault-matrix §7.1): no child process left running and no
// timer, socket, server or pipe left keeping the event loop alive. Unhandled rejections already fail
// a vitest run on their own.
import { afterAll, beforeAll, expect } from "vitest";

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

beforeAll(() => {
  baseline = counts();
});

afterAll(async () => {
  const deadline = Date.now() + SETTLE_MS;
  let remaining = leaks(baseline);
  let children = liveChildrenOf(process.pid);
  while ((remaining.length > 0 || children.length > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setImmediate(resolve));
    remaining = leaks(baseline);
    children = liveChildrenOf(process.pid);
  }
  expect(children, "child processes left running after this test file").toEqual([]);
  expect(remaining, "handles left keeping the event loop alive after this test file").toEqual([]);
});

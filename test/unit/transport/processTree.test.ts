// signalTree runs from a child's 'exit' handler and from timers, where an exception is uncaught and
// takes the host down; kill(2) answers EPERM for a group with a member we may not signal. Simulated
// with a stubbed process.kill (the tests run as a user that can signal its own children).
import { readFileSync } from "node:fs";

import { afterEach, describe, expect, it, vi } from "vitest";

import { descendantsInTable, signalTree, treeAlive } from "../../../src/transport/processTree.js";

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`kill ${code}`), { code });
}

/** A pgid no process uses: the highest pid Linux can hand out, plus one. */
const NO_SUCH_GROUP = 4_194_305;

afterEach(() => {
  vi.restoreAllMocks();
});

describe.skipIf(process.platform === "win32")("signalTree", () => {
  it.each(["EPERM", "ESRCH", "EINVAL"])("never throws; kill failing with %s reports false", (code) => {
    const kill = vi.spyOn(process, "kill").mockImplementation(() => {
      throw errno(code);
    });
    expect(signalTree(12_345, "SIGTERM")).toBe(false);
    expect(kill).toHaveBeenCalledWith(-12_345, "SIGTERM");
  });

  it("reports true when the signal was delivered to the group", () => {
    const kill = vi.spyOn(process, "kill").mockImplementation(() => true);
    expect(signalTree(12_345, "SIGKILL")).toBe(true);
    expect(kill).toHaveBeenCalledWith(-12_345, "SIGKILL");
  });
});

describe.skipIf(process.platform !== "linux")("treeAlive", () => {
  it("ESRCH: gone", () => {
    vi.spyOn(process, "kill").mockImplementation(() => {
      throw errno("ESRCH");
    });
    expect(treeAlive(NO_SUCH_GROUP)).toBe(false);
  });

  it("EPERM for a group with live members: alive", () => {
    // The process group of this test process: it has a live member (this process).
    const stat = readFileSync("/proc/self/stat", "latin1");
    const group = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
    vi.spyOn(process, "kill").mockImplementation(() => {
      throw errno("EPERM");
    });
    expect(treeAlive(group)).toBe(true);
  });

  it("EPERM for a group whose members are all gone: not alive (confirmed from /proc)", () => {
    vi.spyOn(process, "kill").mockImplementation(() => {
      throw errno("EPERM");
    });
    expect(treeAlive(NO_SUCH_GROUP)).toBe(false);
  });
});

describe("descendantsInTable (the ps -A -o pid=,ppid= tree walk)", () => {
  const SELF = 999;

  it("finds children, grandchildren and deeper, in breadth-first order, and nothing else", () => {
    const table = [
      "    1     0",
      "  100     1",
      "  101   100",
      "  102   100",
      "  103   101",
      "  104   103",
      "  200     1",
      "  201   200",
    ].join("\n");
    expect(descendantsInTable(table, [100], SELF)).toEqual([101, 102, 103, 104]);
    expect(descendantsInTable(table, [103], SELF)).toEqual([104]);
    expect(descendantsInTable(table, [104], SELF)).toEqual([]);
  });

  it("walks from several roots at once without repeating a process or returning a root", () => {
    const table = "10 1\n11 10\n12 11\n20 1\n21 20\n";
    expect(descendantsInTable(table, [10, 11, 20], SELF)).toEqual([12, 21]);
    expect(descendantsInTable(table, [11, 10], SELF)).toEqual([12]);
  });

  it("a root missing from the table (gone) has no descendants", () => {
    expect(descendantsInTable("10 1\n11 10\n", [42], SELF)).toEqual([]);
  });

  it("tolerates the formats ps prints: padding, tabs, CRLF, a header, blank and garbage lines", () => {
    const table = "  PID  PPID\r\n\r\n  10\t1\r\n   11    10   \r\nnot a line\n12 11 extra\n13\n14 11\n";
    expect(descendantsInTable(table, [10], SELF)).toEqual([11, 14]);
  });

  it("never walks from or returns init, pid 0 or this process (whose other children are other servers)", () => {
    const table = ["1 0", "2 0", "50 1", "10 1", `${SELF} 10`, `1000 ${SELF}`, "11 10"].join("\n");
    expect(descendantsInTable(table, [1], SELF)).toEqual([]);
    expect(descendantsInTable(table, [0], SELF)).toEqual([]);
    expect(descendantsInTable(table, [SELF], SELF)).toEqual([]);
    expect(descendantsInTable(table, [10], SELF)).toEqual([11]);
  });

  it("terminates on a cycle (a table read while pids were reused) and on a self-parented line", () => {
    const table = "10 12\n11 10\n12 11\n13 13\n";
    expect(descendantsInTable(table, [10], SELF).sort()).toEqual([11, 12]);
    expect(descendantsInTable(table, [13], SELF)).toEqual([]);
  });

  it("defaults `self` to this process", () => {
    const table = `10 1\n${process.pid} 10\n`;
    expect(descendantsInTable(table, [10])).toEqual([]);
  });
});

// signalTree runs from a child's 'exit' handler and from timers, where an exception is uncaught and
// takes the host down; kill(2) answers EPERM for a group with a member we may not signal. Simulated
// with a stubbed process.kill (the tests run as a user that can signal its own children).
import { readFileSync } from "node:fs";

import { afterEach, describe, expect, it, vi } from "vitest";

import { signalTree, treeAlive } from "../../../src/transport/processTree.js";

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

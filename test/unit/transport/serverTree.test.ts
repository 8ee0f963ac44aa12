// ServerTree and killAllTrees with a scripted process table: which pids get which signal, and that a
// missing or failing `ps` never throws. process.kill is stubbed: no real process is signalled.
import type * as ChildProcessModule from "node:child_process";
import type { ChildProcess } from "node:child_process";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

const ps = vi.hoisted(() => ({
  /** What the next `ps` run prints, or the error it fails with. */
  result: "" as string | NodeJS.ErrnoException,
  runs: 0,
}));

vi.mock("node:child_process", async (importOriginal) => {
  const actual = await importOriginal<typeof ChildProcessModule>();
  return {
    ...actual,
    execFile: (
      _file: string,
      _args: readonly string[],
      _options: object,
      callback: (error: Error | null, stdout: string) => void,
    ): ChildProcess => {
      ps.runs++;
      const result = ps.result;
      queueMicrotask(() => (typeof result === "string" ? callback(null, result) : callback(result, "")));
      return {} as ChildProcess;
    },
    spawnSync: () => {
      ps.runs++;
      const result = ps.result;
      return typeof result === "string"
        ? { status: 0, stdout: result, error: undefined }
        : { status: null, stdout: "", error: result };
    },
  };
});

const { killAllTrees, ServerTree, trackTree, untrackTree } =
  await import("../../../src/transport/processTree.js");

const SERVER = 4_000_001;
/** A daemon in its own session and its child, both outside the server's group. */
const TABLE = `1 0\n${SERVER} 1\n4000002 ${SERVER}\n4000003 4000002\n4000009 1\n`;

let kills: Array<[number, string | number | undefined]> = [];

beforeEach(() => {
  ps.result = TABLE;
  ps.runs = 0;
  kills = [];
  vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
    kills.push([pid, signal]);
    return true;
  });
});

afterEach(() => {
  untrackTree(SERVER);
  vi.restoreAllMocks();
});

describe.skipIf(process.platform === "win32")("ServerTree", () => {
  it("collects the descendants with one ps run and signals them with the group", async () => {
    const tree = new ServerTree(SERVER);
    await tree.collect(true);
    expect(ps.runs).toBe(1);
    expect(tree.knownDescendants).toEqual([4_000_002, 4_000_003]);
    expect(tree.signal("SIGTERM")).toBe(true);
    expect(kills).toEqual([
      [-SERVER, "SIGTERM"],
      [4_000_002, "SIGTERM"],
      [4_000_003, "SIGTERM"],
    ]);
  });

  it("once the server has exited, walks only from descendants already known (its pid may be reused)", async () => {
    const tree = new ServerTree(SERVER);
    await tree.collect(false);
    expect(ps.runs).toBe(0);
    expect(tree.knownDescendants).toEqual([]);
  });

  it.each([
    ["ps is not installed", Object.assign(new Error("spawn ps ENOENT"), { code: "ENOENT" })],
    ["ps timed out", Object.assign(new Error("Command failed"), { killed: true, signal: "SIGTERM" })],
    ["ps failed", Object.assign(new Error("ps: unrecognized option -A"), { code: 1 })],
  ])("%s: collect() resolves without throwing; the group is still signalled", async (_, error) => {
    ps.result = error as NodeJS.ErrnoException;
    const tree = new ServerTree(SERVER);
    await expect(tree.collect(true)).resolves.toBeUndefined();
    // On Linux the table came from /proc instead, where these fake pids do not exist.
    expect(tree.knownDescendants).toEqual([]);
    expect(tree.signal("SIGKILL")).toBe(true);
    expect(kills).toEqual([[-SERVER, "SIGKILL"]]);
  });
});

describe.skipIf(process.platform === "win32")("killAllTrees", () => {
  it("SIGKILLs every tracked group and the descendants the table shows outside it, with one ps run", () => {
    trackTree(SERVER);
    killAllTrees();
    expect(ps.runs).toBe(1);
    expect(kills).toEqual([
      [-SERVER, "SIGKILL"],
      [4_000_002, "SIGKILL"],
      [4_000_003, "SIGKILL"],
    ]);
  });

  it("still kills the groups when ps cannot run", () => {
    ps.result = Object.assign(new Error("spawn ps ENOENT"), { code: "ENOENT" });
    trackTree(SERVER);
    expect(() => killAllTrees()).not.toThrow();
    expect(kills).toEqual([[-SERVER, "SIGKILL"]]);
  });
});

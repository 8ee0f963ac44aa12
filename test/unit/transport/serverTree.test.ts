// ServerTree and killAllTrees with a scripted process table (/proc, or `ps` where /proc cannot be
// listed): which pids get which signal, how many reads of the table closes cost, and that a missing or
// failing `ps` never throws. process.kill is stubbed: no real process is signalled.
import type * as ChildProcessModule from "node:child_process";
import type { ChildProcess } from "node:child_process";
import type * as FsModule from "node:fs";

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/** One scripted process: what its /proc/<pid>/stat says. */
interface FakeProcess {
  pid: number;
  ppid: number;
  pgrp: number;
  state?: string;
  /** Clock ticks after boot (/proc/<pid>/stat field 22). */
  start: number;
}

const host = vi.hoisted(() => ({
  /** The processes /proc shows. */
  table: [] as FakeProcess[],
  /** False: /proc cannot be listed (the `ps` fallback is used). */
  procListable: true,
  procReads: 0,
  /** What the next `ps` run prints, or the error it fails with. */
  ps: "" as string | NodeJS.ErrnoException,
  psRuns: 0,
  /** When set, a `ps` run finishes only when this is called (one at a time). */
  holdPs: false,
  releasePs: [] as Array<() => void>,
}));

function statLine(p: FakeProcess): string {
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize
  return `${p.pid} (fake (server)) ${p.state ?? "S"} ${p.ppid} ${p.pgrp} 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${p.start} 1000`;
}

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof FsModule>();
  return {
    ...actual,
    readdirSync: (path: string) => {
      if (path !== "/proc") throw new Error(`unexpected readdirSync(${path})`);
      if (!host.procListable) throw Object.assign(new Error("EACCES"), { code: "EACCES" });
      host.procReads++;
      return ["self", "sys", ...host.table.map((p) => String(p.pid))];
    },
    readFileSync: (path: string, encoding: string) => {
      const match = /^\/proc\/(\w+)\/stat$/.exec(path);
      if (!match) return actual.readFileSync(path, encoding as BufferEncoding);
      if (match[1] === "self") return statLine({ pid: 42, ppid: 1, pgrp: 42, start: 1 });
      const found = host.table.find((p) => String(p.pid) === match[1]);
      if (!found) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return statLine(found);
    },
  };
});

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
      host.psRuns++;
      const finish = () => {
        const result = host.ps;
        if (typeof result === "string") callback(null, result);
        else callback(result, "");
      };
      if (host.holdPs) host.releasePs.push(finish);
      else queueMicrotask(finish);
      return {} as ChildProcess;
    },
    spawnSync: () => {
      host.psRuns++;
      const result = host.ps;
      return typeof result === "string"
        ? { status: 0, stdout: result, error: undefined }
        : { status: null, stdout: "", error: result };
    },
  };
});

const { killAllTrees, ServerTree } = await import("../../../src/transport/processTree.js");

const SERVER = 4_000_001;
/** The server leads its group; a daemon in its own session and the daemon's child; an unrelated process. */
function hostTable(): FakeProcess[] {
  return [
    { pid: 1, ppid: 0, pgrp: 1, start: 1 },
    { pid: SERVER, ppid: 1, pgrp: SERVER, start: 500 },
    { pid: 4_000_002, ppid: SERVER, pgrp: 4_000_002, start: 600 },
    { pid: 4_000_003, ppid: 4_000_002, pgrp: 4_000_002, start: 700 },
    { pid: 4_000_009, ppid: 1, pgrp: 4_000_009, start: 800 },
  ];
}
/** The same, as `ps -A -o pid=,ppid=` prints it. */
const PS_TABLE = `1 0\n${SERVER} 1\n4000002 ${SERVER}\n4000003 4000002\n4000009 1\n`;

let kills: Array<[number, string | number | undefined]> = [];
const trees: Array<InstanceType<typeof ServerTree>> = [];

function tree(pid = SERVER): InstanceType<typeof ServerTree> {
  const created = new ServerTree(pid);
  trees.push(created);
  return created;
}

beforeEach(() => {
  Object.assign(host, {
    table: hostTable(),
    procListable: true,
    procReads: 0,
    ps: PS_TABLE,
    psRuns: 0,
    holdPs: false,
    releasePs: [],
  });
  kills = [];
  vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
    if (signal === 0 || signal === undefined) {
      // Signal 0 asks whether the process (or group) exists.
      const exists =
        pid < 0 ? host.table.some((p) => p.pgrp === -pid) : host.table.some((p) => p.pid === pid);
      if (!exists) throw Object.assign(new Error("ESRCH"), { code: "ESRCH" });
      return true;
    }
    kills.push([pid, signal]);
    return true;
  });
});

afterEach(() => {
  for (const created of trees.splice(0)) created.untrack();
  vi.restoreAllMocks();
});

describe.skipIf(process.platform !== "linux")("ServerTree on Linux (/proc)", () => {
  it("collects the descendants from one read of /proc, without ps, and signals them with the group", async () => {
    const server = tree();
    await server.collect();
    expect(host.procReads).toBe(1);
    expect(host.psRuns).toBe(0);
    expect(server.knownDescendants).toEqual([4_000_002, 4_000_003]);
    expect(server.signal("SIGTERM")).toBe(true);
    expect(kills).toEqual([
      [-SERVER, "SIGTERM"],
      [4_000_002, "SIGTERM"],
      [4_000_003, "SIGTERM"],
    ]);
  });

  it("concurrent collections (100 servers closing at once) share one read, started after their requests", async () => {
    const servers = Array.from({ length: 100 }, (_, i) => {
      const pid = 5_000_000 + i * 10;
      host.table.push({ pid, ppid: 1, pgrp: pid, start: 900 });
      return tree(pid);
    });
    const collecting = servers.map((server) => server.collect());
    // A daemon started after the requests, before the read: the shared read must still see it.
    host.table.push({ pid: 5_000_001, ppid: 5_000_000, pgrp: 5_000_001, start: 901 });
    await Promise.all(collecting);
    expect(host.procReads).toBe(1);
    expect(servers[0]!.knownDescendants).toEqual([5_000_001]);
    // A later request gets a read of its own.
    await servers[1]!.collect();
    expect(host.procReads).toBe(2);
  });

  it("once the server has exited, walks only from descendants already known (its pid may be reused)", async () => {
    const server = tree();
    server.serverExited();
    await server.collect();
    expect(host.procReads).toBe(0);
    expect(server.knownDescendants).toEqual([]);
  });

  it("waiting for a group whose leader is gone walks /proc once, then checks the member it found", () => {
    // The wrapper (the leader) exited; its child, in the same group, still runs.
    const server = tree();
    server.serverExited();
    host.table = host.table.filter((p) => p.pid !== SERVER);
    host.table.push({ pid: 4_300_000, ppid: 1, pgrp: SERVER, start: 3_000 });
    for (let poll = 0; poll < 10; poll++) expect(server.alive()).toBe(true);
    expect(host.procReads).toBe(1);
    host.table = host.table.filter((p) => p.pid !== 4_300_000);
    expect(server.alive()).toBe(false);
    // Seen empty: never signalled again (its id may be the next group's).
    expect(server.signal("SIGKILL")).toBe(false);
    expect(kills).toEqual([]);
  });

  it("never signals a known descendant whose pid now belongs to another process (another start time), nor one that is gone", async () => {
    const server = tree();
    await server.collect();
    // 4000002 exited and its pid went to an unrelated process; 4000003 exited.
    host.table = host.table.filter((p) => p.pid !== 4_000_002 && p.pid !== 4_000_003);
    host.table.push({ pid: 4_000_002, ppid: 1, pgrp: 4_000_002, start: 9_999 });
    server.signal("SIGKILL");
    expect(kills).toEqual([[-SERVER, "SIGKILL"]]);
    expect(server.knownDescendants).toEqual([]);
  });
});

describe.skipIf(process.platform !== "linux")("killAllTrees on Linux (/proc)", () => {
  it("SIGKILLs every tracked group and the descendants the table shows outside it, with one read for all trees", () => {
    tree().track();
    const other = 4_100_000;
    host.table.push(
      { pid: other, ppid: 1, pgrp: other, start: 950 },
      { pid: 4_100_001, ppid: other, pgrp: 4_100_001, start: 951 },
    );
    tree(other).track();
    killAllTrees();
    expect(host.procReads).toBe(1);
    expect(host.psRuns).toBe(0);
    expect(kills).toEqual([
      [-SERVER, "SIGKILL"],
      [4_000_002, "SIGKILL"],
      [4_000_003, "SIGKILL"],
      [-other, "SIGKILL"],
      [4_100_001, "SIGKILL"],
    ]);
  });

  it("does not walk from a server that exited, whose pid now belongs to another process, nor kill a remembered pid that was reused", async () => {
    const server = tree();
    server.track();
    await server.collect();
    // The server exited and was reaped; so was its daemon 4000002. Both pids were handed to new
    // processes: the server's to one with a child of its own, the daemon's to an unrelated one.
    server.serverExited();
    host.table = host.table.filter((p) => p.pid !== SERVER && p.pid !== 4_000_002);
    host.table.push(
      { pid: SERVER, ppid: 1, pgrp: 3_000_000, start: 2_000 },
      { pid: 4_200_000, ppid: SERVER, pgrp: 3_000_000, start: 2_001 },
      { pid: 4_000_002, ppid: 1, pgrp: 3_000_001, start: 2_002 },
    );
    killAllTrees();
    // Only the daemon's child, still the process that was seen, is killed; the server's group has
    // no member left, and its id may be the next group's.
    expect(kills).toEqual([[4_000_003, "SIGKILL"]]);
  });
});

describe.skipIf(process.platform === "win32")("without /proc: ps", () => {
  beforeEach(() => {
    host.procListable = false;
  });

  it("concurrent collections share one ps run; one asked for while it runs gets the next run", async () => {
    host.holdPs = true;
    const first = [tree(), tree()].map((server) => server.collect());
    await vi.waitFor(() => expect(host.psRuns).toBe(1));
    // Asked while the run is under way: answered by a second run, started once the first is done.
    const late = tree();
    const second = [late.collect(), tree().collect()];
    host.releasePs.shift()!();
    await Promise.all(first);
    await vi.waitFor(() => expect(host.psRuns).toBe(2));
    host.releasePs.shift()!();
    await Promise.all(second);
    expect(host.psRuns).toBe(2);
    expect(late.knownDescendants).toEqual([4_000_002, 4_000_003]);
  });

  it.each([
    ["ps is not installed", Object.assign(new Error("spawn ps ENOENT"), { code: "ENOENT" })],
    ["ps timed out", Object.assign(new Error("Command failed"), { killed: true, signal: "SIGTERM" })],
    ["ps failed", Object.assign(new Error("ps: unrecognized option -A"), { code: 1 })],
  ])("%s: collect() resolves without throwing; the group is still signalled", async (_, error) => {
    host.ps = error as NodeJS.ErrnoException;
    const server = tree();
    await expect(server.collect()).resolves.toBeUndefined();
    expect(server.knownDescendants).toEqual([]);
    expect(server.signal("SIGKILL")).toBe(true);
    expect(kills).toEqual([[-SERVER, "SIGKILL"]]);
  });

  it("killAllTrees: still kills the groups when ps cannot run", () => {
    host.ps = Object.assign(new Error("spawn ps ENOENT"), { code: "ENOENT" });
    tree().track();
    expect(() => killAllTrees()).not.toThrow();
    expect(kills).toEqual([[-SERVER, "SIGKILL"]]);
  });
});

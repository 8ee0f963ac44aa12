import { execFile, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { debuglog } from "node:util";

import { onExit } from "signal-exit";

/**
 * Killing a stdio server's whole process tree.
 *
 * Servers are often started through wrappers (`npx`, `uvx`, `sh -c`, `python -m`) whose child holds
 * the real server. Signalling only the direct child orphans the grandchild (typescript-sdk #2023).
 * On POSIX every server is spawned `detached`, so it leads its own process group and `kill(-pid)`
 * reaches the whole tree. On Windows `taskkill /T` walks the tree; it must run before the direct
 * child dies, or the tree can no longer be enumerated (execa's kill-descendants explains why).
 *
 * A descendant that left the group (a daemonizing helper, a browser an automation server starts in
 * its own session) is not reached by `kill(-pid)`. Those are found by parent pid in the process table
 * (read from /proc on Linux, from one `ps` run elsewhere) while their parent still runs: once it dies
 * they are reparented to init (or a subreaper) and the link to the server is gone.
 */

const isWindows = process.platform === "win32";

/** Bound on one `ps` run, so that closing stays bounded even when ps hangs. */
const PS_TIMEOUT_MS = 1_000;
/** A process table of a busy host is a few hundred kB; anything larger is not one. */
const PS_MAX_BUFFER_BYTES = 16 * 1024 * 1024;
/** Every process, as "<pid> <ppid>" without a header: the same on Linux (procps) and macOS (BSD ps). */
const PS_ARGS = ["-A", "-o", "pid=,ppid="];

/** `NODE_DEBUG=mcp-tools` shows why descendants could not be looked up (the library never prints). */
const debug = debuglog("mcp-tools");

/**
 * Whether /proc can be read (Linux, unless it is not mounted): the process table, zombies and start
 * times come from there. Without it, `ps` and `kill(pid, 0)` answer, which cannot tell zombies apart.
 */
const procReadable = process.platform === "linux" && readStat("self") !== undefined;

/**
 * Sends `signal` to the process group led by `pid` (POSIX) or the tree rooted at `pid` (Windows).
 * Returns whether it was delivered. Never throws: it runs from exit handlers and timers, where an
 * exception would take the host down. `false` means the tree is gone (ESRCH) or not ours to signal
 * (EPERM: a member changed its user, e.g. through a setuid wrapper); either way nothing more can be
 * done about it from here.
 */
export function signalTree(pid: number, signal: NodeJS.Signals): boolean {
  if (isWindows) {
    // taskkill has no graceful tree signal; /F is only used for the forced step.
    const args = ["/pid", String(pid), "/T"];
    if (signal === "SIGKILL") args.push("/F");
    return spawnSync("taskkill", args, { stdio: "ignore", windowsHide: true }).status === 0;
  }
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while any process of the group led by `pid` is alive (POSIX); on Windows, the pid itself.
 *
 * `kill(-pid, 0)` also succeeds while the only members left are zombies (killed orphans wait for
 * their new parent to reap them, which in containers can take seconds), so on Linux the answer is
 * confirmed from /proc, where zombies can be told apart: by the leader's own stat when it still
 * leads the group (one file, the common case while a server is being stopped), else by a walk of
 * /proc. EPERM means members exist that we may not signal: they are alive (confirmed the same way),
 * and `signalTree` reports that it cannot reach them.
 */
export function treeAlive(pid: number): boolean {
  return liveGroupMember(pid) !== undefined;
}

/**
 * A live member of the group led by `pid` (see `treeAlive`): the leader, else `hint` (a member seen
 * before), else the first one a walk of /proc finds; 0 when one exists but cannot be named (no
 * /proc); undefined when there is none.
 */
function liveGroupMember(pid: number, hint?: number): number | undefined {
  try {
    process.kill(isWindows ? pid : -pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  if (!procReadable) return 0;
  for (const candidate of hint === undefined ? [pid] : [pid, hint]) {
    const stat = readStat(candidate);
    if (stat?.live && stat.pgrp === pid) return candidate;
  }
  const table = procSnapshot();
  if (table === undefined) return 0;
  return table.find((entry) => entry.pgrp === pid && entry.live)?.pid;
}

/** One process of a process table. */
interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Process group (from /proc only). */
  pgrp?: number | undefined;
  /** False for a zombie (from /proc only; `ps` lists zombies as processes). */
  live?: boolean | undefined;
  /**
   * When the process started (Linux: clock ticks after boot, /proc/<pid>/stat field 22): a pid that
   * shows another start time later belongs to another process.
   */
  startTime?: number | undefined;
}

/** A process table: from /proc (Linux) or parsed from `ps -A -o pid=,ppid=`. */
type ProcessTable = readonly ProcessEntry[];

/** Parses one /proc/<pid>/stat: the only reader of that format. Undefined for anything else. */
function parseStat(stat: string): ProcessEntry | undefined {
  // Format: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
  // stime cutime cstime priority nice threads itrealvalue starttime …; comm may hold spaces and ")".
  const close = stat.lastIndexOf(")");
  const pid = Number.parseInt(stat, 10);
  if (close === -1 || !Number.isInteger(pid)) return undefined;
  const fields = stat.slice(close + 2).split(" ", 20);
  const state = fields[0];
  return {
    pid,
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    live: state !== "Z" && state !== "X",
    startTime: Number(fields[19]),
  };
}

/** /proc/<pid>/stat of one process (Linux); undefined when it is gone. */
function readStat(pid: number | string): ProcessEntry | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return undefined; // The process ended (or /proc is not there).
  }
}

/** Every process from /proc (Linux): the only walk of /proc. Undefined when /proc cannot be listed. */
function procSnapshot(): ProcessEntry[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const table: ProcessEntry[] = [];
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    const stat = readStat(entry);
    if (stat) table.push(stat);
  }
  return table;
}

/** Parses "<pid> <ppid>" lines as `ps -A -o pid=,ppid=` prints them; other lines are skipped. */
function parsePsTable(text: string): ProcessEntry[] {
  const table: ProcessEntry[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (match) table.push({ pid: Number(match[1]), ppid: Number(match[2]) });
  }
  return table;
}

/**
 * Trees still running, killed synchronously if the host process exits without closing them (see
 * `ServerTree.track`).
 */
const liveTrees = new Set<ServerTree>();
let exitHookInstalled = false;

/**
 * Kills every tracked tree at once (SIGKILL), descendants in their own session included. For a host
 * that must stop now, such as a CLI after a second Ctrl+C or the host's exit; normal shutdown goes
 * through each transport's graceful close. Synchronous (it runs from exit handlers), bounded by one
 * read of the process table for all trees. Only processes that are still the ones seen are signalled
 * (see `ServerTree.prune`), and descendants are looked up only from servers still running.
 */
export function killAllTrees(): void {
  if (liveTrees.size === 0) return;
  const table = isWindows ? undefined : readProcessTableSync();
  for (const tree of liveTrees) tree.killNow(table);
}

/**
 * One server's process tree: its process group plus the descendants that left the group, found by
 * parent pid. Closing a server collects them before each step (stdin EOF, SIGTERM, SIGKILL) and
 * signals them with the group, so that a daemon the server started in its own session (`setsid`)
 * ends with it. Descendants are remembered once seen: after the server dies they are reparented and
 * can no longer be found from it. On Windows `taskkill /T` walks the tree itself, so nothing is
 * collected there.
 *
 * Every signal goes to a process known to be the one seen: a pid is freed when its process is
 * reaped and may be handed to an unrelated process later, so descendants that are gone (or, on
 * Linux, whose pid now shows another start time) are forgotten before each signal, the server's pid
 * is not walked from once it exited, and its group is not signalled once it was seen empty.
 */
export class ServerTree {
  /** Descendants seen so far and not yet seen gone, with their start time where known (group members included: signalling twice is harmless). */
  private readonly descendants = new Map<number, number | undefined>();
  /** False once the server (the group leader) exited: its pid may be reused. */
  private serverRunning = true;
  /** True once the group was seen without a live member: its id may be reused. */
  private groupGone = false;
  /**
   * The group member last found alive: checked first, so that waiting for a group whose leader is
   * gone (a wrapper killed, its child ignoring SIGTERM) does not walk /proc on every poll.
   */
  private groupMember: number | undefined;

  constructor(readonly pid: number) {}

  /** Descendants currently known (for diagnostics and tests). */
  get knownDescendants(): readonly number[] {
    return [...this.descendants.keys()];
  }

  /**
   * Registers the tree to be killed if the host exits (normally or by a signal) without closing its
   * clients. signal-exit re-raises the signal afterwards, so the host's own behaviour on Ctrl+C is
   * unchanged.
   */
  track(): void {
    liveTrees.add(this);
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    onExit(() => {
      killAllTrees();
      liveTrees.clear();
    });
  }

  /** Forgets the tree once it is gone. */
  untrack(): void {
    liveTrees.delete(this);
  }

  /** The server (the group leader) exited and was reaped: its pid is no longer walked from. */
  serverExited(): void {
    this.serverRunning = false;
  }

  /**
   * Adds the descendants the process table shows now. Without a running server only descendants
   * already known are walked from. Concurrent collections (of many servers closing at once) share
   * one read of the table. Never throws; when the table cannot be read, the group kill alone does
   * the work (said on the `NODE_DEBUG=mcp-tools` channel).
   */
  async collect(): Promise<void> {
    if (isWindows) return;
    this.prune();
    if (!this.serverRunning && this.descendants.size === 0) return;
    const table = await sharedProcessTable();
    if (table !== undefined) this.addDescendants(table);
  }

  /** True while the group or any known descendant is alive. */
  alive(): boolean {
    this.prune();
    return this.groupAlive() || this.descendants.size > 0;
  }

  /** Signals the group and every known descendant; true when any signal was delivered. Never throws. */
  signal(signal: NodeJS.Signals): boolean {
    this.prune();
    // Once the server exited, its group is signalled only while it still has live members.
    let delivered = (this.serverRunning || this.groupAlive()) && signalTree(this.pid, signal);
    if (!isWindows) for (const pid of this.descendants.keys()) if (signalPid(pid, signal)) delivered = true;
    return delivered;
  }

  /** `killAllTrees` for this tree, with the table read once for all trees (undefined: none). */
  killNow(table: ProcessTable | undefined): void {
    this.prune();
    if (table !== undefined && (this.serverRunning || this.descendants.size > 0)) this.addDescendants(table);
    this.signal("SIGKILL");
  }

  private addDescendants(table: ProcessTable): void {
    const roots = this.serverRunning ? [this.pid, ...this.descendants.keys()] : [...this.descendants.keys()];
    const byPid = new Map(table.map((entry) => [entry.pid, entry]));
    for (const pid of descendantsInTable(table, roots)) {
      if (!this.descendants.has(pid)) this.descendants.set(pid, byPid.get(pid)?.startTime);
    }
  }

  private groupAlive(): boolean {
    if (this.groupGone) return false;
    this.groupMember = liveGroupMember(this.pid, this.groupMember);
    if (this.groupMember !== undefined) return true;
    // An empty group's id is free; signalling it later could reach a new group with the same id.
    if (!this.serverRunning) this.groupGone = true;
    return false;
  }

  /**
   * Forgets descendants that are gone, or whose pid another process has by now (Linux: another
   * start time), so that a pid handed to a new process is never signalled. (Between this check and
   * the signal right after it a pid would have to be freed and reused, which takes the kernel's
   * whole pid range to wrap around.)
   */
  private prune(): void {
    for (const [pid, startTime] of this.descendants) {
      if (!pidAlive(pid, startTime)) this.descendants.delete(pid);
    }
  }
}

/**
 * The descendants of `roots` (children, their children, …) in a process table: entries, or
 * "<pid> <ppid>" lines as `ps -A -o pid=,ppid=` prints them (lines that are not two numbers are
 * skipped). The result never contains a root, pid 0 or 1, or `self` (this process: its other
 * children are other servers), and the walk does not continue below them. Pure, for tests.
 */
export function descendantsInTable(
  table: string | ProcessTable,
  roots: Iterable<number>,
  self: number = process.pid,
): number[] {
  const children = new Map<number, number[]>();
  for (const { pid, ppid } of typeof table === "string" ? parsePsTable(table) : table) {
    if (pid === ppid) continue;
    const siblings = children.get(ppid);
    if (siblings) siblings.push(pid);
    else children.set(ppid, [pid]);
  }
  // Walking from init (or the kernel's pid 0) would take in every process on the host.
  const queue = [...roots].filter((pid) => pid > 1 && pid !== self);
  const seen = new Set<number>(queue);
  const found: number[] = [];
  for (let index = 0; index < queue.length; index++) {
    for (const child of children.get(queue[index]!) ?? []) {
      if (seen.has(child) || child <= 1 || child === self) continue;
      seen.add(child);
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** The read that requests join until it starts; see `sharedProcessTable`. */
let nextRead: Promise<ProcessTable | undefined> | undefined;
/** The read under way (a `ps` run takes a while); a request now waits for the next one. */
let runningRead: Promise<unknown> | undefined;

/**
 * The process table, read once for every request made before the read starts: closing 100 servers at
 * once costs one read per shutdown step, not one `ps` run per server and step. A read that started
 * before a request never answers it (a descendant started since would be missing): a request made
 * while a read runs gets the next one, started when that one is done, so at most one runs at a time.
 */
function sharedProcessTable(): Promise<ProcessTable | undefined> {
  nextRead ??= new Promise((resolve) => {
    const start = (): void => {
      nextRead = undefined;
      const read = readProcessTable();
      runningRead = read;
      void read.then((table) => {
        if (runningRead === read) runningRead = undefined;
        resolve(table);
      });
    };
    // After this turn of the event loop, so that every close started in it joins the same read.
    const later = (): void => void setImmediate(start);
    if (runningRead) void runningRead.then(later);
    else later();
  });
  return nextRead;
}

/**
 * The process table: from /proc on Linux (no process to spawn; a few hundred small reads), else
 * from `ps` (macOS, or Linux without a readable /proc). Undefined when neither works.
 */
async function readProcessTable(): Promise<ProcessTable | undefined> {
  if (procReadable) {
    const table = procSnapshot();
    if (table !== undefined) return table;
  }
  const text = await new Promise<string | undefined>((resolve) => {
    const failed = (error: unknown): void => resolve(noTable(describePsFailure(error)));
    try {
      execFile(
        "ps",
        PS_ARGS,
        { timeout: PS_TIMEOUT_MS, maxBuffer: PS_MAX_BUFFER_BYTES, encoding: "latin1", windowsHide: true },
        (error, stdout) => (error ? failed(error) : resolve(stdout)),
      );
    } catch (error) {
      failed(error);
    }
  });
  return text === undefined ? undefined : parsePsTable(text);
}

/** `readProcessTable` for exit handlers, where nothing asynchronous runs any more. */
function readProcessTableSync(): ProcessTable | undefined {
  if (procReadable) {
    const table = procSnapshot();
    if (table !== undefined) return table;
  }
  try {
    const result = spawnSync("ps", PS_ARGS, {
      timeout: PS_TIMEOUT_MS,
      maxBuffer: PS_MAX_BUFFER_BYTES,
      encoding: "latin1",
      stdio: ["ignore", "pipe", "ignore"],
      windowsHide: true,
    });
    if (!result.error && result.status === 0) return parsePsTable(result.stdout);
    noTable(describePsFailure(result.error ?? `exit status ${result.status}`));
  } catch (error) {
    noTable(describePsFailure(error));
  }
  return undefined;
}

function describePsFailure(error: unknown): string {
  const { code, killed, signal } = (error ?? {}) as NodeJS.ErrnoException & {
    killed?: boolean;
    signal?: string | null;
  };
  if (code === "ENOENT") return "ps is not installed";
  if (killed || signal) return `ps did not finish within ${PS_TIMEOUT_MS} ms`;
  return `ps failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
}

function noTable(reason: string): undefined {
  debug(
    "%s; only process groups are signalled, so descendants of servers in their own session may survive",
    reason,
  );
  return undefined;
}

/** Sends `signal` to one process; false when it is gone or not ours. Never throws. */
function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * True while `pid` runs; a zombie (dead, waiting for its new parent to reap it) is not running, nor
 * (Linux) a process with another start time than `startTime`, when given: the pid was reused.
 */
function pidAlive(pid: number, startTime?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (!procReadable) return true;
  const stat = readStat(pid);
  return (
    stat !== undefined && stat.live === true && (startTime === undefined || stat.startTime === startTime)
  );
}

/** Whether spawns should start a new process group (POSIX only; Windows uses taskkill /T). */
export const SPAWN_DETACHED = !isWindows;

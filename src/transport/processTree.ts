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
 * its own session) is not reached by `kill(-pid)`. Those are found by parent pid (`ps`, one call for
 * the whole table) while their parent still runs: once it dies they are reparented to init (or a
 * subreaper) and the link to the server is gone.
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
 * confirmed from /proc, where zombies can be told apart. EPERM means members exist that we may not
 * signal: they are alive (confirmed the same way), and `signalTree` reports that it cannot reach them.
 */
export function treeAlive(pid: number): boolean {
  try {
    process.kill(isWindows ? pid : -pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform !== "linux") return true;
  return liveGroupMembers(pid) !== 0;
}

/** Number of non-zombie processes in process group `pgid`, read from /proc (Linux only). */
function liveGroupMembers(pgid: number): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return 1;
  }
  let live = 0;
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // The process ended while we looked.
    }
    // Format: pid (comm) state ppid pgrp …; comm may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") live++;
  }
  return live;
}

/**
 * Trees still running, killed synchronously if the host process exits without closing them: root pid
 * → the descendants outside its process group seen so far (see `ServerTree`).
 */
const liveTrees = new Map<number, ReadonlySet<number>>();
let exitHookInstalled = false;

/**
 * Remembers a spawned tree so that it is killed if the host exits (normally or by a signal) without
 * closing its clients. signal-exit re-raises the signal afterwards, so the host's own behaviour on
 * Ctrl+C is unchanged.
 */
export function trackTree(pid: number): void {
  if (!liveTrees.has(pid)) liveTrees.set(pid, new Set());
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  onExit(() => {
    killAllTrees();
    liveTrees.clear();
  });
}

/**
 * Kills every tracked tree at once (SIGKILL), descendants in their own session included. For a host
 * that must stop now, such as a CLI after a second Ctrl+C or the host's exit; normal shutdown goes
 * through each transport's graceful close. Synchronous (it runs from exit handlers), bounded by one
 * `ps` run for all trees.
 */
export function killAllTrees(): void {
  if (liveTrees.size === 0) return;
  const escaped = new Set<number>();
  for (const known of liveTrees.values()) for (const pid of known) escaped.add(pid);
  if (!isWindows) {
    const table = readProcessTableSync();
    if (table !== undefined) {
      for (const pid of descendantsInTable(table, [...liveTrees.keys(), ...escaped])) escaped.add(pid);
    }
  }
  for (const tree of liveTrees.keys()) signalTree(tree, "SIGKILL");
  for (const pid of escaped) signalPid(pid, "SIGKILL");
}

/** Forgets a tree once it is gone. */
export function untrackTree(pid: number): void {
  liveTrees.delete(pid);
}

/**
 * One server's process tree: its process group plus the descendants that left the group, found by
 * parent pid. Closing a server collects them before each step (stdin EOF, SIGTERM, SIGKILL) and
 * signals them with the group, so that a daemon the server started in its own session (`setsid`)
 * ends with it. Descendants are remembered once seen: after the server dies they are reparented and
 * can no longer be found from it. On Windows `taskkill /T` walks the tree itself, so nothing is
 * collected there.
 */
export class ServerTree {
  /** Descendants seen so far and not yet seen gone (group members included: signalling twice is harmless). */
  private readonly descendants = new Set<number>();

  constructor(readonly pid: number) {}

  /** Descendants currently known (for diagnostics and tests). */
  get knownDescendants(): readonly number[] {
    return [...this.descendants];
  }

  /**
   * Adds the descendants the process table shows now. `serverRunning` false means the server has
   * exited and been reaped: its pid may belong to another process already, so only descendants
   * already known are walked from. Never throws; when the table cannot be read, the group kill alone
   * does the work (said on the `NODE_DEBUG=mcp-tools` channel).
   */
  async collect(serverRunning: boolean): Promise<void> {
    if (isWindows) return;
    this.prune();
    const roots = serverRunning ? [this.pid, ...this.descendants] : [...this.descendants];
    if (roots.length === 0) return;
    const table = await readProcessTable(this.pid);
    if (table === undefined) return;
    for (const pid of descendantsInTable(table, roots)) this.descendants.add(pid);
    if (liveTrees.has(this.pid)) liveTrees.set(this.pid, this.descendants);
  }

  /** True while the group or any known descendant is alive. */
  alive(): boolean {
    this.prune();
    return treeAlive(this.pid) || this.descendants.size > 0;
  }

  /** Signals the group and every known descendant; true when any signal was delivered. Never throws. */
  signal(signal: NodeJS.Signals): boolean {
    let delivered = signalTree(this.pid, signal);
    if (!isWindows) for (const pid of this.descendants) if (signalPid(pid, signal)) delivered = true;
    return delivered;
  }

  /**
   * Forgets descendants that are gone, so that a pid handed to a new process later is never signalled.
   * (Between a check and the next signal a pid would have to be freed and reused, which takes the
   * kernel's whole pid range to wrap around.)
   */
  private prune(): void {
    for (const pid of this.descendants) if (!pidAlive(pid)) this.descendants.delete(pid);
  }
}

/**
 * The descendants of `roots` (children, their children, …) in a process table of "<pid> <ppid>"
 * lines, as `ps -A -o pid=,ppid=` prints them; lines that are not two numbers are skipped. The result
 * never contains a root, pid 0 or 1, or `self` (this process: its other children are other servers),
 * and the walk does not continue below them. Pure, for tests.
 */
export function descendantsInTable(
  table: string,
  roots: Iterable<number>,
  self: number = process.pid,
): number[] {
  const children = new Map<number, number[]>();
  for (const line of table.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s*$/.exec(line);
    if (!match) continue;
    const pid = Number(match[1]);
    const ppid = Number(match[2]);
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

/**
 * The process table as "<pid> <ppid>" lines: `ps` (Linux, macOS), or /proc on Linux when ps is
 * missing (slim container images ship without it) or fails. Undefined when neither works.
 */
function readProcessTable(server: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const fallback = (reason: string): void => resolve(tableWithoutPs(server, reason));
    try {
      execFile(
        "ps",
        PS_ARGS,
        { timeout: PS_TIMEOUT_MS, maxBuffer: PS_MAX_BUFFER_BYTES, encoding: "latin1", windowsHide: true },
        (error, stdout) => (error ? fallback(describePsFailure(error)) : resolve(stdout)),
      );
    } catch (error) {
      fallback(describePsFailure(error));
    }
  });
}

/** `readProcessTable` for exit handlers, where nothing asynchronous runs any more. */
function readProcessTableSync(): string | undefined {
  try {
    const result = spawnSync("ps", PS_ARGS, {
      timeout: PS_TIMEOUT_MS,
      maxBuffer: PS_MAX_BUFFER_BYTES,
      encoding: "latin1",
      stdio: ["ignore", "pipe", "ignore"],
      windowsHide: true,
    });
    if (!result.error && result.status === 0) return result.stdout;
    return tableWithoutPs(undefined, describePsFailure(result.error ?? `exit status ${result.status}`));
  } catch (error) {
    return tableWithoutPs(undefined, describePsFailure(error));
  }
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

function tableWithoutPs(server: number | undefined, reason: string): string | undefined {
  const whose = server === undefined ? "the tracked servers" : `server pid ${server}`;
  if (process.platform === "linux") {
    const table = procTable();
    if (table !== undefined) {
      debug("%s; read the process table from /proc instead to find the descendants of %s", reason, whose);
      return table;
    }
  }
  debug(
    "%s; only the process group of %s is signalled, so descendants in their own session may survive",
    reason,
    whose,
  );
  return undefined;
}

/** The process table from /proc (Linux), in the format of `ps -A -o pid=,ppid=`. */
function procTable(): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return undefined;
  }
  const lines: string[] = [];
  for (const entry of entries) {
    const first = entry.charCodeAt(0);
    if (first < 48 || first > 57) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      // Format: pid (comm) state ppid …; comm may contain spaces and parentheses.
      const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
      lines.push(`${entry} ${ppid}`);
    } catch {
      // The process ended while we looked.
    }
  }
  return lines.join("\n");
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

/** True while `pid` runs; a zombie (dead, waiting for its new parent to reap it) is not running. */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform !== "linux") return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Whether spawns should start a new process group (POSIX only; Windows uses taskkill /T). */
export const SPAWN_DETACHED = !isWindows;

import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

import { onExit } from "signal-exit";

/**
 * Killing a stdio server's whole process tree.
 *
 * Servers are often started through wrappers (`npx`, `uvx`, `sh -c`, `python -m`) whose child holds
 * the real server. Signalling only the direct child orphans the grandchild (typescript-sdk #2023).
 * On POSIX every server is spawned `detached`, so it leads its own process group and `kill(-pid)`
 * reaches the whole tree. On Windows `taskkill /T` walks the tree; it must run before the direct
 * child dies, or the tree can no longer be enumerated (execa's kill-descendants explains why).
 */

const isWindows = process.platform === "win32";

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

/** Trees still running, killed synchronously if the host process exits without closing them. */
const liveTrees = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a spawned tree so that it is killed if the host exits (normally or by a signal) without
 * closing its clients. signal-exit re-raises the signal afterwards, so the host's own behaviour on
 * Ctrl+C is unchanged.
 */
export function trackTree(pid: number): void {
  liveTrees.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  onExit(() => {
    for (const tree of liveTrees) signalTree(tree, "SIGKILL");
    liveTrees.clear();
  });
}

/**
 * Kills every tracked tree at once (SIGKILL). For a host that must stop now, such as a CLI after a
 * second Ctrl+C; normal shutdown goes through each transport's graceful close.
 */
export function killAllTrees(): void {
  for (const tree of liveTrees) signalTree(tree, "SIGKILL");
}

/** Forgets a tree once it is gone. */
export function untrackTree(pid: number): void {
  liveTrees.delete(pid);
}

/** Whether spawns should start a new process group (POSIX only; Windows uses taskkill /T). */
export const SPAWN_DETACHED = !isWindows;

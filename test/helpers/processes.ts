import { readdirSync, readFileSync } from "node:fs";

/** Process state letter from /proc (R, S, Z, …), or undefined when the process does not exist. */
function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live process. A zombie (dead, waiting to be reaped by its new parent) is not
 * alive: in containers PID 1 may reap orphans only every few seconds.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  if (process.platform !== "linux") return true;
  const state = procState(pid);
  return state !== undefined && state !== "Z" && state !== "X";
}

/** Live (non-zombie) processes whose parent is `ppid` (Linux). */
export function liveChildrenOf(ppid: number): number[] {
  if (process.platform !== "linux") return [];
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === ppid && fields[0] !== "Z" && fields[0] !== "X") children.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return children;
}

/** Reads a pid written by a fixture (PID_FILE). */
export function readPid(file: string): number {
  return Number(readFileSync(file, "utf8").trim());
}

/** Process group and session of a live process, from /proc (Linux); undefined elsewhere or when gone. */
export function groupAndSession(pid: number): { pgid: number; sid: number } | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // After "(comm)": state ppid pgrp session …
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { pgid: Number(fields[2]), sid: Number(fields[3]) };
  } catch {
    return undefined;
  }
}

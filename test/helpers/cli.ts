// Runs the built CLI, and other Node scripts, as a user would: a child process with piped output (not
// a TTY, so no colour and no redraws). What a file's `nodeRuns()` starts is tracked; its `cleanUp`
// (the file's afterEach) kills whatever is still running, so a failed test leaves no process behind,
// and fails the test when a process printed a Node warning (as test/helpers/setup.ts does for the
// test process itself).
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { expect } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** The built CLI (the integration tier runs after a build). */
export const CLI = join(root, "dist/cli/main.js");

/** How a run ended and everything it printed. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Added to this process's environment. */
  env?: Record<string, string>;
}

/** A process still running: its output so far is in `done` once it has closed. */
export interface Started {
  child: ChildProcess;
  done: Promise<Run>;
  /** Resolves once stderr contains `text` (bounded by the test's timeout). */
  stderrContains: (text: string) => Promise<void>;
  /** Resolves with the first match of `pattern` in stderr (bounded by the test's timeout). */
  stderrMatch: (pattern: RegExp) => Promise<RegExpExecArray>;
}

/**
 * The CLI's environment: colour variables set by the test runner are cleared (the CLI is not on a TTY
 * and must print no escape codes on its own).
 */
const CLI_ENV = { NO_COLOR: "", FORCE_COLOR: "" };

/** How Node prints a process warning on stderr: `(node:1234) MaxListenersExceededWarning: …`. */
const NODE_WARNING = /^\(node:\d+\) (?:\[\w+\] )?\w*Warning: .*$/gm;

export function nodeRuns() {
  const running = new Set<ChildProcess>();
  /** Node warnings the processes printed, each with the command that printed it. */
  const warnings: string[] = [];

  /** Starts `node ...args`. */
  function startNode(args: string[], options: RunOptions = {}): Started {
    const child = spawn(process.execPath, args, {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(child);
    let stdout = "";
    let stderr = "";
    const stderrWaiters: Array<() => boolean> = [];
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const waiter of [...stderrWaiters]) {
        if (waiter()) stderrWaiters.splice(stderrWaiters.indexOf(waiter), 1);
      }
    });
    const done = new Promise<Run>((resolveRun, reject) => {
      child.once("error", reject);
      child.once("close", (code) => {
        running.delete(child);
        for (const [line] of stderr.matchAll(NODE_WARNING)) warnings.push(`node ${args.join(" ")}: ${line}`);
        resolveRun({ code, stdout, stderr });
      });
    });
    /** Resolves with what `probe` finds in stderr, once it finds something. */
    const inStderr = <T>(probe: (text: string) => T | null) =>
      new Promise<T>((resolveFound) => {
        const check = (): boolean => {
          const found = probe(stderr);
          if (found !== null) resolveFound(found);
          return found !== null;
        };
        if (!check()) stderrWaiters.push(check);
      });
    return {
      child,
      done,
      stderrContains: async (text: string) => {
        await inStderr((all) => (all.includes(text) ? true : null));
      },
      stderrMatch: (pattern: RegExp) => inStderr((all) => pattern.exec(all)),
    };
  }

  /** Starts the built CLI with `args`. */
  function start(args: string[], options: RunOptions = {}): Started {
    return startNode([CLI, ...args], { ...options, env: { ...CLI_ENV, ...options.env } });
  }

  return {
    start,
    startNode,
    /** Runs the built CLI with `args` to its end. */
    run: (args: string[], options?: RunOptions): Promise<Run> => start(args, options).done,
    /** Runs `node ...args` to its end. */
    runNode: (args: string[], options?: RunOptions): Promise<Run> => startNode(args, options).done,
    /** Kills every process still running (SIGKILL); fails on the Node warnings they printed. */
    cleanUp: (): void => {
      for (const child of running) child.kill("SIGKILL");
      running.clear();
      expect(warnings.splice(0), "Node warnings printed by a process this test started").toEqual([]);
    },
  };
}

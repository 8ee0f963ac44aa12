import type { ChildProcess } from "node:child_process";

import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import spawn from "cross-spawn";

import { MAX_STDERR_LINE_CHARS, STDERR_LINES_IN_MESSAGES, STDERR_TAIL_BYTES } from "../config/defaults.js";
import type { ProcessExitInfo } from "../errors/errors.js";
import { MCPConnectionError } from "../errors/errors.js";
import { redactCommandLine } from "../errors/redact.js";
import { MAX_SERVER_TAIL_TEXT, sanitizeServerText } from "../errors/serverText.js";
import { LineFramer, MessageTooLargeError } from "./lineFramer.js";
import { localErrorData } from "./localErrors.js";
import { ServerTree, SPAWN_DETACHED } from "./processTree.js";
import { TailBuffer } from "./tailBuffer.js";
import { type ClientTransport, NO_TRANSPORT_DIAGNOSTICS, type TransportDiagnostics } from "./transport.js";

export interface StdioTransportOptions {
  /** The configured server name, for messages. */
  serverName: string;
  command: string;
  args: readonly string[];
  /** The complete child environment (already filtered by the security policy). */
  env: Readonly<Record<string, string>>;
  cwd?: string | undefined;
  maxMessageBytes: number;
  /** Milliseconds per shutdown step: stdin EOF → SIGTERM → SIGKILL. */
  shutdownGraceMs: number;
  /** Every complete line the server writes to stderr. */
  onStderrLine?: (line: string) => void;
  /** A stdout line that is not JSON (a server logging to stdout); it is skipped. */
  onNoise?: (line: string) => void;
}

/** How long to wait for the pipes to drain after the process exited (a grandchild may hold them open). */
const PIPE_DRAIN_AFTER_EXIT_MS = 100;
/** Poll interval while waiting for the rest of a process group to die (there is no event for it). */
const GROUP_POLL_MS = 20;
/** Bound on waiting for the exit event after SIGKILL. */
const KILL_WAIT_MS = 2_000;
/**
 * How long a closed stdout or a broken stdin waits for the process's exit before the connection is
 * failed as lost. A crashing process closes its pipes a moment before its exit is reported, and the
 * exit (code, signal) is the better report; a process that keeps running gets no further chance.
 */
const EXIT_AFTER_PIPE_CLOSED_MS = 200;

const resolved = Promise.resolve();

/**
 * stdio transport that owns the server's whole process tree.
 *
 * Written instead of the SDK's `StdioClientTransport` because that one signals only the direct child
 * (orphaning wrapped servers), lets unread stderr block the server or inherits it into the host
 * terminal, attaches no exit code or stderr to the errors pending requests get, writes every message
 * separately with a `drain` listener each, and waits on `close` (which a grandchild holding the pipes
 * can delay forever).
 */
export class StdioTransport implements ClientTransport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  private child: ChildProcess | undefined;
  /** The server's process group and the descendants that left it, for closing. */
  private tree: ServerTree | undefined;
  /** Set once stdout ended or stdin broke while the process ran: the connection is being failed. */
  private pipeClosed = false;
  private readonly framer: LineFramer;
  private readonly stderrTail = new TailBuffer(STDERR_TAIL_BYTES);
  private stderrPartial = "";
  private exit: { exitCode: number | null; signal: string | null } | undefined;
  private exitWaiters: Array<() => void> = [];
  private closePromise: Promise<void> | undefined;
  private closedNotified = false;
  private writeQueue: string[] = [];
  /** Bytes in `writeQueue`. */
  private queuedBytes = 0;
  private flushScheduled = false;
  private blocked = false;
  /** Why the connection ended, when it ended on its own (exit, oversize message, broken pipe). */
  private failure: MCPConnectionError | undefined;
  /** Lines on stdout that were not JSON. */
  noiseLines = 0;

  /** Bound on bytes queued or buffered for stdin (see `send`). */
  private readonly writeBufferLimit: number;

  constructor(private readonly options: StdioTransportOptions) {
    this.framer = new LineFramer(options.maxMessageBytes);
    this.writeBufferLimit = 2 * options.maxMessageBytes;
  }

  /** The server's pid, once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last lines the server wrote to stderr. */
  stderr(maxLines = STDERR_LINES_IN_MESSAGES): string {
    return this.stderrTail.text(maxLines);
  }

  lastStderr(maxLines: number): string {
    return this.stderr(maxLines);
  }

  diagnostics(): TransportDiagnostics {
    return {
      ...NO_TRANSPORT_DIAGNOSTICS,
      pid: this.pid,
      stdoutNoiseLines: this.noiseLines,
      stderrTail: shownStderrTail(this.stderr()),
    };
  }

  /** A lost server's process tree is still ended, after the loss was reported (so pending calls fail fast). */
  readonly closesAfterLoss = true;

  /** Exit facts once the process has exited. */
  get processInfo(): ProcessExitInfo | undefined {
    if (!this.exit) return undefined;
    return { ...this.exit, stderrTail: this.stderr(), pid: this.child?.pid };
  }

  /** Why the connection ended on its own, if it did. */
  get closeReason(): MCPConnectionError | undefined {
    return this.failure;
  }

  start(): Promise<void> {
    if (this.child) throw new Error("StdioTransport already started");
    const { command, args, env, cwd } = this.options;
    return new Promise<void>((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(command, [...args], {
          env: { ...env },
          cwd,
          stdio: ["pipe", "pipe", "pipe"],
          detached: SPAWN_DETACHED,
          windowsHide: true,
          shell: false,
        });
      } catch (error) {
        reject(this.spawnError(error));
        return;
      }
      this.child = child;
      let spawned = false;
      child.once("error", (error) => {
        if (!spawned) {
          this.exit = { exitCode: null, signal: null };
          this.failure = this.spawnError(error);
          this.releaseExitWaiters();
          reject(this.failure);
          return;
        }
        this.onerror?.(error);
      });
      child.once("spawn", () => {
        spawned = true;
        if (child.pid !== undefined) {
          this.tree = new ServerTree(child.pid);
          this.tree.track();
        }
        resolve();
      });
      child.once("exit", (exitCode, signal) => this.handleExit(exitCode, signal));
      child.stdout!.on("data", (chunk: Buffer) => this.handleStdout(chunk));
      child.stderr!.on("data", (chunk: Buffer) => this.handleStderr(chunk));
      // Without stdout no answer can arrive, and after a failed write (EPIPE: the server closed its
      // stdin) no request can be delivered: either way the connection is over, even if the process
      // keeps running. When the process is exiting instead, the exit handler reports the real reason.
      child.stdout!.on("end", () => this.handlePipeClosed("stdout"));
      child.stdout!.on("error", (error) => this.handlePipeClosed("stdout", error));
      child.stdin!.on("error", (error) => this.handlePipeClosed("stdin", error));
      child.stderr!.on("error", () => undefined);
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closePromise || this.exit || !this.child) {
      return Promise.reject(
        this.failure ??
          new MCPConnectionError(
            `Server "${this.options.serverName}" is not running (the connection is closed)`,
            {
              code: "CONNECTION_CLOSED",
              serverName: this.options.serverName,
              transportType: "stdio",
            },
          ),
      );
    }
    const line = JSON.stringify(message) + "\n";
    const bytes = Buffer.byteLength(line);
    const waiting = this.queuedBytes + (this.child.stdin?.writableLength ?? 0);
    // A server that stopped reading stdin would otherwise make us buffer every later message (and the
    // cancellations of the ones that timed out) without bound. The message is refused rather than the
    // connection failed: a server busy for a while resumes reading, and the waiting bytes drain. One
    // message is always accepted into an empty buffer, however large.
    if (waiting > 0 && waiting + bytes > this.writeBufferLimit) {
      return Promise.reject(
        new MCPConnectionError(
          `Server "${this.options.serverName}" is not reading its stdin: ${waiting} bytes of earlier messages are still waiting to be written, and this message would pass the ${this.writeBufferLimit}-byte limit (twice max_message_bytes). It was not sent; if the server stays stuck, reconnect() restarts it.`,
          {
            code: "CONNECTION_CLOSED",
            serverName: this.options.serverName,
            transportType: "stdio",
            context: { waitingBytes: waiting, messageBytes: bytes, limitBytes: this.writeBufferLimit },
          },
        ),
      );
    }
    // Messages sent in the same tick go out in one write: a burst of calls costs one syscall, and
    // back-pressure is handled once (a single `drain` wait) instead of per message.
    this.writeQueue.push(line);
    this.queuedBytes += bytes;
    if (!this.flushScheduled && !this.blocked) {
      this.flushScheduled = true;
      queueMicrotask(this.flush);
    }
    return resolved;
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const stdin = this.child?.stdin;
    if (!stdin || this.blocked || this.writeQueue.length === 0 || stdin.destroyed || stdin.writableEnded)
      return;
    const data = this.writeQueue.length === 1 ? this.writeQueue[0]! : this.writeQueue.join("");
    this.writeQueue = [];
    this.queuedBytes = 0;
    if (!stdin.write(data)) {
      this.blocked = true;
      stdin.once("drain", () => {
        this.blocked = false;
        if (this.writeQueue.length > 0) this.flush();
      });
    }
  };

  close(): Promise<void> {
    this.closePromise ??= this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    const child = this.child;
    // Closed before the "spawn" event: the pid is known already.
    if (child?.pid !== undefined) this.tree ??= new ServerTree(child.pid);
    const tree = this.tree;
    const grace = this.options.shutdownGraceMs;
    if (child && tree) {
      // Descendants that left the process group (a daemon in its own session) are found by parent pid,
      // which only works while their parent runs: collected before each step, since each step may end
      // the server and orphan them. Closes running at the same time share each read of the table.
      if (!this.exit) await tree.collect();
      // 1. Polite: end stdin, which MCP servers treat as "shut down".
      this.flush();
      child.stdin?.end();
      await this.waitForExit(grace);
      // 2. SIGTERM the whole tree (wrappers' children included), then 3. SIGKILL it. A tree the
      // signal cannot reach (EPERM) is not waited for: nothing we do will end it.
      if (tree.alive()) {
        await tree.collect();
        if (tree.signal("SIGTERM")) await this.waitForTreeExit(tree, grace);
      }
      if (tree.alive()) {
        await tree.collect();
        // The wrapper may already be gone; wait for the whole tree (its orphaned children) to die.
        if (tree.signal("SIGKILL")) await this.waitForTreeExit(tree, KILL_WAIT_MS);
      }
      tree.untrack();
    }
    this.destroyPipes();
    this.notifyClosed();
  }

  private handleStdout(chunk: Buffer): void {
    // After a failure (an oversized message) the rest of the stream cannot be framed: the tail of
    // that message would be reported as stdout noise, its content included.
    if (this.failure) return;
    try {
      this.framer.push(chunk, (framed) => {
        if (framed.kind === "message") {
          // A consumer that throws on one message (the SDK overflowing the stack on a deeply nested
          // one) must not become an uncaught exception of this data handler: the message is dropped.
          try {
            this.onmessage?.(framed.message);
          } catch (error) {
            this.onerror?.(
              new MCPConnectionError(
                `Server "${this.options.serverName}" sent a message that could not be processed (${error instanceof RangeError ? error.message : "the client's handler failed"}); it was dropped`,
                { code: "PROTOCOL_ERROR", serverName: this.options.serverName, transportType: "stdio" },
              ),
            );
          }
        } else if (framed.kind === "noise") {
          this.noiseLines++;
          // Raw bytes of a hostile or broken server: no escape codes or secrets reach the warning.
          this.options.onNoise?.(sanitizeServerText(framed.line));
        } else {
          this.handleInvalid(framed.line, framed.reason);
        }
      });
    } catch (error) {
      if (!(error instanceof MessageTooLargeError)) throw error;
      this.fail(
        new MCPConnectionError(
          `Server "${this.options.serverName}" sent a message larger than ${error.limit} bytes; the connection was closed. Raise max_message_bytes if the server really sends such messages.`,
          {
            code: "MESSAGE_TOO_LARGE",
            serverName: this.options.serverName,
            transportType: "stdio",
            context: { maxMessageBytes: error.limit },
          },
        ),
      );
    }
  }

  /**
   * Valid JSON that is not JSON-RPC. If it is a response (an id and no method) for one of our
   * requests, that request gets a local PROTOCOL_ERROR instead of waiting for its timeout; otherwise it
   * is reported and the connection kept. A malformed request from the server carries an id of the
   * server's own numbering, which must not fail our request that happens to have the same id.
   */
  private handleInvalid(line: string, reason: string): void {
    let parsed: { id?: unknown; method?: unknown } | undefined;
    try {
      const value = JSON.parse(line) as unknown;
      parsed = typeof value === "object" && value !== null ? (value as typeof parsed) : undefined;
    } catch {
      parsed = undefined;
    }
    const id = parsed && !("method" in parsed) ? parsed.id : undefined;
    const message = `Server "${this.options.serverName}" sent an invalid JSON-RPC message (${reason})`;
    if (typeof id === "string" || typeof id === "number") {
      this.onmessage?.({
        jsonrpc: "2.0",
        id,
        error: { code: -32603, message, data: localErrorData({ code: "PROTOCOL_ERROR" }) },
      });
      return;
    }
    this.onerror?.(
      new MCPConnectionError(message, {
        code: "PROTOCOL_ERROR",
        serverName: this.options.serverName,
        transportType: "stdio",
      }),
    );
  }

  private handleStderr(chunk: Buffer): void {
    this.stderrTail.push(chunk);
    const onLine = this.options.onStderrLine;
    if (!onLine) return;
    const text = this.stderrPartial + chunk.toString("utf8");
    const lines = text.split(/\r?\n/);
    this.stderrPartial = lines.pop() ?? "";
    if (this.stderrPartial.length > MAX_STDERR_LINE_CHARS) {
      lines.push(this.stderrPartial);
      this.stderrPartial = "";
    }
    for (const line of lines) if (line) onLine(line);
  }

  private handleExit(exitCode: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { exitCode, signal };
    // Reaped: its pid is free for another process and is no longer walked from.
    this.tree?.serverExited();
    this.releaseExitWaiters();
    // A connection failed for a closed pipe while the process still ran: how it ended after all
    // (a crash that took longer than EXIT_AFTER_PIPE_CLOSED_MS, or the teardown) completes the report.
    const lost = this.failure?.code === "CONNECTION_CLOSED" ? this.failure.process : undefined;
    if (this.pipeClosed && lost !== undefined && lost.exitCode === null && lost.signal === null) {
      lost.exitCode = exitCode;
      lost.signal = signal;
    }
    if (this.closePromise) return;
    // The server went away on its own. Report it once the pipes drained; the report ends what is left
    // of the tree (a wrapper's children, descendants seen earlier) through the same shutdown as close().
    const pid = this.child?.pid;
    void this.afterPipesDrained().then(() => {
      if (this.closePromise || this.closedNotified) return;
      const info = this.processInfo!;
      const how = signal ? `was killed by ${signal}` : `exited with code ${exitCode}`;
      this.fail(
        new MCPConnectionError(
          `Server "${this.options.serverName}" ${how}.${stderrTailText(info.stderrTail)}\nCheck the server's command and configuration; it is restarted by reconnect().`,
          {
            code: "PROCESS_EXITED",
            serverName: this.options.serverName,
            transportType: "stdio",
            process: info,
            context: { exitCode, signal, pid },
          },
        ),
      );
    });
  }

  /**
   * Ends the connection because of `error`: reports it, reports the transport closed at once (which
   * fails every pending request with `error`, through the client), and ends the process tree in the
   * background. Pending requests must not wait for that: ending a server that ignores stdin EOF and
   * SIGTERM takes two shutdown grace periods. `close()` returns the same teardown, so whoever closes
   * the transport still waits until the tree is gone.
   */
  private fail(error: MCPConnectionError): void {
    if (this.failure || this.closedNotified) return;
    this.failure = error;
    this.onerror?.(error);
    this.closePromise ??= this.shutdown();
    this.notifyClosed();
  }

  /**
   * stdout ended, or a write to stdin failed, while the connection was open. A crashing process closes
   * its pipes just before its exit is reported: give the exit a moment (`handleExit` then reports the
   * exit code and stderr). A process that is still running after that has lost the connection all
   * the same, and is stopped like a crashed one.
   */
  private handlePipeClosed(pipe: "stdout" | "stdin", error?: Error): void {
    if (this.pipeClosed || this.closePromise || this.exit || this.failure) return;
    this.pipeClosed = true;
    void this.waitForExit(EXIT_AFTER_PIPE_CLOSED_MS).then(() => {
      if (this.closePromise || this.exit || this.failure) return;
      const pid = this.child?.pid;
      const errno = (error as NodeJS.ErrnoException | undefined)?.code;
      const what =
        pipe === "stdout"
          ? "closed its stdout while still running, so no answer can arrive"
          : `closed its stdin while still running (writing to it failed${errno ? ` with ${errno}` : ""}), so no request can reach it`;
      const stderrTail = this.stderr();
      this.fail(
        new MCPConnectionError(
          `Server "${this.options.serverName}" (pid ${pid}) ${what}; the connection was closed and the server is being stopped.${stderrTailText(stderrTail)}\nAn MCP stdio server must keep stdin and stdout open; it is restarted by reconnect().`,
          {
            code: "CONNECTION_CLOSED",
            serverName: this.options.serverName,
            transportType: "stdio",
            cause: error,
            process: { exitCode: null, signal: null, stderrTail, pid },
            context: { pipe, pid, errno },
          },
        ),
      );
    });
  }

  /** Waits (bounded) until stdout and stderr ended, so the last messages and stderr lines are in. */
  private afterPipesDrained(): Promise<void> {
    const child = this.child;
    if (!child) return resolved;
    const ended = [child.stdout, child.stderr].map(
      (stream) =>
        new Promise<void>((resolve) => {
          if (!stream || stream.readableEnded || stream.destroyed) resolve();
          else stream.once("end", resolve).once("close", resolve);
        }),
    );
    return raceTimeout(
      Promise.all(ended).then(() => undefined),
      PIPE_DRAIN_AFTER_EXIT_MS,
    );
  }

  private waitForExit(ms: number): Promise<void> {
    if (this.exit) return resolved;
    return raceTimeout(new Promise<void>((resolve) => this.exitWaiters.push(resolve)), ms);
  }

  private releaseExitWaiters(): void {
    const waiters = this.exitWaiters;
    this.exitWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async waitForTreeExit(tree: ServerTree, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    await this.waitForExit(Math.min(ms, GROUP_POLL_MS));
    while (tree.alive() && Date.now() < deadline) {
      await delay(GROUP_POLL_MS);
    }
  }

  private destroyPipes(): void {
    const child = this.child;
    if (!child) return;
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
    this.framer.clear();
    this.writeQueue = [];
    this.queuedBytes = 0;
  }

  private notifyClosed(): void {
    if (this.closedNotified) return;
    this.closedNotified = true;
    this.onclose?.();
  }

  private spawnError(error: unknown): MCPConnectionError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const { command, args, cwd, serverName } = this.options;
    // Node attaches the whole argv to spawn errors; printed with the error's cause it would show secrets.
    if (typeof error === "object" && error !== null && "spawnargs" in error) {
      (error as { spawnargs: unknown }).spawnargs = redactCommandLine(args);
    }
    const hint =
      code === "ENOENT"
        ? cwd
          ? `check that "${command}" is installed and on PATH, and that the working directory "${cwd}" exists`
          : `check that "${command}" is installed and on PATH (on Windows, npx/uvx shims need their .cmd name or an absolute path)`
        : code === "EACCES"
          ? `check that "${command}" is executable`
          : "check the command and its arguments";
    return new MCPConnectionError(
      `Could not start server "${serverName}": ${String((error as Error)?.message ?? error)}; ${hint}.`,
      {
        code: "SPAWN_FAILED",
        serverName,
        transportType: "stdio",
        cause: error,
        context: { command, errno: code },
      },
    );
  }
}

/**
 * The stderr tail as the end of a message (every report that shows it): its last
 * `MAX_SERVER_TAIL_TEXT` characters, escape codes and secrets removed. The tail kept is up to
 * `STDERR_TAIL_BYTES`; a message is for people and logs.
 */
function stderrTailText(tail: string): string {
  return tail ? `\nLast stderr lines:\n${shownStderrTail(tail)}` : " (it wrote nothing to stderr)";
}

/** A stderr tail as it may be shown (messages, diagnostics): its end, escape codes and secrets removed. */
export function shownStderrTail(tail: string): string {
  return sanitizeServerText(tail, MAX_SERVER_TAIL_TEXT, "end");
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves when `promise` settles or after `ms`, whichever comes first; the timer never outlives it. */
function raceTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

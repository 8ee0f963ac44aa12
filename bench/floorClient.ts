import { type ChildProcess, spawn } from "node:child_process";

import type { StdioTarget } from "./targets.js";

interface Pending {
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/**
 * The floor: the least a client can do over stdio. Spawn, write newline-delimited JSON-RPC, split
 * stdout on newlines, correlate responses by id. No validation, timeouts, back-pressure handling or
 * process-tree care; a library can only add cost on top of this.
 */
export class FloorClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = "";
  private exited: Promise<void>;
  capabilities: Record<string, unknown> = {};

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.onData(chunk));
    child.once("exit", () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error("server exited"));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Spawns the server and performs `initialize` + `notifications/initialized`. */
  static async start(target: StdioTarget): Promise<FloorClient> {
    const child = spawn(target.command, target.args, {
      stdio: ["pipe", "pipe", "ignore"],
      env: { PATH: process.env.PATH ?? "", ...target.env },
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    const client = new FloorClient(child);
    const init = await client.request("initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name: "floor", version: "0.0.0" },
    });
    client.capabilities = (init.capabilities as Record<string, unknown> | undefined) ?? {};
    client.notify("notifications/initialized");
    return client;
  }

  request(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", id, method, params })}\n`);
    });
  }

  notify(method: string): void {
    this.child.stdin!.write(`${JSON.stringify({ jsonrpc: "2.0", method })}\n`);
  }

  /** Lists every page of `method` (tools/list, resources/list…), as discovery does. */
  async listAll(method: string, key: string): Promise<unknown[]> {
    const items: unknown[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(method, cursor === undefined ? {} : { cursor });
      items.push(...((page[key] as unknown[] | undefined) ?? []));
      cursor = typeof page.nextCursor === "string" ? page.nextCursor : undefined;
    } while (cursor !== undefined);
    return items;
  }

  async callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.request("tools/call", { name, arguments: args });
  }

  /** stdin EOF, then SIGTERM after `graceMs`, then SIGKILL after another `graceMs`. */
  async close(graceMs = 2_000): Promise<void> {
    const child = this.child;
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin!.end();
      if (!(await within(this.exited, graceMs))) {
        child.kill("SIGTERM");
        if (!(await within(this.exited, graceMs))) {
          child.kill("SIGKILL");
          await this.exited;
        }
      }
    }
    child.stdout!.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline = this.buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      newline = this.buffer.indexOf("\n");
      if (line.trim() === "") continue;
      const message = JSON.parse(line) as {
        id?: number;
        result?: Record<string, unknown>;
        error?: { message: string };
      };
      if (typeof message.id !== "number") continue;
      const waiter = this.pending.get(message.id);
      if (!waiter) continue;
      this.pending.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error.message));
      else waiter.resolve(message.result ?? {});
    }
  }
}

/** True when `promise` settled within `ms`. */
function within(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The repository root (the package's own package.json, found through its self-reference). */
export const ROOT = dirname(require.resolve("mcp-tools/package.json"));
export const EVERYTHING_SERVER = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");
export const DEMO_SERVER = join(ROOT, "dist/demo/main.js");
export const FAULT_SERVER = join(ROOT, "test/fixtures/faultServer.mjs");

/** A server started by the client over stdio. */
export interface StdioTarget {
  kind: "stdio";
  /** Short name for tables: `everything`, `demo`, `fixture`… */
  server: string;
  command: string;
  args: string[];
  /** Extra environment for the server (on top of the minimal one each client passes). */
  env: Record<string, string>;
}

/** A server already listening on 127.0.0.1, reached over streamable HTTP. */
export interface HttpTarget {
  kind: "http";
  server: string;
  url: string;
}

export type Target = StdioTarget | HttpTarget;

export function everythingStdio(): StdioTarget {
  return {
    kind: "stdio",
    server: "everything",
    command: process.execPath,
    args: [EVERYTHING_SERVER, "stdio"],
    env: {},
  };
}

export function demoStdio(extraArgs: string[] = []): StdioTarget {
  return {
    kind: "stdio",
    server: "demo",
    command: process.execPath,
    args: [DEMO_SERVER, ...extraArgs],
    env: {},
  };
}

/** The fault fixture (test/fixtures/faultServer.mjs) in `mode`; "ok" is a minimal, correct server. */
export function fixtureStdio(mode: string, server = "fixture"): StdioTarget {
  return { kind: "stdio", server, command: process.execPath, args: [FAULT_SERVER], env: { MODE: mode } };
}

/** A running HTTP server and how to stop it. */
export interface HttpServer {
  target: HttpTarget;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/** server-everything over streamable HTTP. It cannot take port 0 (its ready line would say 0), so a free port is picked and retried. */
export async function startEverythingHttp(): Promise<HttpServer> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const port = await freePort();
    // Its HTTP mode logs every request to stdout: nothing reads it, so it goes nowhere.
    const child = spawn(process.execPath, [EVERYTHING_SERVER, "streamableHttp"], {
      env: { ...process.env, PORT: String(port) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const outcome = await waitForLine(child, (text) =>
      text.includes(`listening on port ${port}`)
        ? "ready"
        : /in use|EADDRINUSE/.test(text)
          ? "taken"
          : undefined,
    );
    if (outcome === "ready") {
      return {
        target: { kind: "http", server: "everything", url: `http://127.0.0.1:${port}/mcp` },
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
  }
  throw new Error("server-everything (HTTP) found no free port in 5 attempts");
}

/** The bundled demo server over streamable HTTP on a free port (it prints its real address). */
export async function startDemoHttp(): Promise<HttpServer> {
  const child = spawn(process.execPath, [DEMO_SERVER, "http", "--port", "0"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let url: string | undefined;
  await waitForLine(child, (text) => {
    url = /listening on (http:\/\/\S+\/mcp)/.exec(text)?.[1];
    return url ? "ready" : undefined;
  });
  if (!url) throw new Error("demo server (HTTP) printed no address");
  return { target: { kind: "http", server: "demo", url }, stop: () => stopChild(child) };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Reads the child's stderr until `decide` returns an outcome; rejects if it exits or takes too long. */
function waitForLine<T extends string>(
  child: ChildProcess,
  decide: (text: string) => T | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`server did not start within ${START_TIMEOUT_MS} ms: ${text.slice(-300)}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const outcome = decide(text);
      if (outcome !== undefined) {
        cleanup();
        // Keep draining stderr so a chatty server never blocks on a full pipe.
        child.stderr?.resume();
        resolve(outcome);
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      const outcome = decide(text);
      if (outcome !== undefined) resolve(outcome);
      else reject(new Error(`server exited with ${code} before it was ready: ${text.slice(-300)}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

/** SIGTERM, then SIGKILL after 3 s; resolves once the process is gone. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
  child.stderr?.destroy();
}

/** True while `pid` exists and is not a zombie. */
export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return process.platform !== "linux";
  }
}

/** Live (non-zombie) child processes of this process, from /proc (Linux; empty elsewhere). */
export function liveChildren(): number[] {
  if (process.platform !== "linux") return [];
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "latin1");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === process.pid && fields[0] !== "Z" && fields[0] !== "X")
        children.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return children;
}

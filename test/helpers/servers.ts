import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { ServerConfigInput } from "../../src/config/types.js";
import { within } from "./async.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const require = createRequire(import.meta.url);

/** The built demo server (the test command builds before running tests). */
export const DEMO_SERVER = join(root, "dist/demo/main.js");
/** The stdio fault-injection fixture. */
export const FAULT_SERVER = join(root, "test/fixtures/faultServer.mjs");
/** `@modelcontextprotocol/server-everything` (current layout) and the 2025.12.18 layout (pagination). */
export const EVERYTHING_SERVER = require.resolve("@modelcontextprotocol/server-everything/dist/index.js");
export const EVERYTHING_LEGACY_SERVER = join(
  dirname(require.resolve("everything-legacy/package.json")),
  "dist/index.js",
);

/** A stdio config that runs the demo server with this Node binary. */
export function demoStdio(overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return { name: "demo", type: "stdio", command: process.execPath, args: [DEMO_SERVER], ...overrides };
}

/** A stdio config that runs the fault fixture in `mode` (see test/fixtures/faultServer.mjs). */
export function faultStdio(
  mode: string,
  overrides: Partial<ServerConfigInput> & { fixtureEnv?: Record<string, string> } = {},
): ServerConfigInput {
  const { fixtureEnv, ...rest } = overrides;
  return {
    name: "fault",
    type: "stdio",
    command: process.execPath,
    args: [FAULT_SERVER],
    env: { MODE: mode, ...fixtureEnv },
    shutdown_grace: 0.2,
    ...rest,
  };
}

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = "mcp-tools-test-"): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** server-everything running over streamable HTTP (a child process). */
export interface Everything {
  url: string;
  port: number;
  child: ChildProcess;
}

/** A port nothing listens on right now (it may be taken before it is used; callers retry). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Starts server-everything over streamable HTTP on `port` (or a free one). It cannot take port 0
 * (its ready line would say 0), so without a port a free one is picked and the start retried when
 * another process took it first.
 */
export async function startEverything(port?: number): Promise<Everything> {
  for (let attempt = 1; attempt <= 5; attempt++) {
    const chosen = port ?? (await freePort());
    const child = spawn(process.execPath, [EVERYTHING_SERVER, "streamableHttp"], {
      env: { ...process.env, PORT: String(chosen) },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    const outcome = await within(
      15_000,
      new Promise<"ready" | "port-taken">((resolve, reject) => {
        child.stderr!.on("data", (chunk: Buffer) => {
          stderr += chunk.toString("utf8");
          if (stderr.includes(`listening on port ${chosen}`)) resolve("ready");
        });
        child.once("error", reject);
        child.once("exit", (code) => {
          if (/in use|EADDRINUSE/.test(stderr) && port === undefined) resolve("port-taken");
          else reject(new Error(`server-everything exited with ${code}: ${stderr.slice(-500)}`));
        });
      }),
      "server-everything starting",
    );
    if (outcome === "ready") return { url: `http://127.0.0.1:${chosen}/mcp`, port: chosen, child };
  }
  throw new Error("server-everything could not find a free port in 5 attempts");
}

export async function stopEverything(server: Everything): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await within(5_000, exited, "server-everything exiting");
}

import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { ServerConfigInput } from "../../src/config/types.js";

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

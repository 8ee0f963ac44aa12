import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { ServerConfigInput } from "../config/types.js";
import { MCPConfigurationError } from "../errors/errors.js";

/** Files looked for, in order, when no --config is given. */
export const DISCOVERED_FILES = ["mcp.json", ".mcp.json", ".vscode/mcp.json"] as const;

/** The built demo server that ships with the package (dist/demo/main.js next to dist/cli/). */
export const BUNDLED_DEMO_SERVER = resolve(dirname(fileURLToPath(import.meta.url)), "../demo/main.js");

/**
 * The demo server's own runtime: optional peer dependencies in package.json, so that library users do
 * not install a server SDK and an HTTP framework they never run. A clone (`npm ci`) has them as dev
 * dependencies.
 */
export const DEMO_PACKAGES = ["@modelcontextprotocol/server", "@modelcontextprotocol/node"] as const;

/**
 * Throws a config error that says what to install when the demo server's packages are missing, before
 * anything is spawned (the demo would otherwise die with Node's own "Cannot find package").
 */
export function requireDemoPackages(isInstalled: (name: string) => boolean = isResolvable): void {
  const missing = DEMO_PACKAGES.filter((name) => !isInstalled(name));
  if (missing.length === 0) return;
  const { peerDependencies = {} } = createRequire(import.meta.url)("../../package.json") as {
    peerDependencies?: Record<string, string>;
  };
  const install = missing.map((name) => `${name}@${peerDependencies[name] ?? "latest"}`).join(" ");
  throw new MCPConfigurationError(
    `The bundled demo server needs ${missing.join(" and ")}, which mcp-tools does not install (the demo server's packages are optional dependencies). Install ${missing.length === 1 ? "it" : "them"} to run the demo (npm install ${install}), or pass --config <file> (or put an mcp.json here) to use your own servers.`,
    { context: { missing } },
  );
}

/**
 * Whether Node would find package `name` from here (and so from dist/demo/, which shares the folders it
 * searches): a `node_modules/<name>/package.json` on the lookup path. Independent of the package's
 * `exports` conditions and of `import.meta.resolve` (unflagged only from Node 20.6).
 */
function isResolvable(name: string): boolean {
  const folders = createRequire(import.meta.url).resolve.paths(name) ?? [];
  return folders.some((folder) => existsSync(join(folder, name, "package.json")));
}

/** Where the CLI's servers come from. */
export type ConfigSource =
  { kind: "file"; path: string; discovered: boolean } | { kind: "demo"; servers: ServerConfigInput[] };

/** The bundled demo server as a stdio config, run with this Node binary. */
export function demoServerConfig(): ServerConfigInput {
  return {
    name: "demo",
    type: "stdio",
    command: process.execPath,
    args: [BUNDLED_DEMO_SERVER],
    description: "the demo server bundled with mcp-tools",
  };
}

/**
 * `--config FILE` wins; otherwise the first of ./mcp.json, ./.mcp.json, ./.vscode/mcp.json that
 * exists; otherwise the bundled demo server, so `npx mcp-tools list` works anywhere.
 */
export function resolveConfigSource(explicit: string | undefined, cwd = process.cwd()): ConfigSource {
  if (explicit !== undefined) return { kind: "file", path: resolve(cwd, explicit), discovered: false };
  for (const candidate of DISCOVERED_FILES) {
    const path = join(cwd, candidate);
    if (existsSync(path)) return { kind: "file", path, discovered: true };
  }
  return { kind: "demo", servers: [demoServerConfig()] };
}

/** One line telling the user which config is in use. */
export function describeSource(source: ConfigSource, cwd = process.cwd()): string {
  if (source.kind === "demo") {
    return `No config given and none found (${DISCOVERED_FILES.map((f) => `./${f}`).join(", ")}); using the bundled demo server.`;
  }
  const shown = source.path.startsWith(`${cwd}/`) ? `./${source.path.slice(cwd.length + 1)}` : source.path;
  return source.discovered
    ? `Using config ${shown} (found in the current directory).`
    : `Using config ${shown}.`;
}

#!/usr/bin/env node
/**
 * Entry point of the bundled demo MCP server:
 *
 *     node dist/demo/main.js [stdio|http|sse] [--port N] [--host H] [--tools N]
 *
 * stdio (the default) speaks MCP on stdin/stdout, so nothing else may ever reach stdout; it exits
 * when stdin ends. http and sse start the same HTTP host (Streamable HTTP at /mcp, legacy SSE at
 * /sse) and print one ready line with the real address to stderr; the mode only picks which
 * endpoint that line names. Every mode exits with code 0 on SIGTERM and SIGINT.
 */
import { parseArgs } from "node:util";

import { StdioServerTransport } from "@modelcontextprotocol/server/stdio";

import { createDemoServer, MAX_EXTRA_TOOLS } from "./demoServer.js";
import { startDemoHttpServer } from "./httpHost.js";

const USAGE = `Usage: node dist/demo/main.js [stdio|http|sse] [options]

Runs the mcp-tools demo MCP server.

Transports:
  stdio          MCP over stdin/stdout (default); exits when stdin closes
  http           Streamable HTTP at http://HOST:PORT/mcp (legacy SSE at /sse too)
  sse            the same server, announcing the legacy HTTP+SSE endpoint /sse

Options:
  --port N       port for http/sse (default 0: a free port, printed on stderr)
  --host H       interface for http/sse (default 127.0.0.1)
  --tools N      register N extra tools tool_0001... (default 0, max ${MAX_EXTRA_TOOLS})
  -h, --help     show this help
`;

/** How long a shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 3_000;

type Mode = "stdio" | "http" | "sse";

interface CliOptions {
  mode: Mode;
  host: string | undefined;
  port: number | undefined;
  tools: number;
}

class UsageError extends Error {}

function parseCli(argv: string[]): CliOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        tools: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true) return "help";
  if (positionals.length > 1)
    throw new UsageError(`Expected at most one transport, got: ${positionals.join(" ")}`);

  const mode = positionals[0] ?? "stdio";
  if (mode !== "stdio" && mode !== "http" && mode !== "sse") {
    throw new UsageError(`Unknown transport "${mode}" (expected stdio, http or sse)`);
  }
  if (mode === "stdio" && (values.port !== undefined || values.host !== undefined)) {
    throw new UsageError("--port and --host only apply to the http and sse transports");
  }
  const port = values.port === undefined ? undefined : parseInteger("--port", values.port, 0, 65_535);
  const tools = values.tools === undefined ? 0 : parseInteger("--tools", values.tools, 0, MAX_EXTRA_TOOLS);
  if (values.host === "") throw new UsageError("--host must not be empty");
  return { mode, host: values.host, port, tools };
}

function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer between ${min} and ${max}, got "${text}"`);
  }
  return value;
}

/**
 * Runs `cleanup` once, then lets the process exit on its own so pending stdout/stderr writes are
 * flushed. The unref'd timer only fires if something still holds the event loop after cleanup —
 * a leak, reported as such (exit code 1) rather than hidden behind a clean exit.
 */
function onceShutdown(cleanup: () => Promise<void>): (exitCode: number) => void {
  let started = false;
  return (exitCode) => {
    if (started) return;
    started = true;
    process.exitCode = exitCode;
    setTimeout(() => {
      process.stderr.write(
        `mcp-tools demo server: still running ${SHUTDOWN_GRACE_MS} ms after shutdown, exiting\n`,
      );
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    cleanup().catch((error: unknown) => {
      process.stderr.write(`mcp-tools demo server: shutdown failed: ${String(error)}\n`);
      process.exit(1);
    });
  };
}

function exitOnSignals(shutdown: (exitCode: number) => void): void {
  // A handled signal counts as a clean stop: exit code 0, not 128 + signal.
  process.once("SIGTERM", () => shutdown(0));
  process.once("SIGINT", () => shutdown(0));
}

async function serveStdio(tools: number): Promise<void> {
  const server = createDemoServer({ tools });
  const shutdown = onceShutdown(() => server.close());
  // The stdio transport closes itself at stdin EOF, which is how clients ask a server to exit.
  server.server.onclose = () => shutdown(0);
  exitOnSignals(shutdown);
  await server.connect(new StdioServerTransport());
}

async function serveHttp(options: CliOptions): Promise<void> {
  const host = await startDemoHttpServer({ host: options.host, port: options.port, tools: options.tools });
  exitOnSignals(onceShutdown(() => host.close()));
  const url = options.mode === "sse" ? host.sseUrl : host.url;
  process.stderr.write(`mcp-tools demo server listening on ${url}\n`);
}

async function main(argv: string[]): Promise<void> {
  let options: CliOptions | "help";
  try {
    options = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mcp-tools demo server: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (options === "help") {
    // Help is not protocol traffic: nothing is being served, so stdout is free.
    process.stdout.write(USAGE);
    return;
  }
  if (options.mode === "stdio") {
    await serveStdio(options.tools);
  } else {
    await serveHttp(options);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`mcp-tools demo server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

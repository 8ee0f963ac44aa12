// Issue 11 item 3: secrets a server reflects, and escape codes it writes, never reach what we document
// as safe to show or log — `toJSON()`, `String(error)`, `stack`, warnings, the CLI's output. Real HTTP
// on 127.0.0.1 (the scripted fixture, test/fixtures/httpFaultServer.ts) and real stdio processes (the
// fault fixture's `hostile-text` mode). The raw text stays on `cause`, for code that needs it.
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import {
  MCPAuthenticationError,
  MCPConnectionError,
  type MCPError,
  MCPServerError,
} from "../../src/errors/errors.js";
import { type HttpFaultServer, startHttpFaultServer } from "../fixtures/httpFaultServer.js";
import { within } from "../helpers/async.js";
import { nodeRuns } from "../helpers/cli.js";
import { isAlive } from "../helpers/processes.js";
import { faultStdio, tempDir } from "../helpers/servers.js";

const SCRIPTED = resolve("test/fixtures/scriptedStdioServer.mjs");

/** What a server echoes back: the caller's token in every common form. */
const GITHUB_TOKEN = "ghp_reflectedSecret0123456789ABCDEFabcd";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyZWZsZWN0ZWQifQ.c2lnbmF0dXJlMDEyMzQ1Njc4OQ";
const OPENAI_KEY = "sk-reflected0123456789abcdefXYZ";
const API_KEY = "reflected-api-key-0123456789";
const PASSWORD = "correct horse battery staple";
const SECRETS = [GITHUB_TOKEN, JWT, OPENAI_KEY, API_KEY, PASSWORD];
/** The fake token of the stdio fixture's hostile-text mode (test/fixtures/faultServer.mjs). */
const FIXTURE_TOKEN = "ghp_hostileFixtureToken0123456789abcdef";

const REFLECTING_BODY =
  `Unauthorized: the request carried\nAuthorization: Bearer ${GITHUB_TOKEN}\n` +
  `${JSON.stringify({ error: "invalid_token", access_token: JWT, password: PASSWORD })} ` +
  `api_key=${API_KEY} key ${OPENAI_KEY} \x1b]52;c;c2VjcmV0\x07\x1b[2J\x1b[31mred\x00\u009b6n`;

/** Raw or JSON-escaped: ESC, NUL, BEL, the 8-bit CSI. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\\u00(?:0[0-8]|1[0-9a-f]|[89][0-9a-f])/i;

function expectClean(text: string, what: string, secrets: readonly string[] = SECRETS): void {
  for (const secret of secrets) expect(text, `${what} leaks ${secret}`).not.toContain(secret);
  expect(text, `${what} has a control character`).not.toMatch(CONTROL);
}

/** Every form of an error we call safe to show or log. */
function expectCleanError(error: MCPError, secrets?: readonly string[]): void {
  expectClean(JSON.stringify(error.toJSON()), "toJSON()", secrets);
  expectClean(String(error), "String(error)", secrets);
  expectClean(error.message, "message", secrets);
  expectClean(String(error.stack), "stack", secrets);
}

const servers: HttpFaultServer[] = [];
const clients: MCPClient[] = [];
const cleanups: Array<() => void> = [];

const cli = nodeRuns();
afterEach(cli.cleanUp);

afterEach(async () => {
  const pids = clients.map((client) => client.getDiagnostics().pid).filter((pid) => pid !== undefined);
  try {
    await within(5_000, Promise.all(clients.splice(0).map((c) => c.disconnect())), "disconnecting");
    for (const server of servers) {
      await within(2_000, server.allSocketsClosed(), "the fixture seeing every socket closed");
    }
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  } finally {
    await Promise.all(servers.splice(0).map((server) => server.close()));
    for (const cleanup of cleanups.splice(0)) cleanup();
  }
});

async function fixture(): Promise<HttpFaultServer> {
  const server = await startHttpFaultServer();
  servers.push(server);
  return server;
}

function track(client: MCPClient): MCPClient {
  clients.push(client);
  return client;
}

function httpConfig(server: HttpFaultServer): ServerConfigInput {
  return {
    name: "reflector",
    type: "streamable-http",
    url: server.url,
    security: { allow_localhost: true },
    timeout: 3,
    connect_timeout: 3,
  };
}

describe("a server that reflects secrets over HTTP", () => {
  it("401 to initialize: toJSON(), String(), message and stack carry no secret; cause keeps the body", async () => {
    const server = await fixture();
    server.script(
      { rpc: "initialize" },
      { kind: "status", status: 401, body: REFLECTING_BODY, contentType: "text/plain" },
    );
    const client = track(new MCPClient(httpConfig(server)));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPAuthenticationError);
    expect(error).toMatchObject({ code: "AUTH_FAILED", serverName: "reflector", httpStatus: 401 });
    expectCleanError(error as MCPError);
    const json = (error as MCPError).toJSON();
    expect(json.cause?.message).toContain("Authorization: [REDACTED]");
    expect(json.cause?.message).toContain("api_key=[REDACTED]");
    // The untouched failure stays on `cause`, for code that needs it (it is not documented as safe).
    expect(((error as Error).cause as Error).message).toContain(GITHUB_TOKEN);
  });

  it("500 to initialize: HTTP_STATUS, and no secret in any safe form", async () => {
    const server = await fixture();
    server.script(
      { rpc: "initialize" },
      { kind: "status", status: 500, body: REFLECTING_BODY, contentType: "text/plain" },
    );
    const client = track(new MCPClient(httpConfig(server)));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 500 });
    expectCleanError(error as MCPError);
  });

  it("500 to a tool call: the error, its toolCallError event and the error event are clean; the client stays usable", async () => {
    const server = await fixture();
    const client = track(new MCPClient(httpConfig(server)));
    await client.connect();
    const events: string[] = [];
    client.on("toolCallError", (event) => events.push(event.message, JSON.stringify(event.error.toJSON())));
    server.script(
      { rpc: "tools/call" },
      { kind: "status", status: 500, body: REFLECTING_BODY, contentType: "application/json" },
    );
    const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 500 });
    expectCleanError(error as MCPError);
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expectClean(event, "toolCallError event");
    const result = await client.callTool("echo", { message: "after" });
    expect(result.content).toEqual([{ type: "text", text: "Echo: after" }]);
  });

  it("the CLI prints no secret and no escape code, with --json and with --verbose", async () => {
    const server = await fixture();
    server.script(
      { rpc: "tools/call" },
      { kind: "status", status: 500, body: REFLECTING_BODY, contentType: "text/plain" },
      2,
    );
    const dir = tempDir("mcp-tools-hostile-");
    cleanups.push(dir.cleanup);
    const config = join(dir.path, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({ mcpServers: { reflector: { url: server.url, security: { allow_localhost: true } } } }),
    );
    const runCli = (args: string[]) => cli.run(["--config", config, ...args], { env: { NO_COLOR: "1" } });

    const json = await runCli(["--json", "call", "echo", "message=x"]);
    expect(json.code).toBe(3);
    const document = JSON.parse(json.stdout) as { error: { code: string; cause?: unknown } };
    expect(document.error).toMatchObject({ code: "HTTP_STATUS" });
    expect(document.error.cause).toBeDefined();
    expectClean(json.stdout, "--json stdout");
    expectClean(json.stderr, "--json stderr");

    const verbose = await runCli(["--verbose", "call", "echo", "message=x"]);
    expect(verbose.code).toBe(3);
    expect(verbose.stderr).toContain("HTTP 500");
    expectClean(verbose.stdout, "--verbose stdout");
    expectClean(verbose.stderr, "--verbose stderr");
  });
});

describe("a stdio server that writes escape codes, NUL bytes and a token", () => {
  it("stdout noise: every stdout-noise warning is clean text, and calls still work", async () => {
    const client = track(new MCPClient(faultStdio("hostile-text")));
    const warnings: string[] = [];
    client.on("warning", (warning) => {
      if (warning.kind === "stdout-noise") warnings.push(warning.message);
    });
    await client.connect();
    expect(warnings).toHaveLength(2);
    for (const warning of warnings) expectClean(warning, "stdout-noise warning", [FIXTURE_TOKEN]);
    // What was readable stays readable.
    expect(warnings[0]).toContain("stdout 1");
    expect(warnings[0]).toContain("Authorization: [REDACTED]");
    const result = await client.callTool("echo", { message: "x" });
    expect(result.content).toEqual([{ type: "text", text: "Echo: x" }]);
  });

  it("a JSON-RPC error with escape codes and a token: MCPServerError message and toJSON() are clean", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("hostile-text")));
    const error = await client.callTool("hostile", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPServerError);
    expect(error).toMatchObject({ code: "SERVER_ERROR", rpcCode: -32000 });
    expect((error as Error).message).toContain("rpc error");
    expectCleanError(error as MCPError, [FIXTURE_TOKEN]);
    expect(client.isConnected()).toBe(true);
  });

  it("a crash after hostile stderr: PROCESS_EXITED message, process.stderrTail and toJSON() are clean", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("hostile-text")));
    const error = await client.callTool("crash", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "PROCESS_EXITED", process: { exitCode: 3 } });
    const tail = (error as MCPConnectionError).process?.stderrTail ?? "";
    expect(tail).toContain("fatal: crash requested");
    expect(tail).toContain("api_key=[REDACTED]");
    // The readable part stays; the window title (OSC 0) and every control character are gone.
    expect((error as Error).message).toContain("stderr nul bel del c1 bidi [REDACTED]");
    expect((error as Error).message).not.toContain("pwned");
    expectClean(tail, "process.stderrTail", [FIXTURE_TOKEN]);
    expectCleanError(error as MCPError, [FIXTURE_TOKEN]);
  });
});

describe("names, cursors and lines a stdio server chose reach warnings, events and diagnostics only through the gate", () => {
  /** Escape codes, a bidi override, a C1 CSI and the token, as a server may put them in a name. */
  const HOSTILE = `evil\x1b]0;pwned\x07\x1b[31m\u009b2J\u202e ${FIXTURE_TOKEN} Authorization: Bearer ${FIXTURE_TOKEN}`;

  function scripted(env: Record<string, string>): ServerConfigInput {
    return { name: "scripted", command: process.execPath, args: [SCRIPTED], env, shutdown_grace: 0.3 };
  }

  it("duplicate-tool, tool-skipped and pagination-loop warnings, and tool call events, are clean", async () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 120; i++) deep = { type: "object", properties: { a: deep } };
    const tools = [
      { name: HOSTILE, inputSchema: { type: "object" } },
      { name: HOSTILE, inputSchema: { type: "object" } },
      { name: `deep ${HOSTILE}`, inputSchema: deep },
    ];
    const dir = tempDir("mcp-tools-hostile-");
    cleanups.push(dir.cleanup);
    const file = join(dir.path, "tools.json");
    writeFileSync(file, JSON.stringify(tools));
    const client = track(new MCPClient(scripted({ TOOLS_FILE: file, NEXT_CURSOR: `cursor ${HOSTILE}` })));
    const warnings = new Map<string, string>();
    client.on("warning", (warning) => warnings.set(warning.kind, warning.message));
    const events: string[] = [];
    client.on("toolCallStart", (event) => events.push(event.message));
    client.on("toolCallSuccess", (event) => events.push(event.message));
    await client.connect();
    expect([...warnings.keys()].sort()).toEqual(["duplicate-tool", "pagination-loop", "tool-skipped"]);
    for (const [kind, message] of warnings) {
      expectClean(message, `${kind} warning`, [FIXTURE_TOKEN]);
      expect(message, kind).toContain("[REDACTED]");
    }
    expect(warnings.get("duplicate-tool")).toContain('listed tool "evil');
    expect(warnings.get("pagination-loop")).toContain('repeated the cursor "cursor evil');
    // The raw name stays the key a caller uses.
    expect(client.getAvailableTools()).toEqual([HOSTILE]);
    await client.callTool(HOSTILE, {});
    expect(events).toHaveLength(2);
    for (const event of events) expectClean(event, "tool call event", [FIXTURE_TOKEN]);
  });

  it('stderr events and getDiagnostics().stderrTail are clean; a long stdout-noise line keeps its "more characters" note', async () => {
    const client = track(
      new MCPClient(
        scripted({ STDERR_TEXT: `stderr ${HOSTILE}`, STDOUT_NOISE: `noise ${"n".repeat(400)} ${HOSTILE}` }),
      ),
    );
    const stderr = new Promise<string>((resolveLine) =>
      client.on("stderr", (event) => resolveLine(event.message)),
    );
    const noise = new Promise<string>((resolveLine) =>
      client.on("warning", (warning) => warning.kind === "stdout-noise" && resolveLine(warning.message)),
    );
    await client.connect();
    const line = await within(5_000, stderr, "the stderr event");
    expectClean(line, "stderr event", [FIXTURE_TOKEN]);
    expect(line).toContain("stderr evil");
    const tail = client.getDiagnostics().stderrTail;
    expect(tail).toContain("stderr evil");
    expectClean(tail, "getDiagnostics().stderrTail", [FIXTURE_TOKEN]);
    const warning = await within(5_000, noise, "the stdout-noise warning");
    expectClean(warning, "stdout-noise warning", [FIXTURE_TOKEN]);
    expect(warning, warning).toMatch(/… \(\d+ more characters\)$/);
  });

  it("a refresh that fails with an error that is no MCPError: the refresh-failed warning is clean", async () => {
    let calls = 0;
    const client = track(
      new MCPClient(scripted({ LIST_VERSIONS: JSON.stringify([["a"], [HOSTILE]]) }), {
        // A filter that quotes the name it did not expect, as a caller's code may.
        toolFilter: (tool) => {
          if (++calls > 2) throw new Error(`unexpected tool ${tool.name}`);
          return true;
        },
      }),
    );
    const failed = new Promise<string>((resolveWarning) =>
      client.on("warning", (warning) => warning.kind === "refresh-failed" && resolveWarning(warning.message)),
    );
    await client.connect();
    await client.callTool("bump", {});
    const message = await within(5_000, failed, "the refresh-failed warning");
    expect(message).toContain("unexpected tool evil");
    expectClean(message, "refresh-failed warning", [FIXTURE_TOKEN]);
  });
});

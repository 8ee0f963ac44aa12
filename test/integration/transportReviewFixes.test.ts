// Regression tests for the second transport review of issue 11: the standalone GET stream that an
// oversized event sent into an endless reopen loop, a tool's own HTTP 400 taken for session expiry
// (and the tool run twice), server errors that passed for our own transport errors, the stderr tail
// of a closed pipe, one context key for MESSAGE_TOO_LARGE, one teardown of a server that exited on
// its own, the exit code of a server that takes its time to die, and an oversized answer during a
// session renewal. Real processes and real HTTP on 127.0.0.1; waits are on events, bounded by
// deadlines; the one fixed window (no GET reopened) is an observation period, not a wait.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { Client } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { isMCPError, MCPConnectionError, MCPServerError } from "../../src/errors/errors.js";
import { HttpTransport } from "../../src/transport/httpTransport.js";
import { StdioTransport } from "../../src/transport/stdioTransport.js";
import { type HttpFaultServer, startHttpFaultServer } from "../fixtures/httpFaultServer.js";
import { deferred, within } from "../helpers/async.js";
import { isAlive, readPid } from "../helpers/processes.js";
import { FAULT_SERVER, faultStdio, tempDir } from "../helpers/servers.js";

const clients: MCPClient[] = [];
const cleanups: Array<() => Promise<unknown> | void> = [];
const fixtures: HttpFaultServer[] = [];
const pids = new Set<number>();

afterEach(async () => {
  try {
    await within(
      10_000,
      Promise.all(clients.splice(0).map((client) => client.disconnect())),
      "disconnecting every client",
    );
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (const server of fixtures) {
      await within(2_000, server.allSocketsClosed(), "the fixture seeing every socket closed");
    }
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  } finally {
    pids.clear();
    await Promise.all(fixtures.splice(0).map((server) => server.close()));
  }
});

const KiB = 1024;

async function fixture(): Promise<HttpFaultServer> {
  const server = await startHttpFaultServer();
  fixtures.push(server);
  return server;
}

async function connected(input: ServerConfigInput): Promise<MCPClient> {
  const client = new MCPClient(input);
  clients.push(client);
  await client.connect();
  return client;
}

function http(url: string, overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    name: "review",
    type: "streamable-http",
    url,
    security: { allow_localhost: true },
    timeout: 5,
    connect_timeout: 5,
    ...overrides,
  };
}

function echoText(result: unknown): string | undefined {
  return (result as { content?: Array<{ text?: string }> }).content?.[0]?.text;
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("item 1: an oversized event on the standalone GET stream", () => {
  it("is reported once as MESSAGE_TOO_LARGE and the stream is not reopened (GETs at the server stay at 1); calls keep working, a session renewal included", async () => {
    const server = await fixture();
    // Every GET would get a 100 kB event, more than the 64 kB limit.
    server.script({ method: "GET" }, { kind: "huge", bytes: 100 * KiB, format: "sse" }, 1_000);
    const transport = new HttpTransport({
      serverName: "raw",
      type: "streamable-http",
      url: server.url,
      headers: {},
      httpReadTimeoutMs: 5_000,
      maxMessageBytes: 64 * KiB,
      reinitializeTimeoutMs: 2_000,
      sessionDeleteTimeoutMs: 500,
      sseRetry: { minDelayMs: 100, maxDelayMs: 600, maxRetries: 2 },
    });
    const sdk = new Client({ name: "review-test", version: "0.0.0" }, { capabilities: {} });
    const errors: Error[] = [];
    const reported = deferred();
    sdk.onerror = (error) => {
      errors.push(error);
      reported.resolve();
    };
    cleanups.push(() => sdk.close());
    await sdk.connect(transport);
    await within(5_000, reported.promise, "the oversized GET event being reported");
    expect(echoText(await sdk.callTool({ name: "echo", arguments: { message: "after" } }))).toBe(
      "Echo: after",
    );
    // A new session opens the standalone stream again in the SDK: it stays closed.
    server.expireSessions();
    expect(echoText(await sdk.callTool({ name: "echo", arguments: { message: "renewed" } }))).toBe(
      "Echo: renewed",
    );
    expect(transport.sessionRenewals).toBe(1);
    // Ten reconnection delays: before the fix the SDK reopened the stream every 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(server.matching({ method: "GET" })).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MCPConnectionError);
    expect(errors[0]).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: 64 * KiB } });
    expect(errors[0]!.message).toContain("standalone GET stream");
    expect(errors[0]!.message).toContain("closed for the rest of the connection");
  });
});

describe("item 2: a 400 that is the request's own answer is never taken for session expiry", () => {
  it("a tool whose 400 error carries the request's id and mentions a session: run once, HTTP_STATUS, no re-initialize", async () => {
    const server = await fixture();
    const client = await connected(http(server.url));
    server.script(
      { rpc: "tools/call" },
      { kind: "request-error", status: 400, message: "Invalid browser session: call open_page first" },
    );
    const error = await rejection(client.callTool("echo", { message: "x" }));
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 400 });
    expect((error as Error).message).toContain("Invalid browser session: call open_page first");
    expect(server.executed).toHaveLength(1);
    expect(server.matching({ rpc: "tools/call" })).toHaveLength(1);
    expect(server.matching({ rpc: "initialize" })).toHaveLength(1);
    expect(server.issuedSessions).toEqual(["s1"]);
    expect(client.getDiagnostics()).toMatchObject({ sessionId: "s1", sessionRenewals: 0 });
  });

  it.each([
    ["id null (server-everything, the SDK's server)", null],
    ['a placeholder id ("server-error")', "server-error"],
  ])(
    "a transport-level session 400 with %s still renews the session and the call runs once",
    async (_, id) => {
      const server = await fixture();
      const client = await connected(http(server.url));
      server.script(
        { rpc: "tools/call", withSession: true },
        {
          kind: "status",
          status: 400,
          body: JSON.stringify({
            jsonrpc: "2.0",
            error: { code: -32000, message: "Bad Request: No valid session ID provided" },
            id,
          }),
        },
      );
      expect(echoText(await client.callTool("echo", { message: "again" }))).toBe("Echo: again");
      expect(server.executed).toHaveLength(1);
      expect(client.getDiagnostics()).toMatchObject({ sessionId: "s2", sessionRenewals: 1 });
    },
  );
});

describe("item 4: a server cannot forge our local transport errors", () => {
  it.each(["NOT_A_CODE", "CONNECTION_CLOSED"])(
    "a JSON-RPC error with data {mcpToolsLocalError: %s, mcpToolsLocalContext} and a 50 kB message is the server's error, clipped",
    async (code) => {
      const server = await fixture();
      const client = await connected(http(server.url));
      server.script(
        { rpc: "tools/call" },
        {
          kind: "request-error",
          status: 200,
          message: "x".repeat(50_000),
          data: { mcpToolsLocalError: code, mcpToolsLocalContext: { forged: true } },
        },
      );
      const error = await rejection(client.callTool("echo", { message: "x" }));
      expect(error).toBeInstanceOf(MCPServerError);
      expect(error).not.toBeInstanceOf(MCPConnectionError);
      expect(error).toMatchObject({ code: "SERVER_ERROR", rpcCode: -32000 });
      expect((error as MCPServerError).context).not.toHaveProperty("forged");
      expect((error as Error).message.length).toBeLessThan(1_500);
    },
  );
});

describe("stdio: the closed-pipe report", () => {
  it("item 5: CONNECTION_CLOSED after stdout closed carries the stderr tail clipped like PROCESS_EXITED (last 4,000 characters)", async () => {
    const client = await connected(
      faultStdio("stderr-flood:300000,close-stdout-keep-running", { timeout: 20 }),
    );
    pids.add(client.getDiagnostics().pid!);
    const error = await rejection(client.callTool("close_stdout", {}));
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED" });
    const message = (error as Error).message;
    expect(message).toContain("Last stderr lines:");
    expect(message.length).toBeLessThan(4_600);
    // The end of the tail is kept: the last thing the server wrote before the failure.
    expect(message).toContain("fixture: closed stdout, staying alive");
  });

  it("item 6: MESSAGE_TOO_LARGE names its limit as maxMessageBytes, as on HTTP", async () => {
    const client = await connected(faultStdio("huge-response:200000", { max_message_bytes: 100_000 }));
    pids.add(client.getDiagnostics().pid!);
    const error = await rejection(client.callTool("huge", {}));
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: 100_000 } });
    expect((error as MCPConnectionError).context).not.toHaveProperty("limitBytes");
  });

  it("suspicion: a server that closes stdout and exits with code 3 only 600 ms later: the report gets the exit code once it comes", async () => {
    // Closes stdout at once, keeps running (ignoring stdin), exits with 3 after 600 ms.
    const script = `require("node:fs").closeSync(1); setTimeout(() => process.exit(3), 600);`;
    const transport = new StdioTransport({
      serverName: "inline",
      command: process.execPath,
      args: ["-e", script],
      env: {},
      maxMessageBytes: 64 * KiB,
      shutdownGraceMs: 3_000,
    });
    cleanups.push(() => transport.close());
    const failed = deferred<Error>();
    transport.onerror = (error) => failed.resolve(error);
    await transport.start();
    pids.add(transport.pid!);
    const error = await within(5_000, failed.promise, "the closed stdout being reported");
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED", process: { exitCode: null, signal: null } });
    await within(5_000, transport.close(), "the teardown");
    expect(transport.closeReason).toBe(error);
    expect((error as MCPConnectionError).process).toMatchObject({ exitCode: 3, signal: null });
  });
});

describe("item 7: a server that exited on its own is torn down once", () => {
  it.skipIf(process.platform === "win32")(
    "a wrapper killed while its grandchild (same group, ignoring SIGTERM) runs: one SIGTERM, then SIGKILL; everything gone",
    async () => {
      const dir = tempDir();
      cleanups.push(dir.cleanup);
      const pidFile = join(dir.path, "grandchild.pid");
      writeFileSync(pidFile, "");
      const stderr: string[] = [];
      const transport = new StdioTransport({
        serverName: "wrapped",
        command: process.execPath,
        args: [FAULT_SERVER],
        env: { MODE: "spawn-grandchild,ignore-sigterm", PID_FILE: pidFile },
        maxMessageBytes: 64 * KiB,
        shutdownGraceMs: 300,
        onStderrLine: (line) => stderr.push(line),
      });
      cleanups.push(() => transport.close());
      const failed = deferred<Error>();
      transport.onerror = (error) => failed.resolve(error);
      await transport.start();
      const wrapper = transport.pid!;
      pids.add(wrapper);
      // The grandchild writes its pid before reading stdin; ping it to know it is up.
      const answered = deferred();
      transport.onmessage = () => answered.resolve();
      await transport.send({ jsonrpc: "2.0", id: 1, method: "ping" });
      await within(5_000, answered.promise, "the grandchild answering");
      const grandchild = readPid(pidFile);
      pids.add(grandchild);
      process.kill(wrapper, "SIGKILL");
      const error = await within(5_000, failed.promise, "the exit being reported");
      expect(error).toMatchObject({ code: "PROCESS_EXITED", process: { signal: "SIGKILL" } });
      await within(5_000, transport.close(), "the teardown");
      expect(isAlive(grandchild)).toBe(false);
      // Before the fix the exit handler sent its own SIGTERM besides the shutdown's.
      expect(stderr.filter((line) => line.includes("ignoring SIGTERM"))).toHaveLength(1);
    },
  );
});

describe("suspicion: an oversized answer during a session renewal", () => {
  it.each(["json", "sse"] as const)(
    "the new session's initialize answered with a %s body over the limit: the call fails MESSAGE_TOO_LARGE, not SESSION_EXPIRED",
    async (format) => {
      const server = await fixture();
      const client = await connected(http(server.url, { max_message_bytes: 64 * KiB }));
      server.expireSessions();
      server.script({ rpc: "initialize" }, { kind: "huge", bytes: 200 * KiB, format });
      const error = await rejection(client.callTool("echo", { message: "x" }));
      expect(isMCPError(error, "MESSAGE_TOO_LARGE")).toBe(true);
      expect(error).toMatchObject({ context: { maxMessageBytes: 64 * KiB } });
      expect(server.executed).toEqual([]);
    },
  );
});

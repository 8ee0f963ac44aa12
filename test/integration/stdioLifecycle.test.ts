// A stdio server that breaks its pipes but keeps running, and one that leaves a daemon in its own
// session (issue 11, items 4–6). Real processes (test/fixtures/faultServer.mjs); every pid a test
// sees, the daemon's included, is checked gone after it. Times are bounds, not speed assertions.
import { join } from "node:path";

import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import { MCPConnectionError } from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { StdioTransport } from "../../src/transport/stdioTransport.js";
import { elapsed, within } from "../helpers/async.js";
import { nextEvent } from "../helpers/multiEvents.js";
import { groupAndSession, isAlive, readPid } from "../helpers/processes.js";
import { FAULT_SERVER, faultStdio } from "../helpers/servers.js";
import { stdioTracking } from "../helpers/stdio.js";

/** The call timeout the fast failures are measured against: a rejection near it would be a timeout. */
const CALL_TIMEOUT_S = 30;
/** Generous bound on "at once": far below the call timeout, far above the 200 ms exit wait. */
const FAST_MS = 3_000;
const GRACE_S = 0.2;

const { pids, trackClient, trackMulti, trackTransport, scratch, cleanUp } = stdioTracking();
afterEach(cleanUp);

async function connected(client: MCPClient): Promise<{ client: MCPClient; pid: number }> {
  await trackClient(client).connect();
  const pid = client.getDiagnostics().pid!;
  pids.add(pid);
  return { client, pid };
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

function expectConnectionClosed(error: unknown, server: string): MCPConnectionError {
  expect(error).toBeInstanceOf(MCPConnectionError);
  expect(error).toMatchObject({ code: "CONNECTION_CLOSED", serverName: server });
  return error as MCPConnectionError;
}

describe("stdout closed while the server keeps running (item 4)", () => {
  it("fails every pending call at once with CONNECTION_CLOSED and the stderr tail, leaves connected, ends the process", async () => {
    const { client, pid } = await connected(
      new MCPClient(
        faultStdio("close-stdout-keep-running", {
          name: "mute",
          timeout: CALL_TIMEOUT_S,
          shutdown_grace: GRACE_S,
        }),
      ),
    );
    const lost = new Promise<unknown>((resolve) => client.on("error", (e) => e.lost && resolve(e.error)));
    const pending = rejection(client.callTool("slow", { ms: 60_000 }));
    const started = performance.now();
    const closing = rejection(client.callTool("close_stdout", {}));
    const [first, second] = await within(FAST_MS * 2, Promise.all([pending, closing]), "rejection");
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(FAST_MS);
    for (const error of [first, second]) {
      const closed = expectConnectionClosed(error, "mute");
      expect(closed.message).toContain("closed its stdout while still running");
      expect(closed.process?.stderrTail).toContain("fixture: closed stdout, staying alive");
    }
    expectConnectionClosed(await lost, "mute");
    expect(client.state).toBe("failed");
    expect(client.isConnected()).toBe(false);
    const { ms: disconnectMs } = await elapsed(() => client.disconnect());
    expect(disconnectMs).toBeLessThan(2 * GRACE_S * 1000 + 3_000);
    expect(isAlive(pid)).toBe(false);
  });

  it("pending calls do not wait for the teardown of a server that ignores stdin EOF and SIGTERM", async () => {
    // Default-sized grace: ending this server takes two grace periods (EOF, SIGTERM), then SIGKILL.
    const grace = 2;
    const { client, pid } = await connected(
      new MCPClient(
        faultStdio("close-stdout-keep-running,ignore-sigterm", {
          name: "stubborn",
          timeout: CALL_TIMEOUT_S,
          shutdown_grace: grace,
        }),
      ),
    );
    const started = performance.now();
    const error = await within(FAST_MS * 2, rejection(client.callTool("close_stdout", {})), "rejection");
    const ms = performance.now() - started;
    expectConnectionClosed(error, "stubborn");
    expect(ms).toBeLessThan(FAST_MS);
    expect(client.state).toBe("failed");
    // disconnect() waits for the teardown the loss started: nothing is left when it resolves.
    const { ms: disconnectMs } = await elapsed(() => client.disconnect());
    expect(isAlive(pid)).toBe(false);
    expect(ms + disconnectMs).toBeGreaterThanOrEqual(grace * 1000);
  });

  it("MultiMCPClient reconnects on its own and its breaker closes again; a tool call works", async () => {
    const multi = new MultiMCPClient([
      faultStdio("close-stdout-keep-running", {
        name: "mute",
        timeout: CALL_TIMEOUT_S,
        shutdown_grace: GRACE_S,
        reconnect: { initial_delay: 0.05 },
        circuit_breaker: { failure_threshold: 2, recovery_timeout: 0.5 },
      }),
    ]);
    trackMulti(multi);
    await multi.connect();
    const oldPid = multi.getServerStatus("mute").pid!;
    pids.add(oldPid);
    const reconnected = nextEvent(multi, "reconnected", () => true, 15_000);

    const started = performance.now();
    const errors = await within(
      FAST_MS * 2,
      Promise.all([
        rejection(multi.callTool("mcp__mute__slow", { ms: 60_000 })),
        rejection(multi.callTool("mcp__mute__close_stdout", {})),
      ]),
      "rejection",
    );
    expect(performance.now() - started).toBeLessThan(FAST_MS);
    for (const error of errors) expectConnectionClosed(error, "mute");
    // Two failures: the breaker opened. The reconnect is its probe and closes it again.
    expect(multi.getServerStatus("mute").breaker).toBe("open");
    expect(multi.getServerStatus("mute").state).not.toBe("connected");

    await reconnected;
    const status = multi.getServerStatus("mute");
    expect(status).toMatchObject({ state: "connected", breaker: "closed" });
    expect(status.pid).not.toBe(oldPid);
    pids.add(status.pid!);
    expect(isAlive(oldPid)).toBe(false);
    const result = await multi.callTool("mcp__mute__echo", { message: "back" });
    expect(result.content).toEqual([{ type: "text", text: "Echo: back" }]);
  });
});

describe("stdin closed while the server keeps running (item 5)", () => {
  it("the next write fails the connection: pending and new calls reject at once, the process is ended", async () => {
    const { client, pid } = await connected(
      new MCPClient(
        faultStdio("close-stdin-keep-running", {
          name: "deaf",
          timeout: CALL_TIMEOUT_S,
          shutdown_grace: GRACE_S,
        }),
      ),
    );
    const lost = new Promise<unknown>((resolve) => client.on("error", (e) => e.lost && resolve(e.error)));
    // Read by the server before it closes stdin; its answer never comes (the connection fails first).
    const pending = rejection(client.callTool("slow", { ms: 60_000 }));
    expect((await client.callTool("close_stdin", {})).content).toEqual([
      { type: "text", text: "stdin closed" },
    ]);

    const started = performance.now();
    const [dropped, waiting] = await within(
      FAST_MS * 2,
      Promise.all([rejection(client.callTool("echo", { message: "into a closed pipe" })), pending]),
      "rejection",
    );
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(FAST_MS);
    for (const error of [dropped, waiting]) {
      const closed = expectConnectionClosed(error, "deaf");
      expect(closed.message).toContain("closed its stdin while still running");
      expect(closed.message).toContain("EPIPE");
    }
    expectConnectionClosed(await lost, "deaf");
    expect(client.state).toBe("failed");
    // Later calls are refused at once, naming the lost connection.
    const later = await rejection(client.callTool("echo", { message: "later" }));
    expect(later).toMatchObject({ code: "NOT_CONNECTED", cause: { code: "CONNECTION_CLOSED" } });
    await client.disconnect();
    expect(isAlive(pid)).toBe(false);
  });

  it("StdioTransport: the failure is reported and closed at once, and every later send rejects with CONNECTION_CLOSED", async () => {
    const transport = new StdioTransport({
      serverName: "deaf",
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { ...(process.env as Record<string, string>), MODE: "close-stdin-keep-running" },
      maxMessageBytes: 1 << 20,
      shutdownGraceMs: GRACE_S * 1000,
    });
    trackTransport(transport);
    const messages: JSONRPCMessage[] = [];
    const answered = new Promise<void>((resolve) => {
      transport.onmessage = (message) => {
        messages.push(message);
        resolve();
      };
    });
    const errors: Error[] = [];
    transport.onerror = (error) => errors.push(error);
    const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
    await transport.start();
    pids.add(transport.pid!);
    const call = (id: number, name: string): JSONRPCMessage => ({
      jsonrpc: "2.0",
      id,
      method: "tools/call",
      params: { name, arguments: { message: "x" } },
    });
    await transport.send(call(1, "close_stdin"));
    await within(FAST_MS, answered, "the close_stdin answer");
    await transport.send(call(2, "echo"));
    await within(FAST_MS, closed, "onclose after the broken write");
    expect(errors.map((e) => (e as MCPConnectionError).code)).toEqual(["CONNECTION_CLOSED"]);
    expect(transport.closeReason).toMatchObject({ code: "CONNECTION_CLOSED", context: { pipe: "stdin" } });
    await expect(transport.send(call(3, "echo"))).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(messages).toHaveLength(1);
    await transport.close();
    expect(isAlive(transport.pid!)).toBe(false);
  });
});

describe.skipIf(process.platform === "win32")("a daemon grandchild in its own session (item 6)", () => {
  async function withDaemon(mode: string): Promise<{ client: MCPClient; server: number; daemon: number }> {
    const daemonFile = join(scratch(), "daemon.pid");
    const { client, pid } = await connected(
      new MCPClient(
        faultStdio(mode, {
          name: "browser",
          shutdown_grace: GRACE_S,
          fixtureEnv: { DAEMON_PID_FILE: daemonFile },
        }),
      ),
    );
    const daemon = readPid(daemonFile);
    pids.add(daemon);
    expect(isAlive(daemon)).toBe(true);
    const server = groupAndSession(pid);
    const own = groupAndSession(daemon);
    if (server && own) {
      // Out of reach of the group signal: its own session and process group.
      expect(own.pgid).toBe(daemon);
      expect(own.sid).toBe(daemon);
      expect(own.pgid).not.toBe(server.pgid);
    }
    return { client, server: pid, daemon };
  }

  it("disconnect() ends it when the server ignores SIGTERM too (bounded)", async () => {
    const { client, server, daemon } = await withDaemon(
      "daemon-grandchild-own-session-ignoring-sigterm,ignore-sigterm",
    );
    const { ms } = await elapsed(() => client.disconnect());
    expect(isAlive(server)).toBe(false);
    expect(isAlive(daemon)).toBe(false);
    // EOF, SIGTERM, SIGKILL steps plus three bounded process-table reads.
    expect(ms).toBeLessThan(2 * GRACE_S * 1000 + 2_000 + 3 * 1_000);
  });

  it("disconnect() ends it when the server exits on stdin EOF (the daemon is orphaned by then)", async () => {
    const { client, server, daemon } = await withDaemon("daemon-grandchild-own-session-ignoring-sigterm");
    await client.disconnect();
    expect(isAlive(server)).toBe(false);
    expect(isAlive(daemon)).toBe(false);
  });

  it.skipIf(process.platform !== "linux")(
    "without ps on PATH disconnect() still works (the process table comes from /proc)",
    async () => {
      const { client, server, daemon } = await withDaemon(
        "daemon-grandchild-own-session-ignoring-sigterm,ignore-sigterm",
      );
      const path = process.env.PATH;
      process.env.PATH = scratch();
      try {
        await expect(client.disconnect()).resolves.toBeUndefined();
      } finally {
        process.env.PATH = path;
      }
      expect(isAlive(server)).toBe(false);
      expect(isAlive(daemon)).toBe(false);
    },
  );
});

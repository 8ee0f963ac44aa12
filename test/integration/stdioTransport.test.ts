// The stdio transport (src/transport/stdioTransport.ts) against real processes: a server that stops
// reading stdin, malformed and oversized frames, a closed stdout, EPERM from kill(2), and the teardown
// of a server that exited on its own. Waits are on events, bounded by deadlines; after every test every
// pid a test saw must be gone.
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it, vi } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { MCPConnectionError } from "../../src/errors/errors.js";
import { localErrorOf } from "../../src/transport/localErrors.js";
import { StdioTransport, type StdioTransportOptions } from "../../src/transport/stdioTransport.js";
import { deferred, within } from "../helpers/async.js";
import { isAlive, readPid } from "../helpers/processes.js";
import { FAULT_SERVER, faultStdio, tempDir } from "../helpers/servers.js";

const clients: MCPClient[] = [];
const cleanups: Array<() => Promise<unknown> | void> = [];
const pids = new Set<number>();

afterEach(async () => {
  try {
    await within(
      10_000,
      Promise.all(clients.splice(0).map((client) => client.disconnect())),
      "disconnecting every client",
    );
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (const pid of pids) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  } finally {
    pids.clear();
    vi.restoreAllMocks();
  }
});

const KiB = 1024;

async function connected(input: ServerConfigInput): Promise<MCPClient> {
  const client = new MCPClient(input);
  clients.push(client);
  await client.connect();
  return client;
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

/** A stdio transport on `node -e script`, closed after the test. */
function stdioTransport(script: string, overrides: Partial<StdioTransportOptions> = {}): StdioTransport {
  const transport = new StdioTransport({
    serverName: "inline",
    command: process.execPath,
    args: ["-e", script],
    env: {},
    maxMessageBytes: 64 * 1024,
    shutdownGraceMs: 100,
    ...overrides,
  });
  cleanups.push(() => transport.close());
  return transport;
}

function closedOnce(transport: StdioTransport): Promise<void> {
  return new Promise((resolve) => {
    transport.onclose = resolve;
  });
}

describe("stdio transport", () => {
  it("refuses to buffer without bound for a server that stopped reading stdin", async () => {
    // Never reads stdin: the pipe fills, then everything would pile up in our memory.
    const transport = stdioTransport("setInterval(() => {}, 60_000);");
    await transport.start();
    const limit = 2 * 64 * 1024;
    const payload = "y".repeat(32 * 1024);
    let refusal: unknown;
    let accepted = 0;
    // 3 MiB at most, far more than a pipe holds: without the bound every send is accepted.
    for (let i = 0; i < 100 && refusal === undefined; i++) {
      try {
        await transport.send({ jsonrpc: "2.0", id: i, method: "tools/call", params: { payload } });
        accepted++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(MCPConnectionError);
    expect(refusal).toMatchObject({ code: "CONNECTION_CLOSED", serverName: "inline" });
    expect((refusal as Error).message).toContain("not reading its stdin");
    const { waitingBytes, messageBytes, limitBytes } = (refusal as MCPConnectionError).context as {
      waitingBytes: number;
      messageBytes: number;
      limitBytes: number;
    };
    expect(limitBytes).toBe(limit);
    expect(waitingBytes).toBeLessThanOrEqual(limit);
    expect(waitingBytes + messageBytes).toBeGreaterThan(limit);
    expect(accepted).toBeGreaterThan(1);
    // The connection itself is kept: a server that resumes reading drains what waits.
    expect(transport.closeReason).toBeUndefined();
  });

  it("a malformed request from the server does not fail our pending request with the same id; a malformed response still does", async () => {
    const script = `
      const out = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
      require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
        const { id } = JSON.parse(line);
        if (id === 1) {
          out({ id: 1, method: "roots/list" });
          out({ jsonrpc: "2.0", id: 1, result: { ok: true } });
        } else {
          out({ jsonrpc: "2.0", id, result: 1, error: { code: 1, message: "both" } });
        }
      });`;
    const transport = stdioTransport(script);
    const messages: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    const second = deferred();
    transport.onmessage = (message) => {
      messages.push(message);
      if ("id" in message && message.id === 2) second.resolve();
    };
    transport.onerror = (error) => errors.push(error);
    await transport.start();
    await transport.send({ jsonrpc: "2.0", id: 1, method: "ping" });
    await transport.send({ jsonrpc: "2.0", id: 2, method: "ping" });
    await within(5_000, second.promise, "the answer to request 2");
    expect(messages[0]).toEqual({ jsonrpc: "2.0", id: 1, result: { ok: true } });
    expect(messages[1]).toMatchObject({ id: 2, error: { code: -32603 } });
    expect(localErrorOf((messages[1] as { error?: { data?: unknown } }).error?.data)).toMatchObject({
      code: "PROTOCOL_ERROR",
    });
    expect(messages).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(errors[0]!.message).toContain('missing "jsonrpc": "2.0"');
  });

  it("after MESSAGE_TOO_LARGE nothing more from stdout is delivered: the tail of the oversized line is not reported as noise", async () => {
    // Writes a line longer than the limit without its end; once we end stdin (closing after the
    // failure) writes the rest of that line and a valid notification, then waits to be stopped.
    const script = `
      process.stdin.once("data", () => process.stdout.write("x".repeat(4096)));
      process.stdin.once("end", () => {
        process.stdout.write("SECRET-TAIL-OF-THE-BIG-LINE\\n" + JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: {} }) + "\\n");
      });
      setInterval(() => {}, 60_000);`;
    const noise = vi.fn();
    const transport = stdioTransport(script, { maxMessageBytes: 1024, onNoise: noise });
    const messages: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    transport.onmessage = (message) => messages.push(message);
    transport.onerror = (error) => errors.push(error);
    const closed = closedOnce(transport);
    await transport.start();
    // The transport's own stdout listener runs first; this one tells when the tail has been read.
    const child = (transport as unknown as { child: ChildProcess }).child;
    const tailRead = new Promise<void>((resolve) => {
      let seen = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString("latin1");
        if (seen.includes("notifications/message")) resolve();
      });
    });
    await transport.send({ jsonrpc: "2.0", id: 1, method: "ping" });
    await within(5_000, tailRead, "the tail of the oversized line arriving");
    await within(5_000, closed, "the transport closing");
    expect(errors.map((error) => (error as MCPConnectionError).code)).toEqual(["MESSAGE_TOO_LARGE"]);
    expect(noise).not.toHaveBeenCalled();
    expect(transport.noiseLines).toBe(0);
    expect(messages).toEqual([]);
  });

  it("a server that exits while kill(2) answers EPERM for its process group: no uncaught exception, the exit is reported and close() settles", async () => {
    // A wrapper that starts a grandchild on the same pipes and tells its pid.
    const script = `
      const grandchild = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 60_000)"], { stdio: "inherit" });
      console.log("grandchild " + grandchild.pid);
      setInterval(() => {}, 60_000);`;
    const announced = deferred<number>();
    const transport = stdioTransport(script, {
      shutdownGraceMs: 200,
      onNoise: (line) => announced.resolve(Number(line.replace("grandchild ", ""))),
    });
    const errors: Error[] = [];
    transport.onerror = (error) => errors.push(error);
    const closed = closedOnce(transport);
    await transport.start();
    const wrapper = transport.pid!;
    const grandchild = await within(5_000, announced.promise, "the wrapper announcing its grandchild");
    cleanups.push(() => {
      if (isAlive(grandchild)) process.kill(grandchild, "SIGKILL");
    });
    // Signals to the group fail with EPERM (as for a member that changed its user); probes pass.
    const realKill = process.kill.bind(process);
    const kill = vi.spyOn(process, "kill").mockImplementation((pid: number, signal?: string | number) => {
      if (pid === -wrapper && signal !== 0) {
        throw Object.assign(new Error("kill EPERM"), { code: "EPERM", errno: -1, syscall: "kill" });
      }
      return realKill(pid, signal);
    });
    // The wrapper dies; the grandchild is left in the group: the exit handler tries to reap it.
    realKill(wrapper, "SIGKILL");
    await within(5_000, closed, "the transport closing");
    expect(kill).toHaveBeenCalledWith(-wrapper, "SIGTERM");
    expect(isAlive(grandchild)).toBe(true);
    expect(errors.map((error) => (error as MCPConnectionError).code)).toEqual(["PROCESS_EXITED"]);
    expect(transport.closeReason).toMatchObject({ code: "PROCESS_EXITED", process: { signal: "SIGKILL" } });
    await within(5_000, transport.close(), "close() settling");
  });
});

describe("stdio: the closed-pipe report", () => {
  it("CONNECTION_CLOSED after stdout closed carries the stderr tail clipped like PROCESS_EXITED (last 4,000 characters)", async () => {
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

  it("MESSAGE_TOO_LARGE names its limit as maxMessageBytes, as on HTTP", async () => {
    const client = await connected(faultStdio("huge-response:200000", { max_message_bytes: 100_000 }));
    pids.add(client.getDiagnostics().pid!);
    const error = await rejection(client.callTool("huge", {}));
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: 100_000 } });
    expect((error as MCPConnectionError).context).not.toHaveProperty("limitBytes");
  });

  it("a server that closes stdout and exits with code 3 only 600 ms later: the report gets the exit code once it comes", async () => {
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

describe("a server that exited on its own is torn down once", () => {
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

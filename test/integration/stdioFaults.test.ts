import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import { MCPConnectionError, MCPTimeoutError } from "../../src/errors/errors.js";
import { elapsed } from "../helpers/async.js";
import { received } from "../helpers/faultLog.js";
import { isAlive, readPid } from "../helpers/processes.js";
import { faultStdio } from "../helpers/servers.js";
import { stdioTracking } from "../helpers/stdio.js";

const { trackClient: track, scratch, cleanUp } = stdioTracking();
afterEach(cleanUp);

describe("stdio faults (fault-matrix §7.2)", () => {
  it("#1 command not found: SPAWN_FAILED with ENOENT, fast, no process", async () => {
    const client = track(
      new MCPClient({ name: "missing", command: "npx", args: ["x"], cwd: "/definitely/not/here" }),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "SPAWN_FAILED", serverName: "missing" });
    expect(((value as Error).cause as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((value as Error).message).toContain("/definitely/not/here");
    expect(ms).toBeLessThan(1000);
    expect(client.state).toBe("failed");
  });

  it("#2 not executable: SPAWN_FAILED with EACCES", async () => {
    const dir = scratch();
    const script = join(dir, "node");
    writeFileSync(script, "#!/bin/sh\necho hi\n");
    chmodSync(script, 0o644);
    const client = track(new MCPClient({ name: "noexec", command: script }));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SPAWN_FAILED" });
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EACCES");
  });

  it("#3 exits immediately: PROCESS_EXITED with exit code and stderr reason, not an init timeout", async () => {
    const client = track(
      new MCPClient(
        faultStdio("exit-immediately:3", {
          connect_timeout: 20,
          fixtureEnv: { EXIT_REASON: "API_KEY is missing" },
        }),
      ),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "PROCESS_EXITED", process: { exitCode: 3 } });
    expect((value as MCPConnectionError).process?.stderrTail).toContain("API_KEY is missing");
    expect((value as Error).message).toContain("exited with code 3");
    expect(ms).toBeLessThan(3000);
    expect(client.state).toBe("failed");
  });

  it("#4 never answers initialize: INITIALIZE_TIMEOUT, no cancellation sent, process killed", async () => {
    const log = join(scratch(), "stdin.log");
    const client = track(
      new MCPClient(faultStdio("hang-init", { connect_timeout: 0.5, fixtureEnv: { LOG_FILE: log } })),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPTimeoutError);
    expect(value).toMatchObject({ code: "INITIALIZE_TIMEOUT", timeoutSeconds: 0.5, operation: "initialize" });
    expect(ms).toBeGreaterThanOrEqual(490);
    expect(ms).toBeLessThan(0.5 * 1000 + 2 * 200 + 1000);
    const methods = received(log).map((m) => m.method);
    expect(methods).toContain("initialize");
    expect(methods).not.toContain("notifications/cancelled");
    expect(client.state).toBe("failed");
  });

  it("#5 ignores SIGTERM: disconnect still returns in bounded time and the process is gone", async () => {
    const pidFile = join(scratch(), "pid");
    const client = track(
      await MCPClient.createAndConnect(faultStdio("ignore-sigterm", { fixtureEnv: { PID_FILE: pidFile } })),
    );
    const pid = readPid(pidFile);
    const { ms } = await elapsed(() => client.disconnect());
    expect(ms).toBeLessThan(2 * 200 + 1500);
    expect(isAlive(pid)).toBe(false);
    await client.disconnect();
  });

  it("#6 wrapper with a grandchild (like npx): the grandchild is gone after disconnect", async () => {
    const pidFile = join(scratch(), "pid");
    const client = track(
      await MCPClient.createAndConnect(
        faultStdio("spawn-grandchild,ignore-sigterm", { fixtureEnv: { PID_FILE: pidFile } }),
      ),
    );
    const wrapper = client.getDiagnostics().pid!;
    const grandchild = readPid(pidFile);
    expect(grandchild).not.toBe(wrapper);
    expect((await client.callTool("echo", { message: "through the wrapper" })).content).toEqual([
      { type: "text", text: "Echo: through the wrapper" },
    ]);
    const { ms } = await elapsed(() => client.disconnect());
    expect(isAlive(wrapper)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
    expect(ms).toBeLessThan(3 * 200 + 2500);
  });

  it("#6b a wrapper whose grandchild exits on EOF closes quickly", async () => {
    const pidFile = join(scratch(), "pid");
    const client = track(
      await MCPClient.createAndConnect(faultStdio("spawn-grandchild", { fixtureEnv: { PID_FILE: pidFile } })),
    );
    const grandchild = readPid(pidFile);
    await client.disconnect();
    expect(isAlive(grandchild)).toBe(false);
  });

  it("#7 crash mid-call: every pending call rejects at once with exit code and stderr", async () => {
    const client = track(
      await MCPClient.createAndConnect(
        faultStdio("crash-on-call", { timeout: 20, fixtureEnv: { CRASH_DELAY_MS: "100" } }),
      ),
    );
    const lost = new Promise((resolve) => client.on("error", (e) => e.lost && resolve(e.error)));
    const started = performance.now();
    const results = await Promise.allSettled([
      client.callTool("echo", { message: "a" }),
      client.callTool("echo", { message: "b" }),
      client.callTool("slow", { ms: 50 }),
    ]);
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(3000);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      const reason = (result as PromiseRejectedResult).reason as MCPConnectionError;
      expect(reason).toBeInstanceOf(MCPConnectionError);
      expect(reason.code).toBe("PROCESS_EXITED");
      expect(reason.process?.exitCode).toBe(2);
      expect(reason.process?.stderrTail).toContain("fatal: crash on call");
    }
    await lost;
    expect(client.state).toBe("failed");
    const before = client.getDiagnostics().pid;
    expect(await client.reconnect({ maxRetries: 1 })).toBe(true);
    expect(client.getDiagnostics().pid).not.toBe(before);
  });

  it("#8 logs on stdout: calls succeed and each noise line is reported", async () => {
    const warnings: string[] = [];
    const client = track(new MCPClient(faultStdio("log-to-stdout")));
    client.on("warning", (w) => warnings.push(w.kind));
    await client.connect();
    const result = await client.callTool("echo", { message: "x" });
    expect(result.content).toEqual([{ type: "text", text: "Echo: x" }]);
    expect(client.getDiagnostics().stdoutNoiseLines).toBeGreaterThanOrEqual(3);
    expect(warnings.filter((w) => w === "stdout-noise").length).toBe(
      client.getDiagnostics().stdoutNoiseLines,
    );
  });

  it("#9 a malformed response fails only that call with PROTOCOL_ERROR; the connection is kept", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("invalid-jsonrpc")));
    const error = await client.callTool("bad", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(client.isConnected()).toBe(true);
    expect((await client.callTool("echo", { message: "ok" })).isError).toBeFalsy();
  });

  it("#10 split writes and CRLF framing deliver every message once, in order", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("split-writes")));
    const results = await Promise.all([1, 2, 3].map((n) => client.callTool("echo", { message: `m${n}` })));
    expect(results.map((r) => (r.content as Array<{ text: string }>)[0]!.text)).toEqual([
      "Echo: m1",
      "Echo: m2",
      "Echo: m3",
    ]);
  });

  it("#11 oversized message: above the limit closes with MESSAGE_TOO_LARGE, just below succeeds", async () => {
    const below = track(
      await MCPClient.createAndConnect(
        faultStdio("huge-response:4096", { name: "below", max_message_bytes: 4096 }),
      ),
    );
    expect((await below.callTool("huge", {})).content).toHaveLength(1);
    const above = track(
      await MCPClient.createAndConnect(
        faultStdio("huge-response:4097", { name: "above", max_message_bytes: 4096 }),
      ),
    );
    const error = await above.callTool("huge", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "MESSAGE_TOO_LARGE", serverName: "above" });
    expect(above.state).toBe("failed");
  });

  it("#12 a slow tool past its timeout: REQUEST_TIMEOUT and the server is told to cancel", async () => {
    const log = join(scratch(), "stdin.log");
    const client = track(
      await MCPClient.createAndConnect(faultStdio("ok", { fixtureEnv: { LOG_FILE: log } })),
    );
    const error = await client.callTool("slow", { ms: 2000 }, { timeout: 0.2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPTimeoutError);
    expect(error).toMatchObject({ code: "REQUEST_TIMEOUT", operation: 'tools/call "slow"' });
    // The next answer proves the cancellation (sent before it) has been read by the fixture.
    await client.callTool("echo", { message: "after" });
    const cancelled = received(log).filter((m) => m.method === "notifications/cancelled");
    expect(cancelled).toHaveLength(1);
    expect(client.isConnected()).toBe(true);
  });

  it("#16 a stderr flood is drained and bounded; calls keep working", async () => {
    const client = track(await MCPClient.createAndConnect(faultStdio("stderr-flood:5242880")));
    const result = await client.callTool("echo", { message: "after flood" });
    expect(result.content).toEqual([{ type: "text", text: "Echo: after flood" }]);
    expect(Buffer.byteLength(client.getDiagnostics().stderrTail)).toBeLessThanOrEqual(64 * 1024);
  });

  it("#15 a server that stops reading stdin: requests time out instead of hanging", async () => {
    // The fixture stops reading right after `notifications/initialized`, so discovery's tools/list is
    // never read: connect must fail at the request timeout, not hang.
    const pidFile = join(scratch(), "pid");
    const client = track(
      new MCPClient(faultStdio("stop-reading-stdin", { timeout: 0.5, fixtureEnv: { PID_FILE: pidFile } })),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPTimeoutError);
    expect(value).toMatchObject({ code: "REQUEST_TIMEOUT", operation: "tools/list" });
    expect(ms).toBeLessThan(3000);
    expect(isAlive(readPid(pidFile))).toBe(false);
  });

  it("#29 disconnect during connect: connect rejects, no child is left", async () => {
    const pidFile = join(scratch(), "pid");
    const client = track(
      new MCPClient(faultStdio("hang-init", { connect_timeout: 30, fixtureEnv: { PID_FILE: pidFile } })),
    );
    const connecting = client.connect();
    const spawned = new Promise<void>((resolve) => {
      const check = () =>
        existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() ? resolve() : setImmediate(check);
      check();
    });
    await spawned;
    const pid = readPid(pidFile);
    await client.disconnect();
    const error = await connecting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(isAlive(pid)).toBe(false);
    expect(client.state).toBe("disconnected");
  });

  it("#30 a crash right after initialize fails the connect with PROCESS_EXITED", async () => {
    const client = track(new MCPClient(faultStdio("exit-after-init")));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "PROCESS_EXITED" });
    expect((error as MCPConnectionError).process?.stderrTail).toContain("exiting after initialize");
  });
});

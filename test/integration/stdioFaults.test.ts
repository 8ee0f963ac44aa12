// stdio rows of the fault matrix (fault-matrix §7.2, §7.3 P2 and P4) against the fault fixture
// (test/fixtures/faultServer.mjs), through MCPClient and MultiMCPClient. Real timers with shrunk
// options; every wait is on an event, a settled promise or a line the fixture logged, bounded by a
// deadline. After every test each client is disconnected and each pid a server ever had must be gone.
import { getEventListeners } from "node:events";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";

import { afterEach, describe, expect, it } from "vitest";

import type { StatusEvent } from "../../src/client/events.js";
import { MCPClient } from "../../src/client/mcpClient.js";
import type { MCPError } from "../../src/errors/errors.js";
import {
  MCPCancelledError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPTimeoutError,
  MCPValidationError,
} from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { elapsed } from "../helpers/async.js";
import { cancellations, received, toolCalls } from "../helpers/faultLog.js";
import { isAlive, readPid } from "../helpers/processes.js";
import { faultStdio } from "../helpers/servers.js";
import { stdioTracking } from "../helpers/stdio.js";

const { trackClient: track, trackMulti, scratch, cleanUp } = stdioTracking();
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

function text(result: { content?: unknown }): string {
  return (result.content as Array<{ text?: string }>).map((c) => c.text ?? "").join("");
}

/** The grace every fault fixture gets here (faultStdio's shutdown_grace of 0.2 s). */
const GRACE_MS = 200;

describe("stdio rows: bounds and leftovers the stdio suite does not assert", () => {
  it("#1 command not found (allowed by policy): SPAWN_FAILED naming the command with the PATH hint, fast, no retry loop", async () => {
    const events: string[] = [];
    const multi = trackMulti(
      new MultiMCPClient(
        [
          faultStdio("ok", { name: "a" }),
          {
            name: "missing",
            command: "definitely-not-a-cmd",
            security: { allowed_executables: ["definitely-not-a-cmd"] },
          },
        ],
        { onStatus: (event) => events.push(`${event.type}:${"server" in event ? event.server : ""}`) },
      ),
    );
    const { ms, value } = await elapsed(() => multi.connect());
    expect(ms).toBeLessThan(1000 + 1000); // a's own start included
    const error = (value as { servers: Record<string, { error?: MCPError }> }).servers.missing?.error;
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "SPAWN_FAILED", serverName: "missing" });
    expect((error?.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect(error?.message).toContain('"definitely-not-a-cmd"');
    expect(error?.message).toContain("PATH");
    expect(error?.message).toContain("Windows");
    expect(multi.getServerStatus("missing")).toMatchObject({
      state: "failed",
      reconnectAttempts: 0,
      pid: undefined,
      // Decision (docs/fault-matrix.md): a spawn failure counts for the breaker.
      consecutiveFailures: 1,
    });
    // A failed start is not retried in the background: only reconnectFailedServers() (or connect()) does.
    expect(events.filter((e) => e.startsWith("reconnecting:"))).toEqual([]);
    await expect(multi.callTool("mcp__missing__echo")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(multi.getServerStatus("missing").state).toBe("failed");
  });

  it("#3 exits immediately: rejects within ~100 ms of the exit, the pid is gone, the breaker counts a failure", async () => {
    const dir = scratch();
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", { name: "a" }),
        faultStdio("exit-immediately:1", {
          name: "b",
          fixtureEnv: { PID_FILE: join(dir, "b.pid"), EXIT_REASON: "no API key" },
        }),
      ]),
    );
    let exitedAt: number | undefined;
    let failedAt: number | undefined;
    multi.on("stderr", (event) => {
      if (event.server === "b" && event.message.includes("refusing to start")) exitedAt = performance.now();
    });
    multi.on("error", (event) => {
      if (event.server === "b" && !event.lost) failedAt = performance.now();
    });
    const summary = await multi.connect();
    expect(summary.servers.b?.error).toBeInstanceOf(MCPConnectionError);
    expect(summary.servers.b?.error).toMatchObject({
      code: "PROCESS_EXITED",
      serverName: "b",
      process: { exitCode: 1 },
    });
    expect((summary.servers.b?.error as MCPConnectionError).process?.stderrTail).toContain("no API key");
    // The fixture writes its reason right before it exits: the rejection follows the exit, not a timeout.
    expect(exitedAt).toBeDefined();
    expect(failedAt! - exitedAt!).toBeLessThan(400);
    expect(isAlive(readPid(join(dir, "b.pid")))).toBe(false);
    expect(multi.getServerStatus("b")).toMatchObject({ state: "failed", consecutiveFailures: 1 });
    expect(multi.getServerStatus("a")).toMatchObject({ state: "connected", consecutiveFailures: 0 });
  });

  it("#4 never answers initialize: the child is gone by the time connect rejects, within initTimeout + 2·grace", async () => {
    const dir = scratch();
    const pidFile = join(dir, "pid");
    const client = track(
      new MCPClient(faultStdio("hang-init", { connect_timeout: 0.3, fixtureEnv: { PID_FILE: pidFile } })),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPTimeoutError);
    expect(value).toMatchObject({ code: "INITIALIZE_TIMEOUT", serverName: "fault" });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(300 + 2 * GRACE_MS + 600);
    expect(isAlive(readPid(pidFile))).toBe(false);
    expect(client.state).toBe("failed");
  });

  it("#9 JSON that is not JSON-RPC: a protocol-error warning; the malformed answer fails only its call", async () => {
    const client = track(new MCPClient(faultStdio("invalid-jsonrpc")));
    const warnings: Array<{ kind: string; message: string }> = [];
    client.on("warning", (warning) => warnings.push(warning));
    await client.connect();
    const [bad, good] = await Promise.allSettled([
      client.callTool("bad", {}),
      client.callTool("echo", { message: "unaffected" }),
    ]);
    expect(bad.status).toBe("rejected");
    expect((bad as PromiseRejectedResult).reason).toMatchObject({
      code: "PROTOCOL_ERROR",
      serverName: "fault",
    });
    expect(good.status === "fulfilled" && text(good.value)).toBe("Echo: unaffected");
    expect(warnings).toEqual([
      expect.objectContaining({
        kind: "protocol-error",
        message: expect.stringContaining("invalid JSON-RPC"),
      }),
    ]);
    expect(client.isConnected()).toBe(true);
  });

  it("#13 progress: completes below maxTotalTimeout, REQUEST_TIMEOUT at maxTotalTimeout, a token on every request", async () => {
    const log = join(scratch(), "stdin.log");
    const client = track(
      await MCPClient.createAndConnect(faultStdio("ok", { fixtureEnv: { LOG_FILE: log } })),
    );
    // Four steps 100 ms apart outlive a 250 ms timeout only because every step restarts it.
    const steps: number[] = [];
    const done = await client.callTool(
      "progress",
      { steps: 4, intervalMs: 100 },
      {
        timeout: 0.25,
        onProgress: (p) => steps.push(p.progress),
        resetTimeoutOnProgress: true,
        maxTotalTimeout: 2,
      },
    );
    expect(text(done)).toBe("progress done 4");
    expect(steps).toEqual([1, 2, 3, 4]);
    // The other side: without the reset the same call times out at its own timeout.
    const plain = await elapsed(() =>
      client.callTool(
        "progress",
        { steps: 4, intervalMs: 100 },
        { timeout: 0.25, onProgress: () => undefined },
      ),
    );
    expect(plain.value).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutSeconds: 0.25 });
    expect(plain.ms).toBeLessThan(390);
    // Progress forever: the hard bound ends it at maxTotalTimeout.
    let updates = 0;
    const bounded = await elapsed(() =>
      client.callTool(
        "progress",
        { steps: 50, intervalMs: 100 },
        { timeout: 0.25, onProgress: () => updates++, resetTimeoutOnProgress: true, maxTotalTimeout: 0.8 },
      ),
    );
    expect(bounded.value).toBeInstanceOf(MCPTimeoutError);
    expect(bounded.value).toMatchObject({
      code: "REQUEST_TIMEOUT",
      timeoutSeconds: 0.8,
      operation: 'tools/call "progress"',
    });
    expect((bounded.value as Error).message).toContain("maxTotalTimeout of 0.8 s");
    expect(bounded.ms).toBeGreaterThanOrEqual(790);
    expect(bounded.ms).toBeLessThan(1300);
    expect(updates).toBeGreaterThanOrEqual(5);
    await client.callTool("echo", { message: "sync" });
    const progressCalls = toolCalls(log).filter((m) => m.params?.name === "progress");
    expect(progressCalls).toHaveLength(3);
    for (const call of progressCalls) expect(call.params?._meta?.progressToken).toEqual(expect.any(String));
    expect(client.isConnected()).toBe(true);
  });

  it("#12 + P4: a timeout cancels that request id and counts once; policy refusals send nothing and are neutral", async () => {
    const log = join(scratch(), "stdin.log");
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", {
          name: "f",
          exclude_tools: ["crash"],
          circuit_breaker: { failure_threshold: 3 },
          fixtureEnv: { LOG_FILE: log },
        }),
      ]),
    );
    await multi.connect();

    // #12: REQUEST_TIMEOUT, the fixture is told to cancel exactly that request, one breaker failure.
    const timeout = await multi
      .callTool("mcp__f__slow", { ms: 5_000 }, { timeout: 0.15 })
      .catch((e: unknown) => e);
    expect(timeout).toBeInstanceOf(MCPTimeoutError);
    expect(timeout).toMatchObject({ code: "REQUEST_TIMEOUT", timeoutSeconds: 0.15, serverName: "f" });
    expect(multi.getServerStatus("f")).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    await multi.getClient("f").healthCheck(); // answered after the cancellation: the fixture has read it
    const slowCall = toolCalls(log).find((m) => m.params?.name === "slow")!;
    expect(cancellations(log).map((m) => m.params?.requestId)).toEqual([slowCall.id]);

    // P4: arguments over max_size → POLICY_VIOLATION before anything is sent; the value is not echoed.
    const pad = ["p".repeat(6_000), "q".repeat(6_000)];
    const sentBefore = toolCalls(log).length;
    const refused = await multi.callTool("mcp__f__echo", { message: "x", pad }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MCPValidationError);
    expect(refused).toMatchObject({ code: "POLICY_VIOLATION", rule: "toolArgs.size", serverName: "f" });
    expect((refused as Error).message).not.toContain("pppppppp");
    // P4: a tool on the deny list (exclude_tools) is invisible: NOT_FOUND, nothing sent.
    await expect(multi.callTool("mcp__f__crash")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(multi.getClient("f").callTool("crash")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await multi.getClient("f").healthCheck();
    expect(toolCalls(log)).toHaveLength(sentBefore);
    // Neutral: the failure count is neither raised nor reset by refusals…
    expect(multi.getServerStatus("f")).toMatchObject({ breaker: "closed", consecutiveFailures: 1 });
    // …while an answer does reset it (so the assertion above could have failed).
    expect(text(await multi.callTool("mcp__f__echo", { message: "ok" }))).toBe("Echo: ok");
    expect(multi.getServerStatus("f").consecutiveFailures).toBe(0);
  });

  it("#14 caller abort: REQUEST_CANCELLED, the cancellation is sent for that id, breaker-neutral, no listener growth over 1 000 calls", async () => {
    const log = join(scratch(), "stdin.log");
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", {
          name: "f",
          circuit_breaker: { failure_threshold: 3 },
          fixtureEnv: { LOG_FILE: log },
        }),
      ]),
    );
    await multi.connect();
    await expect(multi.callTool("mcp__f__slow", { ms: 5_000 }, { timeout: 0.1 })).rejects.toBeInstanceOf(
      MCPTimeoutError,
    );
    expect(multi.getServerStatus("f").consecutiveFailures).toBe(1);

    // Aborted mid-call: the first progress update proves the request reached the server.
    const controller = new AbortController();
    const aborted = await multi
      .callTool(
        "mcp__f__progress",
        { steps: 50, intervalMs: 20 },
        { signal: controller.signal, onProgress: () => controller.abort("user pressed stop"), timeout: 10 },
      )
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(MCPCancelledError);
    expect(aborted).not.toBeInstanceOf(MCPTimeoutError);
    expect(aborted).toMatchObject({ code: "REQUEST_CANCELLED", serverName: "f" });
    expect(multi.getServerStatus("f")).toMatchObject({
      state: "connected",
      breaker: "closed",
      consecutiveFailures: 1,
    });
    // The same for a call without progress: the ping answered after it proves the fixture has read it.
    const plainController = new AbortController();
    const plain = multi
      .callTool("mcp__f__slow", { ms: 5_000 }, { signal: plainController.signal, timeout: 10 })
      .catch((e: unknown) => e);
    expect(await multi.getClient("f").healthCheck()).toBe(true);
    plainController.abort();
    expect(await plain).toBeInstanceOf(MCPCancelledError);
    expect(await plain).toMatchObject({ code: "REQUEST_CANCELLED", serverName: "f" });
    expect(multi.getServerStatus("f").consecutiveFailures).toBe(1);
    await multi.getClient("f").healthCheck();
    const progressCall = toolCalls(log).find((m) => m.params?.name === "progress")!;
    const plainCall = toolCalls(log).filter((m) => m.params?.name === "slow")[1]!;
    expect(cancellations(log).map((m) => m.params?.requestId)).toEqual(
      expect.arrayContaining([progressCall.id, plainCall.id]),
    );

    // One signal reused for 1 000 calls: every call removes the listeners it added; the one listener
    // left is the signal's linked internal signal, shared by all calls, that never grows.
    const shared = new AbortController();
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          multi.callTool("mcp__f__echo", { message: `${batch}-${i}` }, { signal: shared.signal }),
        ),
      );
      expect(results).toHaveLength(100);
      expect(getEventListeners(shared.signal, "abort")).toHaveLength(1);
    }
    expect(multi.getServerStatus("f")).toMatchObject({ consecutiveFailures: 0, inFlight: 0, queued: 0 });
  });
});

describe("P2: secrets in args and env never reach messages, events or logs", () => {
  const TOKEN = "ghp_0123456789abcdefghijABCDEFGHIJ";

  it("a variable outside the env allow-list is refused at construction, naming it but not its value", () => {
    const error = (() => {
      try {
        new MCPClient(
          faultStdio("ok", {
            fixtureEnv: { SECRET_THING: "hunter2-value" },
            security: { env: { mode: "allowlist", allowed_vars: ["MODE"] } },
          }),
        );
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MCPConfigurationError);
    const issues = (error as MCPConfigurationError).issues;
    expect(issues).toEqual([expect.objectContaining({ rule: "env.allowlist", path: "env.SECRET_THING" })]);
    expect((error as Error).message).toContain("SECRET_THING");
    expect(inspect(error, { depth: 10 })).not.toContain("hunter2-value");
  });

  it("a failed spawn with a token in its args: not in the message, the cause, toJSON or any event", async () => {
    const events: StatusEvent[] = [];
    const client = track(
      new MCPClient(
        {
          name: "secretive",
          command: process.execPath,
          args: ["server.js", "--token", TOKEN, `--api-key=${TOKEN}`],
          cwd: join(scratch(), "missing"),
        },
        { onStatus: (event) => events.push(event) },
      ),
    );
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SPAWN_FAILED", serverName: "secretive" });
    for (const shown of [
      (error as Error).message,
      inspect(error, { depth: 10 }),
      JSON.stringify((error as MCPError).toJSON()),
      JSON.stringify(events),
      inspect(events, { depth: 10 }),
    ]) {
      expect(shown).not.toContain(TOKEN);
    }
    expect(((error as Error).cause as { spawnargs?: string[] }).spawnargs).toEqual([
      "server.js",
      "--token",
      "[REDACTED]",
      "--api-key=[REDACTED]",
    ]);
  });
});

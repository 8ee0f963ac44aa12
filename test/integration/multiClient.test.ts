import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { MCPCircuitOpenError, MCPConnectionError, MCPTimeoutError } from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { nextEvent } from "../helpers/multiEvents.js";
import { isAlive, readPid } from "../helpers/processes.js";
import { demoStdio, faultStdio } from "../helpers/servers.js";
import { stdioTracking } from "../helpers/stdio.js";

const { pids, trackMulti, scratch, cleanUp } = stdioTracking();
afterEach(cleanUp);

function text(result: { content?: unknown }): string {
  const content = result.content as Array<{ type: string; text?: string }>;
  return content.map((c) => c.text ?? "").join("");
}

/** tools/call requests the fault fixture received (LOG_FILE). */
function toolCallsIn(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { method?: string; params?: { name?: string } })
    .filter((m) => m.method === "tools/call")
    .map((m) => m.params?.name ?? "");
}

describe("MultiMCPClient with real servers", () => {
  it("connects healthy, crashing and hanging servers in parallel: partial success, bounded time, routing", async () => {
    const grandchildPidFile = join(scratch(), "grandchild.pid");
    const HANG_TIMEOUT_S = 1;
    const multi = trackMulti(
      new MultiMCPClient([
        demoStdio({ name: "demo" }),
        faultStdio("crash-on-call", { name: "crashy" }),
        faultStdio("spawn-grandchild", { name: "wrapper", fixtureEnv: { PID_FILE: grandchildPidFile } }),
        faultStdio("hang-init", { name: "hang1", connect_timeout: HANG_TIMEOUT_S }),
        faultStdio("hang-init", { name: "hang2", connect_timeout: HANG_TIMEOUT_S }),
        faultStdio("hang-init", { name: "hang3", connect_timeout: HANG_TIMEOUT_S }),
      ]),
    );
    const started = performance.now();
    const summary = await multi.connect();
    const elapsed = performance.now() - started;
    pids.add(readPid(grandchildPidFile));

    expect(summary.connected).toEqual(["demo", "crashy", "wrapper"]);
    expect(summary.failed).toEqual(["hang1", "hang2", "hang3"]);
    for (const name of ["hang1", "hang2", "hang3"]) {
      expect(summary.servers[name]?.error).toMatchObject({ code: "INITIALIZE_TIMEOUT", serverName: name });
    }
    // In parallel: about one hang timeout (plus its teardown), far from the 3 s the three would take in turn.
    expect(elapsed).toBeGreaterThanOrEqual(HANG_TIMEOUT_S * 1000 - 20);
    expect(elapsed).toBeLessThan(3 * HANG_TIMEOUT_S * 1000 - 500);

    // Routing through the table: tools, resources (static and template), prompts.
    expect(text(await multi.callTool("mcp__demo__echo", { message: "hi" }))).toBe("Echo: hi");
    expect(text(await multi.callTool("mcp__wrapper__echo", { message: "deep" }))).toBe("Echo: deep");
    const readme = await multi.getResource("demo://readme");
    expect(readme.contents[0]?.uri).toBe("demo://readme");
    const fixture = await multi.getResource("fixture://a");
    expect(fixture.contents[0]).toMatchObject({ text: "fixture resource a" });
    const note = await multi.getResource("demo://notes/7");
    expect(note.contents[0]?.uri).toBe("demo://notes/7");
    const prompt = await multi.getPrompt("mcp__crashy__p", { topic: "routing" });
    expect(prompt.messages[0]?.content).toMatchObject({ text: "Prompt p about routing" });
    await expect(multi.callTool("mcp__demo__ecko")).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining('Did you mean "mcp__demo__echo"'),
    });

    // One server crashing (any tools/call crashes it) never rejects a call to another.
    const slow = multi.callTool("mcp__demo__slow_task", { seconds: 0.3, steps: 3 });
    const crash = multi.callTool("mcp__crashy__crash").catch((e: unknown) => e);
    const crashError = await crash;
    expect(crashError).toBeInstanceOf(MCPConnectionError);
    expect(crashError).toMatchObject({ code: "PROCESS_EXITED", serverName: "crashy" });
    expect(text(await slow)).toContain("Completed 3 steps");

    await expect(multi.healthCheckAll({ timeout: 5 })).resolves.toMatchObject({
      demo: true,
      wrapper: true,
      hang1: false,
      hang2: false,
      hang3: false,
    });
  });

  it("reconnects a killed server on its own: tools restored, an old handle keeps working", async () => {
    const multi = trackMulti(
      new MultiMCPClient([demoStdio({ name: "demo", reconnect: { initial_delay: 0.05 } })]),
    );
    await multi.connect();
    const handle = multi.tool("mcp__demo__echo");
    const toolsBefore = multi.getAvailableTools();
    const oldPid = multi.getServerStatus("demo").pid!;
    expect(isAlive(oldPid)).toBe(true);

    const reconnecting = nextEvent(multi, "reconnecting");
    const reconnected = nextEvent(multi, "reconnected");
    process.kill(oldPid, "SIGKILL");
    await reconnecting;
    expect(multi.getServerStatus("demo").state).toBe("reconnecting");
    // A call made during the reconnect waits for it (within its own timeout) and is sent once.
    const duringReconnect = handle.call({ message: "waited" }, { timeout: 10 });
    await reconnected;
    expect(text(await duringReconnect)).toBe("Echo: waited");

    const newPid = multi.getServerStatus("demo").pid!;
    pids.add(newPid);
    expect(newPid).not.toBe(oldPid);
    expect(isAlive(oldPid)).toBe(false);
    expect(multi.getAvailableTools()).toEqual(toolsBefore);
    expect(text(await handle.call({ message: "again" }))).toBe("Echo: again");
    expect(text(await multi.callTool("mcp__demo__echo", { message: "by name" }))).toBe("Echo: by name");
    expect(multi.getServerStatus("demo")).toMatchObject({ state: "connected", breaker: "closed" });
  });

  it("opens the breaker after repeated timeouts (nothing sent while open) and recovers after recovery_timeout", async () => {
    const log = join(scratch(), "stdin.log");
    const multi = trackMulti(
      new MultiMCPClient([
        faultStdio("ok", {
          name: "flaky",
          fixtureEnv: { LOG_FILE: log },
          circuit_breaker: { failure_threshold: 2, recovery_timeout: 0.4 },
        }),
      ]),
    );
    await multi.connect();
    const transitions: string[] = [];
    multi.on("breakerStateChange", (change) => transitions.push(`${change.from}→${change.to}`));

    for (let i = 0; i < 2; i++) {
      await expect(
        multi.callTool("mcp__flaky__slow", { ms: 5_000 }, { timeout: 0.2 }),
      ).rejects.toBeInstanceOf(MCPTimeoutError);
    }
    expect(multi.getServerStatus("flaky")).toMatchObject({ breaker: "open" });
    const refused = await multi.callTool("mcp__flaky__echo", { message: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MCPCircuitOpenError);
    expect((refused as MCPCircuitOpenError).retryAfter).toBeGreaterThan(0);
    expect((refused as MCPCircuitOpenError).retryAfter).toBeLessThanOrEqual(0.4);
    expect((refused as Error).cause).toMatchObject({ code: "REQUEST_TIMEOUT" });
    // The fixture logs every line before handling it; the echo never reached it.
    expect(await multi.healthCheckAll()).toEqual({ flaky: false }); // refused, not sent either
    expect(toolCallsIn(log)).toEqual(["slow", "slow"]);

    // The breaker is lazy (no timer): the recovery time itself is what this waits out.
    await new Promise((resolve) =>
      setTimeout(resolve, multi.getServerStatus("flaky").retryAfter * 1000 + 20),
    );
    expect(multi.getServerStatus("flaky").breaker).toBe("half-open");
    expect(text(await multi.callTool("mcp__flaky__echo", { message: "probe" }))).toBe("Echo: probe");
    expect(multi.getServerStatus("flaky")).toMatchObject({ breaker: "closed", consecutiveFailures: 0 });
    expect(transitions).toEqual(["closed→open", "open→half-open", "half-open→closed"]);
    expect(toolCallsIn(log)).toEqual(["slow", "slow", "echo"]);
  });

  it("reconnectFailedServers() brings back a server that failed at start", async () => {
    const missingDir = join(scratch(), "later");
    const multi = trackMulti(
      new MultiMCPClient({
        mcpServers: {
          demo: demoStdio(),
          late: demoStdio({ cwd: missingDir }),
        },
      }),
    );
    const summary = await multi.connect();
    expect(summary.failed).toEqual(["late"]);
    expect(summary.servers.late?.error).toMatchObject({ code: "SPAWN_FAILED" });
    expect(multi.getToolsByServer("late")).toEqual([]);
    await expect(multi.reconnectFailedServers({ maxRetries: 1 })).resolves.toEqual({ late: false });

    mkdirSync(missingDir);
    await expect(multi.reconnectFailedServers()).resolves.toEqual({ late: true });
    expect(multi.getServerStatus("late")).toMatchObject({ state: "connected", lastError: undefined });
    pids.add(multi.getServerStatus("late").pid!);
    expect(text(await multi.callTool("mcp__late__echo", { message: "back" }))).toBe("Echo: back");
  });

  it("repeats connect/disconnect cycles without leaking a process", async () => {
    const multi = trackMulti(new MultiMCPClient([demoStdio({ name: "a" }), faultStdio("ok", { name: "b" })]));
    for (let cycle = 0; cycle < 2; cycle++) {
      await multi.connect();
      const cyclePids = multi.serverNames.map((name) => multi.getServerStatus(name).pid!);
      expect(cyclePids.every((pid) => isAlive(pid))).toBe(true);
      await multi[Symbol.asyncDispose]();
      for (const pid of cyclePids) expect(isAlive(pid)).toBe(false);
      expect(multi.isConnected()).toBe(false);
    }
  });
});

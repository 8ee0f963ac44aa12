// MultiMCPClient lifecycle defects a review proved with real processes: each test is the proof, turned
// around.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { afterEach, describe, expect, it } from "vitest";

import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { isAlive } from "../helpers/processes.js";
import { DEMO_SERVER, FAULT_SERVER, faultStdio } from "../helpers/servers.js";

const multis: MultiMCPClient[] = [];
const pids = new Set<number>();

afterEach(async () => {
  await Promise.all(multis.splice(0).map((m) => m.disconnect()));
  for (const pid of pids) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
  pids.clear();
});

/** Records the pid of every server the client ever connects. */
function track(multi: MultiMCPClient): MultiMCPClient {
  multis.push(multi);
  multi.on("connected", ({ server }) => {
    const pid = multi.getServerStatus(server).pid;
    if (pid !== undefined) pids.add(pid);
  });
  return multi;
}

/** Runs an ES module script with this Node; resolves with its exit code and output (bounded). */
function runScript(
  source: string,
  ms = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", source],
      { timeout: ms, killSignal: "SIGKILL" },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        resolvePromise({ code: typeof code === "number" ? code : null, stdout, stderr });
      },
    );
  });
}

describe("MultiMCPClient lifecycle with real servers", () => {
  it("disconnect() during a reconnect attempt's close leaves no server running (no new server is started)", async () => {
    const multi = track(
      new MultiMCPClient([
        faultStdio("ping-hang-after:1,ignore-sigterm", {
          name: "stuck",
          health_check: { interval: 0.2, timeout: 0.2, max_misses: 1 },
          reconnect: { initial_delay: 0.05 },
        }),
      ]),
    );
    const closing = new Promise<void>((resolveClosing) => {
      // The reconnect attempt closes the old server first; with ignore-sigterm that takes the grace twice.
      multi.on("reconnecting", () => {
        const off = multi.on("stateChange", ({ to }) => {
          if (to !== "disconnecting") return;
          off();
          resolveClosing();
        });
      });
    });
    await multi.connect();
    const firstPid = multi.getServerStatus("stuck").pid!;
    await closing;
    expect(multi.getServerStatus("stuck").state).toBe("reconnecting");
    await multi.disconnect();

    expect(isAlive(firstPid)).toBe(false);
    expect([...pids]).toEqual([firstPid]); // the attempt never started a second server
    expect(multi.getClient("stuck").isConnected()).toBe(false);
    expect(multi.getServerStatus("stuck").state).toBe("disconnected");
  });

  it("a script awaiting reconnectServer() gets its answer: the backoff wait keeps Node alive", async () => {
    const index = pathToFileURL(resolve(DEMO_SERVER, "../../index.js")).href;
    const config = {
      name: "fault",
      type: "stdio",
      command: process.execPath,
      args: [FAULT_SERVER],
      env: { MODE: "exit-immediately:1" },
      retry_delay: 0.3,
      max_retries: 2,
    };
    const result = await runScript(`
      import { MultiMCPClient } from ${JSON.stringify(index)};
      const multi = new MultiMCPClient([${JSON.stringify(config)}]);
      const attempts = [];
      multi.on("reconnecting", (e) => attempts.push(e.attempt));
      const ok = await multi.reconnectServer("fault");
      console.log("settled", ok, attempts.join(","));
      await multi.disconnect();
    `);
    expect(result.stdout.trim()).toBe("settled false 1,2");
    expect(result.code).toBe(0);
  });
});

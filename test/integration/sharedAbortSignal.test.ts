// Many concurrent calls sharing one AbortSignal: Node printed MaxListenersExceededWarning ("possible
// memory leak") because every call (ours, and the SDK's per request) added an "abort" listener to the
// caller's signal. Now the signal gets one listener, and the SDK's per-request listeners go on its one internal linked signal; aborting
// still cancels every call (issue 11 item 12). Real fixture server over stdio.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { afterEach, describe, expect, it, vi } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import { MCPCancelledError } from "../../src/errors/errors.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { resultText } from "../helpers/async.js";
import { isAlive } from "../helpers/processes.js";
import { faultStdio, tempDir } from "../helpers/servers.js";
import { recordWarnings, warningsSettled } from "../helpers/warnings.js";

const CALLS = 60;
const closers: Array<() => Promise<unknown>> = [];
const cleanups: Array<() => void> = [];
const pids: number[] = [];
let warnings: ReturnType<typeof recordWarnings> | undefined;

afterEach(async () => {
  warnings?.stop();
  warnings = undefined;
  await Promise.all(closers.splice(0).map((close) => close()));
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const pid of pids.splice(0)) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
});

/**
 * The requests the fixture was told to cancel. A later call is answered first, so every line sent
 * before it is in the fixture's log by then.
 */
async function cancelledAtServer(client: MCPClient, log: string): Promise<number> {
  expect(resultText(await client.callTool("echo", { message: "sync" }))).toBe("Echo: sync");
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line.includes('"notifications/cancelled"')).length;
}

describe(`${CALLS} concurrent calls sharing one AbortSignal`, () => {
  it("MCPClient: no MaxListenersExceededWarning; one abort cancels all of them at the server too", async () => {
    warnings = recordWarnings();
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const log = join(dir.path, "stdin.log");
    const client = new MCPClient(faultStdio("ok", { name: "shared", fixtureEnv: { LOG_FILE: log } }));
    closers.push(() => client.disconnect());
    await client.connect();
    pids.push(client.getDiagnostics().pid!);

    const controller = new AbortController();
    const calls = Array.from({ length: CALLS }, () =>
      client.callTool("slow", { ms: 60_000 }, { signal: controller.signal }).catch((e: unknown) => e),
    );
    await vi.waitFor(() => expect(client.inFlight).toBe(CALLS));
    await warningsSettled();
    expect(warnings.names()).not.toContain("MaxListenersExceededWarning");

    controller.abort(new Error("user pressed stop"));
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof MCPCancelledError)).toBe(true);
    expect(client.inFlight).toBe(0);
    expect(await cancelledAtServer(client, log)).toBe(CALLS);
    expect(client.state).toBe("connected");
  });

  it("MultiMCPClient (16 in flight, the rest queued): no warning; one abort cancels the running and the queued", async () => {
    warnings = recordWarnings();
    const multi = new MultiMCPClient([faultStdio("ok", { name: "shared" })]);
    closers.push(() => multi.disconnect());
    await multi.connect();
    const client = multi.getClient("shared");
    pids.push(client.getDiagnostics().pid!);

    const controller = new AbortController();
    const calls = Array.from({ length: CALLS }, () =>
      multi
        .callTool("mcp__shared__slow", { ms: 60_000 }, { signal: controller.signal })
        .catch((e: unknown) => e),
    );
    await vi.waitFor(() =>
      expect(multi.getServerStatus("shared")).toMatchObject({ inFlight: 16, queued: CALLS - 16 }),
    );
    await vi.waitFor(() => expect(client.inFlight).toBe(16));
    await warningsSettled();
    expect(warnings.names()).not.toContain("MaxListenersExceededWarning");

    controller.abort();
    const outcomes = await Promise.all(calls);
    expect(outcomes.every((o) => o instanceof MCPCancelledError)).toBe(true);
    expect(multi.getServerStatus("shared")).toMatchObject({
      inFlight: 0,
      queued: 0,
      breaker: "closed",
      consecutiveFailures: 0,
    });
    expect(resultText(await multi.callTool("mcp__shared__echo", { message: "after" }))).toBe("Echo: after");
  });
});

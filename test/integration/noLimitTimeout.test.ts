// `timeout: Infinity` is documented as "no limit". MCPClient handed the SDK min(Infinity, 2^31−1 ms),
// and its progress path armed the same, so a call still ended with MCPTimeoutError after 24.8 days.
// Now no timer is armed for it at all (issue 11 item 10). Real fixture server over stdio; only the
// timers are fake, so 30 days pass in an instant.
import { afterEach, describe, expect, it, vi } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import { MCPCancelledError } from "../../src/errors/errors.js";
import { settledState } from "../helpers/async.js";
import { isAlive } from "../helpers/processes.js";
import { faultStdio } from "../helpers/servers.js";

const DAYS_30_MS = 30 * 24 * 3600 * 1000;
const clients: MCPClient[] = [];
const pids: number[] = [];

afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
  for (const pid of pids.splice(0)) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
});

describe.each([
  ["a plain call", {}],
  ["a call with progress", { onProgress: (): void => undefined }],
  [
    "a call whose progress restarts the timeout",
    { onProgress: (): void => undefined, resetTimeoutOnProgress: true, maxTotalTimeout: Infinity },
  ],
])("MCPClient, timeout: Infinity, %s", (_label, extra) => {
  it("is still waiting after 30 days, and the caller can still cancel it", async () => {
    const client = new MCPClient(faultStdio("ok", { name: "patient" }));
    clients.push(client);
    await client.connect();
    pids.push(client.getDiagnostics().pid!);
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const controller = new AbortController();
    const call = settledState(
      client.callTool("slow", { ms: 600_000 }, { timeout: Infinity, signal: controller.signal, ...extra }),
    );
    await vi.waitFor(() => expect(client.inFlight).toBe(1));
    await vi.advanceTimersByTimeAsync(DAYS_30_MS);
    expect(call).toEqual({ settled: false });
    controller.abort();
    await vi.waitFor(() => expect(call.settled).toBe(true));
    expect(call.error).toBeInstanceOf(MCPCancelledError);
    vi.useRealTimers();
    expect(client.state).toBe("connected");
  });
});

// Tracking for tests with real stdio servers: what a test makes through `stdioTracking()` is closed
// by its `cleanUp` (the file's afterEach), all at once; then every recorded pid, and every child of
// one, must be gone; then the scratch directories are removed.
import { expect } from "vitest";

import type { MCPClient } from "../../src/client/mcpClient.js";
import type { MultiMCPClient } from "../../src/multi/multiClient.js";
import type { StdioTransport } from "../../src/transport/stdioTransport.js";
import { isAlive, liveChildrenOf } from "./processes.js";
import { tempDir } from "./servers.js";

export function stdioTracking() {
  const closes: Array<() => Promise<unknown>> = [];
  /** Every pid that must be gone after the test; tests add the ones they learn of. */
  const pids = new Set<number>();
  const cleanups: Array<() => void> = [];

  /** Records the pid of the client's server when the test ends, so it cannot be left behind. */
  function trackClient(client: MCPClient): MCPClient {
    closes.push(() => {
      const pid = client.getDiagnostics().pid;
      if (pid !== undefined) pids.add(pid);
      return client.disconnect();
    });
    return client;
  }

  /** Records the pid of every server the multi-client ever connects, so none can be left behind. */
  function trackMulti(multi: MultiMCPClient): MultiMCPClient {
    closes.push(() => multi.disconnect());
    multi.on("connected", () => {
      for (const name of multi.serverNames) {
        const pid = multi.getServerStatus(name).pid;
        if (pid !== undefined) pids.add(pid);
      }
    });
    return multi;
  }

  function trackTransport(transport: StdioTransport): StdioTransport {
    closes.push(() => transport.close());
    return transport;
  }

  /** A temporary directory, removed after the test. */
  function scratch(): string {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    return dir.path;
  }

  async function cleanUp(): Promise<void> {
    await Promise.all(closes.splice(0).map((close) => close()));
    for (const pid of pids) {
      expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
      expect(liveChildrenOf(pid), `children of ${pid} left running`).toEqual([]);
    }
    pids.clear();
    for (const cleanup of cleanups.splice(0)) cleanup();
  }

  return { pids, trackClient, trackMulti, trackTransport, scratch, cleanUp };
}

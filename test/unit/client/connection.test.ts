// Connection lifecycle of MCPClient in process (test/helpers/inMemoryClient.ts): a lost connection,
// reconnect() through the shared loop (resilience/reconnectLoop.ts) and diagnostics of a transport
// that is neither stdio nor HTTP.
import { afterEach, describe, expect, it } from "vitest";

import type { MCPClient } from "../../../src/client/mcpClient.js";
import { inMemoryClient } from "../../helpers/inMemoryClient.js";

const clients: MCPClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
});

function start() {
  const made = inMemoryClient((server) =>
    server.setRequestHandler("tools/list", () => ({
      tools: [{ name: "a", inputSchema: { type: "object" } }],
    })),
  );
  clients.push(made.client);
  return made;
}

describe("connection", () => {
  it("a server that goes away fails the connection with lost: true; reconnect() connects again", async () => {
    const made = start();
    const { client } = made;
    await client.connect();
    const lost = new Promise<{ lost: boolean; message: string }>((resolve) => client.on("error", resolve));
    await made.server().close();
    expect(await lost).toMatchObject({
      lost: true,
      message: 'The connection to server "mem" was lost. Call reconnect() to restore it.',
    });
    expect(client.state).toBe("failed");
    expect(client.getAvailableTools()).toEqual(["a"]);

    const attempts: unknown[] = [];
    client.on("reconnecting", (event) => attempts.push(event));
    await expect(client.reconnect({ maxRetries: 2, retryDelay: 0 })).resolves.toBe(true);
    expect(attempts).toEqual([
      { server: "mem", attempt: 1, delaySeconds: 0, message: 'Reconnecting to "mem" (attempt 1 of 2)' },
    ]);
    expect(client.state).toBe("connected");
    expect(made.connections()).toBe(2);
    // The new connection answers: this server has no tools/call handler.
    await expect(client.callTool("a")).rejects.toMatchObject({ rpcCode: -32601 });
  });

  it("reconnect() with maxRetries 0 resolves false without touching the connection", async () => {
    const made = start();
    await made.client.connect();
    await expect(made.client.reconnect({ maxRetries: 0 })).resolves.toBe(false);
    expect(made.client.state).toBe("connected");
    expect(made.connections()).toBe(1);
  });

  it("reconnect() whose signal aborts after the connect succeeded resolves true (it is connected)", async () => {
    const made = start();
    const { client } = made;
    await client.connect();
    await made.server().close();
    await expect.poll(() => client.state).toBe("failed");
    const controller = new AbortController();
    client.on("connected", () => controller.abort());
    await expect(client.reconnect({ maxRetries: 2, retryDelay: 0, signal: controller.signal })).resolves.toBe(
      true,
    );
    expect(client.state).toBe("connected");
    expect(made.connections()).toBe(2);
  });

  it("diagnostics of a transport with nothing to report, and after disconnect", async () => {
    const { client } = start();
    await client.connect();
    expect(client.getDiagnostics()).toEqual({
      server: "mem",
      state: "connected",
      transport: "stdio",
      pid: undefined,
      sessionId: undefined,
      stdoutNoiseLines: 0,
      stderrTail: "",
      inFlight: 0,
      lastError: undefined,
      sessionRenewals: 0,
    });
    await client.disconnect();
    expect(client.getDiagnostics()).toMatchObject({ state: "disconnected", pid: undefined });
    expect(client.getAvailableTools()).toEqual([]);
  });
});

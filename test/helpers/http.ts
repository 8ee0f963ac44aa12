// Scaffolding of the HTTP client tests: clients, scripted fixtures, raw transports and throwaway
// servers made through `httpClients()` are tracked, and its `cleanUp` (the file's afterEach)
// disconnects every client, runs the cleanups (last pushed first), then waits until each fixture saw
// every socket closed, and closes the fixtures whatever happened before.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

import { Client } from "@modelcontextprotocol/client";
import { expect } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { HttpTransport, type HttpTransportOptions } from "../../src/transport/httpTransport.js";
import { type HttpFaultServer, startHttpFaultServer } from "../fixtures/httpFaultServer.js";
import { within } from "./async.js";

/** The text of a tool result's first content block (the echo tool's answer). */
export function echoText(result: unknown): string | undefined {
  return (result as { content?: Array<{ text?: string }> }).content?.[0]?.text;
}

/** Asserts the client still works: a normal call goes through. */
export async function expectUsable(client: MCPClient, message = "still usable"): Promise<void> {
  expect(client.state).toBe("connected");
  expect(echoText(await client.callTool("echo", { message }))).toBe(`Echo: ${message}`);
}

/**
 * Tracked HTTP clients for one test file. `defaults` (the server name, the file's timeouts) go over a
 * streamable-HTTP config allowed to reach localhost; a test's overrides go over them.
 */
export function httpClients(defaults: Partial<ServerConfigInput> & { name: string }) {
  const clients: MCPClient[] = [];
  const fixtures: HttpFaultServer[] = [];
  /** Run by `cleanUp` once the clients are disconnected, the last pushed first. */
  const cleanups: Array<() => Promise<unknown> | void> = [];

  function config(url: string, overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
    return { type: "streamable-http", url, security: { allow_localhost: true }, ...defaults, ...overrides };
  }

  function track(client: MCPClient): MCPClient {
    clients.push(client);
    return client;
  }

  async function connected(url: string, overrides?: Partial<ServerConfigInput>): Promise<MCPClient> {
    const client = track(new MCPClient(config(url, overrides)));
    await client.connect();
    return client;
  }

  async function fixture(options?: Parameters<typeof startHttpFaultServer>[0]): Promise<HttpFaultServer> {
    const server = await startHttpFaultServer(options);
    fixtures.push(server);
    return server;
  }

  /**
   * An HttpTransport under a raw SDK client (no MCPClient in between), closed after the test.
   * `onerror` is set before connecting, so it sees what the first streams report.
   */
  async function rawHttp(
    url: string,
    overrides: Partial<HttpTransportOptions> = {},
    onerror?: (error: Error) => void,
  ): Promise<{ sdk: Client; transport: HttpTransport }> {
    const transport = new HttpTransport({
      serverName: "raw",
      type: "streamable-http",
      url,
      headers: {},
      httpReadTimeoutMs: 5_000,
      reinitializeTimeoutMs: 2_000,
      sessionDeleteTimeoutMs: 500,
      sseRetry: { minDelayMs: 100, maxDelayMs: 600, maxRetries: 2 },
      ...overrides,
    });
    const sdk = new Client({ name: "raw-test", version: "0.0.0" }, { capabilities: {} });
    if (onerror) sdk.onerror = onerror;
    cleanups.push(() => sdk.close());
    await sdk.connect(transport);
    return { sdk, transport };
  }

  /** A throwaway HTTP server on 127.0.0.1 whose sockets are destroyed after the test; its origin. */
  async function httpServer(
    handler: (request: IncomingMessage, response: ServerResponse) => void,
  ): Promise<string> {
    const server = createServer(handler);
    const sockets = new Set<Socket>();
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const socket of sockets) socket.destroy();
        }),
    );
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function cleanUp(): Promise<void> {
    try {
      await within(
        5_000,
        Promise.all(clients.splice(0).map((client) => client.disconnect())),
        "disconnecting every client",
      );
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
      for (const server of fixtures) {
        await within(2_000, server.allSocketsClosed(), "the fixture seeing every socket closed");
      }
    } finally {
      await Promise.all(fixtures.splice(0).map((server) => server.close()));
    }
  }

  return { config, track, connected, fixture, rawHttp, httpServer, cleanups, cleanUp };
}

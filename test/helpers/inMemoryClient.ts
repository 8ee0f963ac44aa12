import { InMemoryTransport } from "@modelcontextprotocol/client";
import { Server } from "@modelcontextprotocol/server";

import { MCPClient, useTransportFactory } from "../../src/client/mcpClient.js";
import type { MCPClientOptions } from "../../src/client/options.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { type ClientTransport, NO_TRANSPORT_DIAGNOSTICS } from "../../src/transport/transport.js";

type ServerCapabilities = ConstructorParameters<typeof Server>[1] extends infer O
  ? O extends { capabilities?: infer C }
    ? C
    : never
  : never;

export interface InMemoryClient {
  client: MCPClient;
  /** The SDK server of the current connection (a new one per connect). */
  server(): Server;
  /** How many times the client connected (servers built). */
  connections(): number;
}

/**
 * An `MCPClient` connected through its internal transport factory to an SDK `Server` over the SDK's
 * in-memory pair: no process, no socket. `setup` registers the server's handlers; it runs once per
 * connect, since a server connects only once. The config is a stdio one (it is validated and
 * prepared as usual; nothing is spawned).
 */
export function inMemoryClient(
  setup: (server: Server) => void,
  {
    capabilities = { tools: {} },
    config = {},
    options = {},
  }: {
    capabilities?: ServerCapabilities;
    config?: Partial<ServerConfigInput>;
    options?: MCPClientOptions;
  } = {},
): InMemoryClient {
  const client = new MCPClient(
    { name: "mem", type: "stdio", command: process.execPath, args: ["server.js"], ...config },
    options,
  );
  let current: Server | undefined;
  let count = 0;
  useTransportFactory(client, async () => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const server = new Server({ name: "in-memory", version: "1" }, { capabilities });
    setup(server);
    await server.connect(serverSide);
    current = server;
    count++;
    return asClientTransport(clientSide);
  });
  return {
    client,
    server: () => {
      if (!current) throw new Error("not connected yet");
      return current;
    },
    connections: () => count,
  };
}

/** An in-memory transport with the facts our transports add (it has none to report). */
function asClientTransport(transport: InMemoryTransport): ClientTransport {
  return Object.assign(transport, {
    closeReason: undefined,
    closesAfterLoss: false,
    diagnostics: () => NO_TRANSPORT_DIAGNOSTICS,
    lastStderr: () => undefined,
  });
}

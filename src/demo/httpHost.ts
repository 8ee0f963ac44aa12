import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import {
  localhostHostValidation,
  localhostOriginValidation,
  NodeStreamableHTTPServerTransport,
} from "@modelcontextprotocol/node";
import { isInitializeRequest, isJsonContentType, type McpServer } from "@modelcontextprotocol/server";

import { assertValidDemoServerOptions, createDemoServer, type DemoServerOptions } from "./demoServer.js";
import { DEMO_MAX_POST_BYTES, readRequestBody, SseServerTransport } from "./sseServerTransport.js";

/** Path of the Streamable HTTP endpoint. */
export const MCP_PATH = "/mcp";
/** Path of the legacy HTTP+SSE event stream. */
export const SSE_PATH = "/sse";
/** Path legacy HTTP+SSE clients POST their messages to. */
export const MESSAGES_PATH = "/messages";

/** Options of {@link startDemoHttpServer}: the demo server's options plus where to listen. */
export interface DemoHttpServerOptions extends DemoServerOptions {
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string | undefined;
  /** Port to bind; 0 (the default) picks a free one, see {@link DemoHttpServer.port}. */
  port?: number | undefined;
  /**
   * Receives out-of-band errors (failed sends, malformed requests, handler crashes). They never
   * stop the host. Default: ignored.
   */
  onError?: ((error: Error) => void) | undefined;
}

/** A running demo HTTP host, as returned by {@link startDemoHttpServer}. */
export interface DemoHttpServer {
  /** Streamable HTTP endpoint, e.g. `http://127.0.0.1:43123/mcp`. */
  readonly url: string;
  /** Legacy HTTP+SSE endpoint, e.g. `http://127.0.0.1:43123/sse`. */
  readonly sseUrl: string;
  /** The port actually bound (never 0). */
  readonly port: number;
  /** Ends every session, stops listening and destroys every socket. Idempotent. */
  close(): Promise<void>;
}

interface StreamableSession {
  readonly server: McpServer;
  readonly transport: NodeStreamableHTTPServerTransport;
}

interface SseSession {
  readonly server: McpServer;
  readonly transport: SseServerTransport;
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

/**
 * Starts a `node:http` server that hosts the demo MCP server over two transports:
 *
 * - Streamable HTTP at `/mcp`, stateful: an `initialize` POST without `Mcp-Session-Id` creates a
 *   session (its own `McpServer` and `NodeStreamableHTTPServerTransport`, id from `randomUUID`);
 *   later POST, GET (server stream) and DELETE (end session) carry the id. An unknown id is
 *   answered `404`, so clients know to start a new session, as the spec requires.
 * - Legacy HTTP+SSE (2024-11-05) at `GET /sse` + `POST /messages?sessionId=<id>`.
 *
 * When bound to a loopback address, requests whose `Host` or `Origin` is not local are refused
 * (DNS-rebinding protection).
 *
 * @throws when the address cannot be bound (e.g. `EADDRINUSE`).
 */
export async function startDemoHttpServer(options: DemoHttpServerOptions = {}): Promise<DemoHttpServer> {
  const { host = "127.0.0.1", port = 0, onError, ...serverOptions } = options;
  assertValidDemoServerOptions(serverOptions);

  const report = (error: unknown): void => {
    onError?.(error instanceof Error ? error : new Error(String(error)));
  };
  const streamableSessions = new Map<string, StreamableSession>();
  const sseSessions = new Map<string, SseSession>();
  /** Every connected McpServer, including Streamable HTTP sessions whose `initialize` is in flight. */
  const liveServers = new Set<McpServer>();

  const guards = LOOPBACK_HOSTS.has(host) ? [localhostHostValidation(), localhostOriginValidation()] : [];

  const newServer = (): McpServer => {
    const server = createDemoServer(serverOptions);
    server.server.onerror = report;
    liveServers.add(server);
    return server;
  };

  async function handleMcp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    if (method !== "POST" && method !== "GET" && method !== "DELETE") {
      response.setHeader("Allow", "GET, POST, DELETE");
      sendJsonRpcError(response, 405, -32000, "Method not allowed");
      return;
    }
    const sessionId = singleHeader(request, "mcp-session-id");
    if (sessionId !== undefined) {
      const session = streamableSessions.get(sessionId);
      if (session === undefined) {
        sendJsonRpcError(response, 404, -32001, "Session not found");
        return;
      }
      if (method === "POST") {
        const body = await readJsonBody(request, response);
        if (body !== NO_BODY) await session.transport.handleRequest(request, response, body);
      } else {
        await session.transport.handleRequest(request, response);
      }
      return;
    }

    if (method !== "POST") {
      sendJsonRpcError(response, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    const body = await readJsonBody(request, response);
    if (body === NO_BODY) return;
    const isInitialize = Array.isArray(body)
      ? body.some((item) => isInitializeRequest(item))
      : isInitializeRequest(body);
    if (!isInitialize) {
      sendJsonRpcError(response, 400, -32000, "Bad Request: No valid session ID provided");
      return;
    }

    const server = newServer();
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        streamableSessions.set(id, { server, transport });
      },
    });
    // Fires on DELETE, on close() and when the SDK gives the session up; the map entry must go with it.
    server.server.onclose = () => {
      if (transport.sessionId !== undefined) streamableSessions.delete(transport.sessionId);
      liveServers.delete(server);
    };
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
    if (transport.sessionId === undefined) {
      // The initialize request was refused (bad headers, invalid params): no session came to be.
      await server.close();
    }
  }

  async function handleSseStream(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== "GET") {
      response.setHeader("Allow", "GET");
      sendText(response, 405, "Method not allowed");
      return;
    }
    const server = newServer();
    const transport = new SseServerTransport(MESSAGES_PATH, response);
    sseSessions.set(transport.sessionId, { server, transport });
    server.server.onclose = () => {
      sseSessions.delete(transport.sessionId);
      liveServers.delete(server);
    };
    await server.connect(transport);
  }

  async function handleSseMessage(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    if (request.method !== "POST") {
      response.setHeader("Allow", "POST");
      sendText(response, 405, "Method not allowed");
      return;
    }
    const sessionId = url.searchParams.get("sessionId");
    if (sessionId === null) {
      sendText(response, 400, "Missing sessionId query parameter");
      return;
    }
    const session = sseSessions.get(sessionId);
    if (session === undefined) {
      sendText(response, 404, "Session not found");
      return;
    }
    await session.transport.handlePostMessage(request, response);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const guard of guards) {
      if (!guard(request, response)) return;
    }
    const url = new URL(request.url ?? "/", "http://localhost");
    switch (url.pathname) {
      case MCP_PATH:
        return handleMcp(request, response);
      case SSE_PATH:
        return handleSseStream(request, response);
      case MESSAGES_PATH:
        return handleSseMessage(request, response, url);
      default:
        sendText(response, 404, "Not found");
    }
  }

  const httpServer = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      report(error);
      if (!response.headersSent) {
        sendJsonRpcError(response, 500, -32603, "Internal error");
      } else {
        response.destroy();
      }
    });
  });
  httpServer.on("clientError", (error, socket) => {
    report(error);
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  httpServer.on("error", report);

  const boundPort = (httpServer.address() as AddressInfo).port;
  const origin = `http://${urlHost(host)}:${boundPort}`;
  let closing: Promise<void> | undefined;

  return {
    url: `${origin}${MCP_PATH}`,
    sseUrl: `${origin}${SSE_PATH}`,
    port: boundPort,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve, reject) =>
          httpServer.close((error) => (error ? reject(error) : resolve())),
        );
        // Closing a server closes its transport, which ends its open streams (GET /sse, GET /mcp).
        const results = await Promise.allSettled([...liveServers].map((server) => server.close()));
        for (const result of results) {
          if (result.status === "rejected") report(result.reason);
        }
        // Whatever is left (keep-alive sockets, a client mid-request) would hold close() open.
        httpServer.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}

/** Marks "the body could not be read; an error response has been sent". */
const NO_BODY: unique symbol = Symbol("no body");

/** Reads and parses a JSON POST body, answering the request itself when it cannot. */
async function readJsonBody(request: IncomingMessage, response: ServerResponse): Promise<unknown> {
  if (!isJsonContentType(request.headers["content-type"])) {
    sendJsonRpcError(response, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
    return NO_BODY;
  }
  const text = await readRequestBody(request, DEMO_MAX_POST_BYTES);
  if (text === undefined) {
    response.setHeader("Connection", "close");
    sendJsonRpcError(response, 413, -32000, `Payload Too Large: the limit is ${DEMO_MAX_POST_BYTES} bytes`);
    return NO_BODY;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    sendJsonRpcError(response, 400, -32700, "Parse error: invalid JSON");
    return NO_BODY;
  }
}

function sendJsonRpcError(response: ServerResponse, status: number, code: number, message: string): void {
  response
    .writeHead(status, { "Content-Type": "application/json" })
    .end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" }).end(text);
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Host part of a URL clients can use: wildcard binds map to loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

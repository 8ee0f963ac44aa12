// Regression tests for transport defects found in review: HTTP session renewal that could crash the
// host or wedge later renewals, HttpTransport.close() that was not single-flight, the legacy SSE
// transport's failures reaching callers untyped, and the stdio transport's unbounded write buffer,
// its handling of malformed server requests, of EPERM from kill(2), and of the bytes after an
// oversized message. Real timers with shrunk options; waits are on events, bounded by deadlines.
import type { ChildProcess } from "node:child_process";
import { getEventListeners } from "node:events";
import type { ServerResponse } from "node:http";

import type { JSONRPCMessage } from "@modelcontextprotocol/client";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { MCPAuthenticationError, MCPConnectionError } from "../../src/errors/errors.js";
import { localErrorOf } from "../../src/transport/localErrors.js";
import { StdioTransport, type StdioTransportOptions } from "../../src/transport/stdioTransport.js";
import { closedPort, deferred } from "../fixtures/httpFaultServer.js";
import { elapsed, within } from "../helpers/async.js";
import { echoText, httpClients } from "../helpers/http.js";
import { isAlive } from "../helpers/processes.js";

const { config, track, connected, fixture, rawHttp, httpServer, cleanups, cleanUp } = httpClients({
  name: "review",
  timeout: 3,
  connect_timeout: 3,
});
/** One test holds the session DELETE in flight on purpose: close() must not give up on it first. */
const SLOW_DELETE = { sessionDeleteTimeoutMs: 5_000 };

/** Unhandled rejections seen during the current test (each one could take a host process down). */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
});

/** Lets rejections left without a handler in the turn just finished be reported. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

afterEach(async () => {
  try {
    await cleanUp();
  } finally {
    vi.restoreAllMocks();
    unhandled.length = 0;
  }
});

describe("HTTP session renewal is bounded and always settles", () => {
  it("a renewal whose initialize is never answered fails the call with SESSION_EXPIRED at the renewal bound, without an unhandled rejection; the next 404 renews again", async () => {
    const server = await fixture();
    // connect_timeout bounds the renewal; the call's own timeout (3 s) must not be what ends it.
    const client = await connected(server.url, { connect_timeout: 0.5, timeout: 3 });
    server.expireSessions();
    server.script({ rpc: "initialize" }, { kind: "hang" }, 1);
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "1" }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "SESSION_EXPIRED", httpStatus: 404 });
    expect((value as Error).message).toContain("no answer to initialize within 500 ms");
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(2_000);
    const held = server.matching({ rpc: "initialize" })[1]!;
    await within(1_000, held.done, "the held initialize being aborted");
    expect(held.abandoned).toBe(true);
    await nextTurn();
    expect(unhandled).toEqual([]);

    // The failed renewal is gone: the next 404 starts a new one, which now succeeds.
    const { ms: ms2, value: value2 } = await elapsed(() => client.callTool("echo", { message: "2" }));
    expect(echoText(value2)).toBe("Echo: 2");
    expect(ms2).toBeLessThan(1_000);
    expect(server.matching({ rpc: "initialize" })).toHaveLength(3);
    expect(client.getDiagnostics()).toMatchObject({ sessionId: "s2", sessionRenewals: 1 });
  });

  it("disconnect() while a renewal waits for its initialize: the call settles, no unhandled rejection, the fetch is aborted", async () => {
    const server = await fixture();
    const client = await connected(server.url, { connect_timeout: 10, timeout: 10 });
    server.expireSessions();
    server.script({ rpc: "initialize" }, { kind: "hang" }, 1);
    const call = client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
    const held = await server.waitForRequest((r) => r.rpc === "initialize" && r.seq > 1);
    const { ms } = await elapsed(() => client.disconnect());
    expect(ms).toBeLessThan(1_000);
    const error = await within(1_000, call, "the call settling");
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED" });
    await within(1_000, held.done, "the held initialize being aborted");
    expect(held.abandoned).toBe(true);
    await nextTurn();
    expect(unhandled).toEqual([]);
    expect(client.state).toBe("disconnected");
  });
});

describe("HTTP session renewal leaves nothing behind", () => {
  it("the renewal's abort listener is released once the renewal is done", async () => {
    const server = await fixture();
    const { sdk, transport } = await rawHttp(server.url);
    server.expireSessions();
    const gate = deferred();
    server.script({ rpc: "initialize" }, { kind: "gate", until: gate.promise, then: { kind: "default" } }, 1);
    const call = sdk.callTool({ name: "echo", arguments: { message: "x" } });
    await server.waitForRequest((r) => r.rpc === "initialize" && r.seq > 1);
    // The renewal's own controller (private): only it tells whether its listener outlives it.
    const signal = (transport as unknown as { renewalAbort?: AbortController }).renewalAbort?.signal;
    expect(signal).toBeDefined();
    expect(getEventListeners(signal!, "abort").length).toBeGreaterThan(0);
    gate.resolve();
    expect(echoText(await call)).toBe("Echo: x");
    expect(transport.sessionRenewals).toBe(1);
    expect(getEventListeners(signal!, "abort")).toEqual([]);
  });
});

describe("HttpTransport.close()", () => {
  it("is single-flight: two concurrent closes send one DELETE", async () => {
    const server = await fixture();
    const { transport } = await rawHttp(server.url, SLOW_DELETE);
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(server.matching({ method: "DELETE" }).map((r) => r.sessionId)).toEqual(["s1"]);
    await within(1_000, server.allSocketsClosed(), "every socket closing");
  });

  it("still frees its connection pool when the inner transport had closed by itself", async () => {
    const server = await fixture();
    const { transport } = await rawHttp(server.url, SLOW_DELETE);
    expect(server.openSockets()).toBeGreaterThan(0);
    await transport.inner.close();
    await transport.close();
    // Kept-alive sockets would otherwise stay open for the pool's 4 s keep-alive.
    await within(1_000, server.allSocketsClosed(), "every socket closing");
  });

  it("a 404 arriving while the session DELETE is in flight starts no new session", async () => {
    const server = await fixture();
    const { sdk, transport } = await rawHttp(server.url, SLOW_DELETE);
    const release404 = deferred();
    const releaseDelete = deferred();
    server.script(
      { rpc: "tools/call" },
      { kind: "gate", until: release404.promise, then: { kind: "status", status: 404 } },
    );
    server.script(
      { method: "DELETE" },
      { kind: "gate", until: releaseDelete.promise, then: { kind: "default" } },
    );
    const call = sdk.callTool({ name: "echo", arguments: { message: "x" } }).catch((e: unknown) => e);
    await server.waitForRequest({ rpc: "tools/call" });
    const closing = transport.close();
    await server.waitForRequest({ method: "DELETE" });
    release404.resolve();
    const error = await within(2_000, call, "the call settling");
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED" });
    releaseDelete.resolve();
    await closing;
    expect(server.matching({ rpc: "initialize" })).toHaveLength(1);
    expect(server.issuedSessions).toEqual(["s1"]);
  });
});

function sseConfig(url: string, overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return config(url, { type: "sse", ...overrides });
}

async function connectError(input: ServerConfigInput): Promise<unknown> {
  const client = track(new MCPClient(input));
  return client.connect().then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * A minimal legacy-SSE MCP server: GET /sse opens the stream and names /messages; POSTed requests
 * are answered on the stream. `fail(method)` may answer a POST with an HTTP error instead.
 */
async function legacySseServer(
  fail: (method: string) => { status: number; body: string } | undefined,
): Promise<{ url: string; posts: string[] }> {
  const posts: string[] = [];
  let stream: ServerResponse | undefined;
  const base = await httpServer((request, response) => {
    if (request.method === "GET") {
      stream = response;
      response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      response.write("event: endpoint\ndata: /messages\n\n");
      return;
    }
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      const message = JSON.parse(text) as {
        id?: number;
        method: string;
        params?: { protocolVersion?: string };
      };
      posts.push(message.method);
      const failure = fail(message.method);
      if (failure) {
        response.writeHead(failure.status, { "content-type": "text/html" }).end(failure.body);
        return;
      }
      response.writeHead(202).end();
      if (message.id === undefined) return;
      const result =
        message.method === "initialize"
          ? {
              protocolVersion: message.params?.protocolVersion,
              capabilities: { tools: {} },
              serverInfo: { name: "legacy-sse", version: "1" },
            }
          : message.method === "tools/list"
            ? { tools: [{ name: "echo", inputSchema: { type: "object" } }] }
            : {};
      stream?.write(
        `event: message\ndata: ${JSON.stringify({ jsonrpc: "2.0", id: message.id, result })}\n\n`,
      );
    });
  });
  return { url: `${base}/sse`, posts };
}

describe("legacy SSE failures are typed", () => {
  it("nothing listening: CONNECTION_REFUSED", async () => {
    const port = await closedPort();
    const error = await connectError(sseConfig(`http://127.0.0.1:${port}/sse`));
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_REFUSED" });
  });

  it.each([
    [401, "AUTH_FAILED", MCPAuthenticationError],
    [403, "AUTH_FAILED", MCPAuthenticationError],
    [404, "HTTP_STATUS", MCPConnectionError],
    [500, "HTTP_STATUS", MCPConnectionError],
  ] as const)("the stream answered %i: %s with httpStatus", async (status, code, type) => {
    const base = await httpServer((_request, response) => {
      response.writeHead(status, { "content-type": "text/plain" }).end("Authorization: Bearer sk-secret");
    });
    const error = await connectError(sseConfig(`${base}/sse`));
    expect(error).toBeInstanceOf(type);
    expect(error).toMatchObject({ code, httpStatus: status });
    expect((error as Error).message).not.toContain("sk-secret");
  });

  it("a POST answered 503 with a 5 kB page: HTTP_STATUS 503 with a short message that holds none of the page", async () => {
    const page = `<html>upstream said: token=abc123 ${"x".repeat(5000)}</html>`;
    const { url } = await legacySseServer(() => ({ status: 503, body: page }));
    const error = await connectError(sseConfig(url));
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 503 });
    expect((error as Error).message.length).toBeLessThan(300);
    expect((error as Error).message).not.toContain("token=abc123");
  });

  it("a list request answered 503 once is retried like on streamable HTTP, and the connect succeeds", async () => {
    let failures = 0;
    const server = await legacySseServer((method) =>
      method === "tools/list" && failures++ === 0 ? { status: 503, body: "busy" } : undefined,
    );
    const client = await connected(server.url, { type: "sse" });
    expect(client.getAvailableTools()).toContain("echo");
    expect(server.posts.filter((method) => method === "tools/list")).toHaveLength(2);
  });
});

/** A stdio transport on `node -e script`, closed after the test. */
function stdioTransport(script: string, overrides: Partial<StdioTransportOptions> = {}): StdioTransport {
  const transport = new StdioTransport({
    serverName: "inline",
    command: process.execPath,
    args: ["-e", script],
    env: {},
    maxMessageBytes: 64 * 1024,
    shutdownGraceMs: 100,
    ...overrides,
  });
  cleanups.push(() => transport.close());
  return transport;
}

function closedOnce(transport: StdioTransport): Promise<void> {
  return new Promise((resolve) => {
    transport.onclose = resolve;
  });
}

describe("stdio transport", () => {
  it("refuses to buffer without bound for a server that stopped reading stdin", async () => {
    // Never reads stdin: the pipe fills, then everything would pile up in our memory.
    const transport = stdioTransport("setInterval(() => {}, 60_000);");
    await transport.start();
    const limit = 2 * 64 * 1024;
    const payload = "y".repeat(32 * 1024);
    let refusal: unknown;
    let accepted = 0;
    // 3 MiB at most, far more than a pipe holds: without the bound every send is accepted.
    for (let i = 0; i < 100 && refusal === undefined; i++) {
      try {
        await transport.send({ jsonrpc: "2.0", id: i, method: "tools/call", params: { payload } });
        accepted++;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toBeInstanceOf(MCPConnectionError);
    expect(refusal).toMatchObject({ code: "CONNECTION_CLOSED", serverName: "inline" });
    expect((refusal as Error).message).toContain("not reading its stdin");
    const { waitingBytes, messageBytes, limitBytes } = (refusal as MCPConnectionError).context as {
      waitingBytes: number;
      messageBytes: number;
      limitBytes: number;
    };
    expect(limitBytes).toBe(limit);
    expect(waitingBytes).toBeLessThanOrEqual(limit);
    expect(waitingBytes + messageBytes).toBeGreaterThan(limit);
    expect(accepted).toBeGreaterThan(1);
    // The connection itself is kept: a server that resumes reading drains what waits.
    expect(transport.closeReason).toBeUndefined();
  });

  it("a malformed request from the server does not fail our pending request with the same id; a malformed response still does", async () => {
    const script = `
      const out = (m) => process.stdout.write(JSON.stringify(m) + "\\n");
      require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
        const { id } = JSON.parse(line);
        if (id === 1) {
          out({ id: 1, method: "roots/list" });
          out({ jsonrpc: "2.0", id: 1, result: { ok: true } });
        } else {
          out({ jsonrpc: "2.0", id, result: 1, error: { code: 1, message: "both" } });
        }
      });`;
    const transport = stdioTransport(script);
    const messages: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    const second = deferred();
    transport.onmessage = (message) => {
      messages.push(message);
      if ("id" in message && message.id === 2) second.resolve();
    };
    transport.onerror = (error) => errors.push(error);
    await transport.start();
    await transport.send({ jsonrpc: "2.0", id: 1, method: "ping" });
    await transport.send({ jsonrpc: "2.0", id: 2, method: "ping" });
    await within(5_000, second.promise, "the answer to request 2");
    expect(messages[0]).toEqual({ jsonrpc: "2.0", id: 1, result: { ok: true } });
    expect(messages[1]).toMatchObject({ id: 2, error: { code: -32603 } });
    expect(localErrorOf((messages[1] as { error?: { data?: unknown } }).error?.data)).toMatchObject({
      code: "PROTOCOL_ERROR",
    });
    expect(messages).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(errors[0]!.message).toContain('missing "jsonrpc": "2.0"');
  });

  it("after MESSAGE_TOO_LARGE nothing more from stdout is delivered: the tail of the oversized line is not reported as noise", async () => {
    // Writes a line longer than the limit without its end; once we end stdin (closing after the
    // failure) writes the rest of that line and a valid notification, then waits to be stopped.
    const script = `
      process.stdin.once("data", () => process.stdout.write("x".repeat(4096)));
      process.stdin.once("end", () => {
        process.stdout.write("SECRET-TAIL-OF-THE-BIG-LINE\\n" + JSON.stringify({ jsonrpc: "2.0", method: "notifications/message", params: {} }) + "\\n");
      });
      setInterval(() => {}, 60_000);`;
    const noise = vi.fn();
    const transport = stdioTransport(script, { maxMessageBytes: 1024, onNoise: noise });
    const messages: JSONRPCMessage[] = [];
    const errors: Error[] = [];
    transport.onmessage = (message) => messages.push(message);
    transport.onerror = (error) => errors.push(error);
    const closed = closedOnce(transport);
    await transport.start();
    // The transport's own stdout listener runs first; this one tells when the tail has been read.
    const child = (transport as unknown as { child: ChildProcess }).child;
    const tailRead = new Promise<void>((resolve) => {
      let seen = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString("latin1");
        if (seen.includes("notifications/message")) resolve();
      });
    });
    await transport.send({ jsonrpc: "2.0", id: 1, method: "ping" });
    await within(5_000, tailRead, "the tail of the oversized line arriving");
    await within(5_000, closed, "the transport closing");
    expect(errors.map((error) => (error as MCPConnectionError).code)).toEqual(["MESSAGE_TOO_LARGE"]);
    expect(noise).not.toHaveBeenCalled();
    expect(transport.noiseLines).toBe(0);
    expect(messages).toEqual([]);
  });

  it("a server that exits while kill(2) answers EPERM for its process group: no uncaught exception, the exit is reported and close() settles", async () => {
    // A wrapper that starts a grandchild on the same pipes and tells its pid.
    const script = `
      const grandchild = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 60_000)"], { stdio: "inherit" });
      console.log("grandchild " + grandchild.pid);
      setInterval(() => {}, 60_000);`;
    const announced = deferred<number>();
    const transport = stdioTransport(script, {
      shutdownGraceMs: 200,
      onNoise: (line) => announced.resolve(Number(line.replace("grandchild ", ""))),
    });
    const errors: Error[] = [];
    transport.onerror = (error) => errors.push(error);
    const closed = closedOnce(transport);
    await transport.start();
    const wrapper = transport.pid!;
    const grandchild = await within(5_000, announced.promise, "the wrapper announcing its grandchild");
    cleanups.push(() => {
      if (isAlive(grandchild)) process.kill(grandchild, "SIGKILL");
    });
    // Signals to the group fail with EPERM (as for a member that changed its user); probes pass.
    const realKill = process.kill.bind(process);
    const kill = vi.spyOn(process, "kill").mockImplementation((pid: number, signal?: string | number) => {
      if (pid === -wrapper && signal !== 0) {
        throw Object.assign(new Error("kill EPERM"), { code: "EPERM", errno: -1, syscall: "kill" });
      }
      return realKill(pid, signal);
    });
    // The wrapper dies; the grandchild is left in the group: the exit handler tries to reap it.
    realKill(wrapper, "SIGKILL");
    await within(5_000, closed, "the transport closing");
    expect(kill).toHaveBeenCalledWith(-wrapper, "SIGTERM");
    expect(isAlive(grandchild)).toBe(true);
    expect(errors.map((error) => (error as MCPConnectionError).code)).toEqual(["PROCESS_EXITED"]);
    expect(transport.closeReason).toMatchObject({ code: "PROCESS_EXITED", process: { signal: "SIGKILL" } });
    await within(5_000, transport.close(), "close() settling");
  });
});

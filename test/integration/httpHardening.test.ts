// HTTP hardening (issue 11, items 7–9) on 127.0.0.1: response bodies and SSE events are bounded by
// max_message_bytes while they stream; a request answered with a 202 or a JSON body without its
// response fails at once; a server that answers a stale session with 400 (the session-map pattern of
// @modelcontextprotocol/server-everything) gets a new session, also after a real restart. The scripted
// fixture is test/fixtures/httpFaultServer.ts. Every wait is on an event or a request the fixture saw,
// bounded by a deadline; after every test every client is disconnected and every socket closed.
import { Client } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import { DEFAULT_MAX_MESSAGE_BYTES } from "../../src/config/defaults.js";
import { type DemoHttpServer, startDemoHttpServer } from "../../src/demo/httpHost.js";
import { isMCPError, MCPConnectionError, type MCPError, MCPServerError } from "../../src/errors/errors.js";
import { HttpTransport } from "../../src/transport/httpTransport.js";
import { EVERYTHING_STALE_SESSION_BODY } from "../fixtures/httpFaultServer.js";
import { deferred, elapsed, within } from "../helpers/async.js";
import { echoText, expectUsable, httpClients } from "../helpers/http.js";
import { startEverything, stopEverything } from "../helpers/servers.js";

const MiB = 1024 * 1024;

const { config, track, connected, fixture, rawHttp, httpServer, cleanups, cleanUp } = httpClients({
  name: "hardening",
  timeout: 5,
  connect_timeout: 5,
});
afterEach(cleanUp);

/** Peak resident set size while `work` runs, sampled by the fixture after every chunk it writes. */
function rssSampler(): { sample: () => void; peakDelta: () => number } {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  return {
    sample: () => {
      peak = Math.max(peak, process.memoryUsage.rss());
    },
    peakDelta: () => Math.max(peak, process.memoryUsage.rss()) - baseline,
  };
}

describe("max_message_bytes bounds HTTP bodies and SSE events", () => {
  it("a 100 MB JSON body (chunked, no Content-Length) fails with MESSAGE_TOO_LARGE at the default limit, without reading it, memory bounded", async () => {
    const server = await fixture();
    const client = await connected(server.url, { timeout: 60 });
    let chunks = 0;
    const rss = rssSampler();
    server.script(
      { rpc: "tools/call" },
      {
        kind: "huge",
        bytes: 100 * MiB,
        format: "json",
        onChunk: () => {
          chunks++;
          rss.sample();
        },
      },
    );
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "big" }));
    const sent = server.matching({ rpc: "tools/call" })[0]!;
    await within(2_000, sent.done, "the oversized response's connection closing");
    const peak = rss.peakDelta();
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({
      code: "MESSAGE_TOO_LARGE",
      serverName: "hardening",
      context: { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES },
    });
    const message = (value as Error).message;
    expect(message).toContain("max_message_bytes");
    expect(message).toContain(String(DEFAULT_MAX_MESSAGE_BYTES));
    expect(message).toContain('tools/call "echo"');
    // The socket was closed on the server long before the body was complete.
    expect(sent.abandoned).toBe(true);
    const written = chunks * 64 * 1024;
    expect(written).toBeLessThan(40 * MiB);
    // Loose bounds: reading 100 MB whole costs several hundred MB; the limit is 10 MiB.
    expect(peak).toBeLessThan(120 * MiB);
    expect(ms).toBeLessThan(20_000);
    reportMeasured("100 MB JSON body", { ms, peakRssDeltaMiB: peak / MiB, writtenMiB: written / MiB });
    await expectUsable(client);
  });

  it("a Content-Length above the limit fails before the body is read", async () => {
    const server = await fixture();
    const client = await connected(server.url, { max_message_bytes: MiB });
    let chunks = 0;
    server.script(
      { rpc: "tools/call" },
      { kind: "huge", bytes: 100 * MiB, format: "json", contentLength: true, onChunk: () => chunks++ },
    );
    const { value } = await elapsed(() => client.callTool("echo", { message: "big" }));
    expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: MiB } });
    expect((value as Error).message).toContain("Content-Length");
    expect((value as Error).message).toContain(String(100 * MiB));
    const sent = server.matching({ rpc: "tools/call" })[0]!;
    await within(2_000, sent.done, "the connection closing");
    expect(sent.abandoned).toBe(true);
    // Only what socket buffers took before the cancel, not the limit's worth.
    expect(chunks * 64 * 1024).toBeLessThan(16 * MiB);
    await expectUsable(client);
  });

  it("a gzip body whose Content-Length is small but decodes to 100 MB is counted as it decodes", async () => {
    const server = await fixture();
    const client = await connected(server.url, { max_message_bytes: MiB });
    server.script({ rpc: "tools/call" }, { kind: "huge", bytes: 100 * MiB, format: "json", gzip: true });
    const rss = rssSampler();
    const { value } = await elapsed(() => client.callTool("echo", { message: "bomb" }));
    rss.sample();
    expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: MiB } });
    expect(rss.peakDelta()).toBeLessThan(64 * MiB);
    await expectUsable(client);
  });

  it("a JSON body just under the limit is delivered", async () => {
    const server = await fixture();
    const client = await connected(server.url, { max_message_bytes: MiB });
    server.script({ rpc: "tools/call" }, { kind: "huge", bytes: MiB - 1024, format: "json" });
    const result = await client.callTool("echo", { message: "fits" });
    expect(echoText(result)?.length).toBeGreaterThan(MiB - 2048);
  });

  it("an oversized SSE event on a POST response stream fails that call at once; smaller events pass; the session stays usable", async () => {
    const server = await fixture({ responseMode: "sse" });
    const client = await connected(server.url, { max_message_bytes: MiB, timeout: 20 });
    server.script({ rpc: "tools/call" }, { kind: "huge", bytes: MiB - 4096, format: "sse" });
    expect(echoText(await client.callTool("echo", { message: "fits" }))?.length).toBeGreaterThan(MiB - 8192);
    server.script({ rpc: "tools/call" }, { kind: "huge", bytes: 20 * MiB, format: "sse" });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "too big" }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", serverName: "hardening" });
    expect((value as Error).message).toContain("SSE event larger than max_message_bytes (1048576 bytes)");
    expect(ms).toBeLessThan(10_000);
    const sent = server.matching({ rpc: "tools/call" })[1]!;
    await within(2_000, sent.done, "the response stream closing");
    expect(sent.abandoned).toBe(true);
    // Cut, not resumed: no GET with a Last-Event-ID.
    expect(server.matching((r) => r.method === "GET" && r.lastEventId !== undefined)).toEqual([]);
    await expectUsable(client);
  });

  it("an oversized event on a resumed response stream fails the call it resumes, without resuming again", async () => {
    const server = await fixture();
    const client = await connected(server.url, { max_message_bytes: MiB, timeout: 20 });
    server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-1" });
    server.script(
      (r) => r.method === "GET" && r.lastEventId === "ev-1",
      { kind: "huge", bytes: 20 * MiB, format: "sse" },
      5,
    );
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "resumed" }));
    expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: MiB } });
    expect((value as Error).message).toContain("a resumed response stream");
    expect(ms).toBeLessThan(10_000);
    const resumes = server.matching((r) => r.method === "GET" && r.lastEventId !== undefined);
    expect(resumes).toHaveLength(1);
    await within(2_000, resumes[0]!.done, "the resumed stream closing");
    expect(resumes[0]!.abandoned).toBe(true);
    await expectUsable(client);
  });

  it("an oversized event on the standalone GET stream is cut and reported; calls keep working", async () => {
    const server = await fixture();
    server.script({ method: "GET" }, { kind: "huge", bytes: 20 * MiB, format: "sse" });
    const reported = deferred<MCPConnectionError>();
    const { sdk } = await rawHttp(server.url, { maxMessageBytes: MiB }, (error) => {
      if (isMCPError(error, "MESSAGE_TOO_LARGE")) reported.resolve(error);
    });
    const error = await within(5_000, reported.promise, "the oversized GET event being reported");
    expect(error.message).toContain("standalone GET stream");
    const get = server.matching({ method: "GET" })[0]!;
    await within(2_000, get.done, "the GET stream closing");
    expect(get.abandoned).toBe(true);
    expect(echoText(await sdk.callTool({ name: "echo", arguments: { message: "after" } }))).toBe(
      "Echo: after",
    );
  });

  it("MCPClient shows the cut standalone GET stream as a message-too-large warning", async () => {
    const server = await fixture();
    server.script({ method: "GET" }, { kind: "huge", bytes: 20 * MiB, format: "sse" });
    const client = new MCPClient(config(server.url, { max_message_bytes: MiB }));
    track(client);
    const warned = deferred<{ kind: string; message: string }>();
    client.on("warning", (event) => {
      if (event.kind === "message-too-large") warned.resolve(event);
    });
    await client.connect();
    const warning = await within(5_000, warned.promise, "the message-too-large warning");
    expect(warning.message).toContain("standalone GET stream");
    await expectUsable(client);
  });

  it("legacy SSE: an oversized endpoint event fails connect at once with MESSAGE_TOO_LARGE", async () => {
    const legacy = await httpServer((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/event-stream" });
      response.on("error", () => undefined);
      response.write(`event: endpoint\ndata: /messages?x=${"a".repeat(200_000)}\n\n`);
    });
    const client = track(
      new MCPClient(
        config(`${legacy}/sse`, {
          type: "sse",
          max_message_bytes: 64 * 1024,
          connect_timeout: 10,
        }),
      ),
    );
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: 64 * 1024 } });
    expect(ms).toBeLessThan(2_000);
    expect(client.state).toBe("failed");
  });

  describe("against the demo server (real SDK servers)", () => {
    let demo: DemoHttpServer | undefined;
    // Big arguments make the echo's result big; the strict policy allows 10 000 characters.
    const security = {
      allow_localhost: true,
      tool_arguments: { max_string_length: 200_000, max_size: 300_000 },
    };
    afterEach(async () => {
      await demo?.close();
      demo = undefined;
    });

    it("streamable HTTP: a result larger than the limit fails MESSAGE_TOO_LARGE; the session stays usable", async () => {
      demo = await startDemoHttpServer();
      const client = await connected(demo.url, { max_message_bytes: 64 * 1024, security });
      const value = await client.callTool("echo", { message: "x".repeat(100_000) }).catch((e: unknown) => e);
      expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: 64 * 1024 } });
      await expectUsable(client);
    });

    it("legacy SSE: an oversized event fails the pending call with MESSAGE_TOO_LARGE and closes the connection", async () => {
      demo = await startDemoHttpServer();
      const client = await connected(demo.sseUrl, {
        type: "sse",
        max_message_bytes: 64 * 1024,
        security,
      });
      await expectUsable(client);
      const lost = new Promise((resolve) => client.on("error", (event) => event.lost && resolve(event)));
      const value = await client.callTool("echo", { message: "x".repeat(100_000) }).catch((e: unknown) => e);
      expect(value).toBeInstanceOf(MCPConnectionError);
      expect(value).toMatchObject({ code: "MESSAGE_TOO_LARGE", serverName: "hardening" });
      expect((value as Error).message).toContain("its SSE stream, which carries every response");
      await within(2_000, lost, "the connection being reported lost");
      expect(client.state).toBe("failed");
    });

    it("legacy SSE: the lost connection is reported with its reason, MESSAGE_TOO_LARGE, not as a bare loss", async () => {
      demo = await startDemoHttpServer();
      const client = await connected(demo.sseUrl, { type: "sse", max_message_bytes: 64 * 1024, security });
      const lost = new Promise<{ message: string; error: MCPError }>((resolve) =>
        client.on("error", (event) => event.lost && resolve(event)),
      );
      await client.callTool("echo", { message: "x".repeat(100_000) }).catch(() => undefined);
      const event = await within(2_000, lost, "the connection being reported lost");
      expect(event.error).toMatchObject({ code: "MESSAGE_TOO_LARGE", serverName: "hardening" });
      expect(event.message).not.toContain("was lost");
      expect(event.message).toContain("its SSE stream, which carries every response");
      expect(client.getDiagnostics().lastError).toBe(event.error);
    });
  });
});

describe("a request answered without a way to carry its response fails at once", () => {
  it("HTTP 202 to tools/call: PROTOCOL_ERROR naming what the server did, long before the timeout", async () => {
    const server = await fixture();
    const client = await connected(server.url, { timeout: 10 });
    server.script({ rpc: "tools/call" }, { kind: "status", status: 202, body: "" });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "PROTOCOL_ERROR", serverName: "hardening", httpStatus: 202 });
    expect((value as Error).message).toContain(
      'answered the request tools/call "echo" with HTTP 202 Accepted',
    );
    expect(ms).toBeLessThan(1_000);
    await expectUsable(client);
  });

  it("HTTP 202 to initialize: connect fails with PROTOCOL_ERROR at once", async () => {
    const server = await fixture();
    server.script({ rpc: "initialize" }, { kind: "status", status: 202, body: "" });
    const client = track(new MCPClient(config(server.url, { connect_timeout: 10 })));
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect((value as Error).message).toContain("answered the request initialize with HTTP 202");
    expect(ms).toBeLessThan(1_000);
    expect(client.state).toBe("failed");
  });

  it("a JSON body with a response for another id: PROTOCOL_ERROR at once", async () => {
    const server = await fixture();
    const client = await connected(server.url, { timeout: 10 });
    server.script(
      { rpc: "tools/call" },
      { kind: "status", status: 200, body: JSON.stringify({ jsonrpc: "2.0", id: 987_654, result: {} }) },
    );
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
    expect(value).toMatchObject({ code: "PROTOCOL_ERROR", serverName: "hardening" });
    expect((value as Error).message).toContain("a JSON body that holds no response for that id");
    expect(ms).toBeLessThan(1_000);
    await expectUsable(client);
  });

  it("a JSON body with only a notification: PROTOCOL_ERROR at once", async () => {
    const server = await fixture();
    const client = await connected(server.url, { timeout: 10 });
    const notification = {
      jsonrpc: "2.0",
      method: "notifications/message",
      params: { level: "info", data: "hi" },
    };
    server.script({ rpc: "tools/call" }, { kind: "status", status: 200, body: JSON.stringify(notification) });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
    expect(value).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect(ms).toBeLessThan(1_000);
    await expectUsable(client);
  });

  it("a 200 body declared as JSON that is not JSON: PROTOCOL_ERROR at once, named as such", async () => {
    const server = await fixture();
    const client = await connected(server.url, { timeout: 10 });
    server.script({ rpc: "tools/call" }, { kind: "status", status: 200, body: "<html>oops</html>" });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
    expect(value).toMatchObject({ code: "PROTOCOL_ERROR" });
    expect((value as Error).message).toContain("declared as JSON that is not JSON");
    expect(ms).toBeLessThan(1_000);
    await expectUsable(client);
  });

  it("202 stays right for notifications, and SSE streams may carry other messages before the response", async () => {
    const server = await fixture({ responseMode: "sse" });
    const client = await connected(server.url);
    // notifications/initialized was answered 202 during connect.
    expect(server.matching({ rpc: "notifications/initialized" }).map((r) => r.status)).toEqual([202]);
    server.script({ rpc: "tools/call" }, { kind: "huge", bytes: 4096, format: "sse" });
    expect(echoText(await client.callTool("echo", { message: "x" }))).toMatch(/^a+$/);
    await expectUsable(client);
  });
});

describe("a 400 that says the session is unknown renews the session like a 404", () => {
  it("the server-everything 400 ('No valid session ID provided'): one re-initialize, the call retried once and run once", async () => {
    const server = await fixture({ unknownSessionStatus: 400 });
    const client = await connected(server.url);
    const before = server.requests.length;
    server.expireSessions();
    const result = await client.callTool("echo", { message: "after restart" });
    expect(echoText(result)).toBe("Echo: after restart");
    const after = server.requests.slice(before).filter((r) => r.method === "POST");
    expect(after.map((r) => [r.rpc, r.sessionId ?? null, r.status])).toEqual([
      ["tools/call", "s1", 400],
      ["initialize", null, 200],
      ["notifications/initialized", "s2", 202],
      ["tools/call", "s2", 200],
    ]);
    expect(after[3]!.rpcId).toBe(after[0]!.rpcId);
    expect(server.executed).toEqual([{ tool: "echo", arguments: { message: "after restart" } }]);
    expect(client.getDiagnostics()).toMatchObject({
      sessionId: "s2",
      sessionRenewals: 1,
      state: "connected",
    });
  });

  it("a second session 400 right after the new session: SESSION_EXPIRED with httpStatus 400", async () => {
    const server = await fixture({ unknownSessionStatus: 400 });
    const client = await connected(server.url);
    server.script(
      { rpc: "tools/call" },
      { kind: "status", status: 400, body: EVERYTHING_STALE_SESSION_BODY },
      2,
    );
    const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SESSION_EXPIRED", httpStatus: 400 });
    expect(server.matching({ rpc: "initialize" })).toHaveLength(2);
    expect(server.executed).toEqual([]);
    await expectUsable(client);
  });

  it("a plain 400 unrelated to sessions is not retried; its JSON-RPC error text is in the message", async () => {
    const server = await fixture();
    const client = await connected(server.url);
    server.script(
      { rpc: "tools/call" },
      {
        kind: "status",
        status: 400,
        body: JSON.stringify({
          jsonrpc: "2.0",
          error: { code: -32602, message: "Bad Request: invalid params for echo" },
          id: null,
        }),
      },
    );
    const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 400 });
    expect((error as Error).message).toContain("Bad Request: invalid params for echo");
    expect(server.matching({ rpc: "tools/call" })).toHaveLength(1);
    expect(server.matching({ rpc: "initialize" })).toHaveLength(1);
    expect(client.getDiagnostics().sessionRenewals).toBe(0);
    await expectUsable(client);
  });

  it("@modelcontextprotocol/server-everything restarted on the same port: the next call succeeds after one re-initialize", async () => {
    let everything = await startEverything();
    cleanups.push(() => stopEverything(everything));
    const client = await connected(everything.url, { name: "everything", timeout: 10 });
    expect(echoText(await client.callTool("echo", { message: "before" }))).toBe("Echo: before");
    const firstSession = client.getDiagnostics().sessionId;
    await stopEverything(everything);
    everything = await startEverything(everything.port);
    const result = await client.callTool("echo", { message: "after restart" });
    expect(echoText(result)).toBe("Echo: after restart");
    const diagnostics = client.getDiagnostics();
    expect(diagnostics).toMatchObject({ sessionRenewals: 1, state: "connected" });
    expect(diagnostics.sessionId).toBeTypeOf("string");
    expect(diagnostics.sessionId).not.toBe(firstSession);
    expect(echoText(await client.callTool("echo", { message: "again" }))).toBe("Echo: again");
    expect(client.getDiagnostics().sessionRenewals).toBe(1);
  });
});

/** Measured numbers for the report, printed only on request (MCP_TOOLS_REPORT=1). */
function reportMeasured(what: string, numbers: Record<string, number>): void {
  if (process.env.MCP_TOOLS_REPORT !== "1") return;
  process.stderr.write(`${what}: ${JSON.stringify(numbers)}\n`);
}

const KiB = 1024;

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => new Error("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("an oversized event on the standalone GET stream", () => {
  it("is reported once as MESSAGE_TOO_LARGE and the stream is not reopened (GETs at the server stay at 1); calls keep working, a session renewal included", async () => {
    const server = await fixture();
    // Every GET would get a 100 kB event, more than the 64 kB limit.
    server.script({ method: "GET" }, { kind: "huge", bytes: 100 * KiB, format: "sse" }, 1_000);
    const transport = new HttpTransport({
      serverName: "raw",
      type: "streamable-http",
      url: server.url,
      headers: {},
      httpReadTimeoutMs: 5_000,
      maxMessageBytes: 64 * KiB,
      reinitializeTimeoutMs: 2_000,
      sessionDeleteTimeoutMs: 500,
      sseRetry: { minDelayMs: 100, maxDelayMs: 600, maxRetries: 2 },
    });
    const sdk = new Client({ name: "review-test", version: "0.0.0" }, { capabilities: {} });
    const errors: Error[] = [];
    const reported = deferred();
    sdk.onerror = (error) => {
      errors.push(error);
      reported.resolve();
    };
    cleanups.push(() => sdk.close());
    await sdk.connect(transport);
    await within(5_000, reported.promise, "the oversized GET event being reported");
    expect(echoText(await sdk.callTool({ name: "echo", arguments: { message: "after" } }))).toBe(
      "Echo: after",
    );
    // A new session opens the standalone stream again in the SDK: it stays closed.
    server.expireSessions();
    expect(echoText(await sdk.callTool({ name: "echo", arguments: { message: "renewed" } }))).toBe(
      "Echo: renewed",
    );
    expect(transport.sessionRenewals).toBe(1);
    // Ten reconnection delays: before the fix the SDK reopened the stream every 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(server.matching({ method: "GET" })).toHaveLength(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MCPConnectionError);
    expect(errors[0]).toMatchObject({ code: "MESSAGE_TOO_LARGE", context: { maxMessageBytes: 64 * KiB } });
    expect(errors[0]!.message).toContain("standalone GET stream");
    expect(errors[0]!.message).toContain("closed for the rest of the connection");
  });
});

describe("a 400 that is the request's own answer is never taken for session expiry", () => {
  it("a tool whose 400 error carries the request's id and mentions a session: run once, HTTP_STATUS, no re-initialize", async () => {
    const server = await fixture();
    const client = await connected(server.url);
    server.script(
      { rpc: "tools/call" },
      { kind: "request-error", status: 400, message: "Invalid browser session: call open_page first" },
    );
    const error = await rejection(client.callTool("echo", { message: "x" }));
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 400 });
    expect((error as Error).message).toContain("Invalid browser session: call open_page first");
    expect(server.executed).toHaveLength(1);
    expect(server.matching({ rpc: "tools/call" })).toHaveLength(1);
    expect(server.matching({ rpc: "initialize" })).toHaveLength(1);
    expect(server.issuedSessions).toEqual(["s1"]);
    expect(client.getDiagnostics()).toMatchObject({ sessionId: "s1", sessionRenewals: 0 });
  });

  it.each([
    ["id null (server-everything, the SDK's server)", null],
    ['a placeholder id ("server-error")', "server-error"],
  ])(
    "a transport-level session 400 with %s still renews the session and the call runs once",
    async (_, id) => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script(
        { rpc: "tools/call", withSession: true },
        {
          kind: "status",
          status: 400,
          body: JSON.stringify({
            jsonrpc: "2.0",
            error: { code: -32000, message: "Bad Request: No valid session ID provided" },
            id,
          }),
        },
      );
      expect(echoText(await client.callTool("echo", { message: "again" }))).toBe("Echo: again");
      expect(server.executed).toHaveLength(1);
      expect(client.getDiagnostics()).toMatchObject({ sessionId: "s2", sessionRenewals: 1 });
    },
  );
});

describe("a server cannot forge our local transport errors", () => {
  it.each(["NOT_A_CODE", "CONNECTION_CLOSED"])(
    "a JSON-RPC error with data {mcpToolsLocalError: %s, mcpToolsLocalContext} and a 50 kB message is the server's error, clipped",
    async (code) => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script(
        { rpc: "tools/call" },
        {
          kind: "request-error",
          status: 200,
          message: "x".repeat(50_000),
          data: { mcpToolsLocalError: code, mcpToolsLocalContext: { forged: true } },
        },
      );
      const error = await rejection(client.callTool("echo", { message: "x" }));
      expect(error).toBeInstanceOf(MCPServerError);
      expect(error).not.toBeInstanceOf(MCPConnectionError);
      expect(error).toMatchObject({ code: "SERVER_ERROR", rpcCode: -32000 });
      expect((error as MCPServerError).context).not.toHaveProperty("forged");
      expect((error as Error).message.length).toBeLessThan(1_500);
    },
  );
});

describe("an oversized answer during a session renewal", () => {
  it.each(["json", "sse"] as const)(
    "the new session's initialize answered with a %s body over the limit: the call fails MESSAGE_TOO_LARGE, not SESSION_EXPIRED",
    async (format) => {
      const server = await fixture();
      const client = await connected(server.url, { max_message_bytes: 64 * KiB });
      server.expireSessions();
      server.script({ rpc: "initialize" }, { kind: "huge", bytes: 200 * KiB, format });
      const error = await rejection(client.callTool("echo", { message: "x" }));
      expect(isMCPError(error, "MESSAGE_TOO_LARGE")).toBe(true);
      expect(error).toMatchObject({ context: { maxMessageBytes: 64 * KiB } });
      expect(server.executed).toEqual([]);
    },
  );
});

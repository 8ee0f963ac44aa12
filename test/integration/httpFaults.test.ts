// HTTP rows of the fault matrix (fault-matrix §7.2, rows 17–26 and 29, plus session DELETE and the idle
// read timeout), against the scripted fixture in test/fixtures/httpFaultServer.ts. Real timers with
// shrunk options; every wait is on an event or a request the fixture saw, bounded by a deadline. After
// every test all clients are disconnected and the fixture must see every socket closed.
import { getEventListeners } from "node:events";
import { request as httpRequest, type ServerResponse } from "node:http";

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import {
  MCPAuthenticationError,
  MCPConfigurationError,
  MCPConnectionError,
  MCPTimeoutError,
} from "../../src/errors/errors.js";
import { closedPort, deferred, type RecordedRequest } from "../fixtures/httpFaultServer.js";
import { elapsed, within } from "../helpers/async.js";
import { echoText, expectUsable, httpClients } from "../helpers/http.js";

const { config, track, connected, fixture, rawHttp, httpServer, cleanUp } = httpClients({
  name: "http-fault",
  timeout: 3,
  connect_timeout: 3,
});
afterEach(cleanUp);

/** Errors reported through the client's "error" event. */
function errorEvents(client: MCPClient): unknown[] {
  const seen: unknown[] = [];
  client.on("error", (event) => seen.push(event.error));
  return seen;
}

/** A POST on its own connection (closed afterwards), outside any client under test. */
function rawPost(url: string, headers: Record<string, string>, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", accept: "application/json", ...headers },
      },
      (response) => {
        response.resume();
        response.once("end", () => resolve(response.statusCode ?? 0));
      },
    );
    request.once("error", reject);
    request.end(JSON.stringify(body));
  });
}

function causeCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current = error, depth = 0; current && depth < 6; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

describe("HTTP faults (fault-matrix §7.2)", () => {
  it("#17 connection refused: CONNECTION_REFUSED fast; reconnect backs off, then recovers when the server appears", async () => {
    const port = await closedPort();
    const client = track(new MCPClient(config(`http://127.0.0.1:${port}/mcp`)));
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({
      code: "CONNECTION_REFUSED",
      serverName: "http-fault",
      context: { errno: "ECONNREFUSED" },
    });
    expect(causeCodes(value)).toContain("ECONNREFUSED");
    expect((value as Error).message).toContain("nothing is listening there");
    expect(ms).toBeLessThan(1000);
    expect(client.state).toBe("failed");

    const attempts: Array<{ attempt: number; delaySeconds: number }> = [];
    client.on("reconnecting", (event) => attempts.push(event));
    const retried = await elapsed(() => client.reconnect({ maxRetries: 3, retryDelay: 0.05 }));
    expect(retried.value).toBe(false);
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.delaySeconds).toBeGreaterThan(0);
    expect(attempts[2]!.delaySeconds).toBeGreaterThanOrEqual(attempts[1]!.delaySeconds);
    expect(retried.ms).toBeLessThan(2000);
    expect(client.lastFailure).toMatchObject({ code: "CONNECTION_REFUSED" });

    const server = await fixture({ port });
    expect(await client.reconnect({ maxRetries: 1 })).toBe(true);
    await expectUsable(client);
    expect(server.issuedSessions).toEqual(["s1"]);
  });

  it("#18 HTTP 500 on tools/call: HTTP_STATUS, sent once (never retried), the session stays usable", async () => {
    const server = await fixture();
    const client = await connected(server.url);
    const errors = errorEvents(client);
    server.script({ rpc: "tools/call" }, { kind: "status", status: 500 });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "boom" }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "HTTP_STATUS", httpStatus: 500, serverName: "http-fault" });
    expect((value as Error).message).toContain("HTTP 500");
    expect(ms).toBeLessThan(1000);
    expect(server.matching({ rpc: "tools/call" })).toHaveLength(1);
    expect(server.executed).toEqual([]);
    await expectUsable(client);
    expect(errors).toEqual([]);
  });

  it("#18 HTTP 500 on initialize: connect fails with HTTP_STATUS after one attempt", async () => {
    const server = await fixture();
    server.script({ rpc: "initialize" }, { kind: "status", status: 500 });
    const client = track(new MCPClient(config(server.url)));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 500 });
    expect(client.state).toBe("failed");
    expect(server.matching({ rpc: "initialize" })).toHaveLength(1);
    await client.connect();
    await expectUsable(client);
  });

  it("#18 HTTP 500 on tools/list: retried at most twice with backoff, then the connect succeeds or fails", async () => {
    const twice = await fixture();
    twice.script({ rpc: "tools/list" }, { kind: "status", status: 500 }, 2);
    const retries: string[] = [];
    const client = track(new MCPClient(config(twice.url)));
    client.on("warning", (w) => w.kind === "retry" && retries.push(w.message));
    await client.connect();
    expect(twice.matching({ rpc: "tools/list" })).toHaveLength(3);
    expect(retries).toHaveLength(2);
    expect(client.getAvailableTools()).toContain("echo");

    const always = await fixture();
    always.script({ rpc: "tools/list" }, { kind: "status", status: 503 }, 10);
    const failing = track(new MCPClient({ ...config(always.url), name: "always-503" }));
    const error = await failing.connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 503 });
    expect(always.matching({ rpc: "tools/list" })).toHaveLength(3);

    const notTransient = await fixture();
    notTransient.script({ rpc: "tools/list" }, { kind: "status", status: 400 }, 10);
    const once = track(new MCPClient({ ...config(notTransient.url), name: "bad-request" }));
    await expect(once.connect()).rejects.toMatchObject({ code: "HTTP_STATUS", httpStatus: 400 });
    expect(notTransient.matching({ rpc: "tools/list" })).toHaveLength(1);
  });

  it("§8 decision: HTTP 429 is HTTP_STATUS (a breaker failure) and is not retried by the client", async () => {
    const server = await fixture();
    const client = await connected(server.url);
    server.script({ rpc: "tools/call" }, { kind: "status", status: 429, headers: { "Retry-After": "1" } });
    const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "HTTP_STATUS", httpStatus: 429 });
    expect((error as Error).message).toContain("rate-limiting");
    expect(server.matching({ rpc: "tools/call" })).toHaveLength(1);
    await expectUsable(client);
  });

  describe("#19 HTTP 404 with a session id", () => {
    it("re-initializes once without the stale id and retries the call once: success, new session", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      expect(client.getDiagnostics().sessionId).toBe("s1");
      const before = server.requests.length;
      server.expireSessions();
      const { ms, value } = await elapsed(() => client.callTool("echo", { message: "after expiry" }));
      expect(echoText(value as { content: unknown })).toBe("Echo: after expiry");
      expect(ms).toBeLessThan(1000);
      const after = server.requests.slice(before).filter((r) => r.method === "POST");
      expect(after.map((r) => [r.rpc, r.sessionId ?? null, r.status])).toEqual([
        ["tools/call", "s1", 404],
        ["initialize", null, 200],
        ["notifications/initialized", "s2", 202],
        ["tools/call", "s2", 200],
      ]);
      // Same JSON-RPC id: the retried call is the same request, and the server ran it once.
      expect(after[3]!.rpcId).toBe(after[0]!.rpcId);
      expect(server.executed).toEqual([{ tool: "echo", arguments: { message: "after expiry" } }]);
      expect(client.getDiagnostics()).toMatchObject({
        sessionId: "s2",
        sessionRenewals: 1,
        state: "connected",
      });
      await expectUsable(client);
      expect(server.matching({ rpc: "initialize" })).toHaveLength(2);
    });

    it("a second 404 right after the new session surfaces as SESSION_EXPIRED; the new session is kept", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ rpc: "tools/call" }, { kind: "status", status: 404 }, 2);
      const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MCPConnectionError);
      expect(error).toMatchObject({ code: "SESSION_EXPIRED", httpStatus: 404, serverName: "http-fault" });
      expect((error as Error).message).toContain("404 again");
      expect(server.matching({ rpc: "initialize" })).toHaveLength(2);
      expect(server.matching({ rpc: "tools/call" }).map((r) => r.sessionId)).toEqual(["s1", "s2"]);
      expect(server.executed).toEqual([]);
      expect(client.getDiagnostics().sessionId).toBe("s2");
      await expectUsable(client);
      expect(server.matching({ rpc: "initialize" })).toHaveLength(2);
    });

    it("a failed re-initialization surfaces as SESSION_EXPIRED; the next call starts a session again", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.expireSessions();
      server.script({ rpc: "initialize" }, { kind: "status", status: 503 });
      const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SESSION_EXPIRED", httpStatus: 404 });
      expect((error as Error).message).toContain("starting a new one failed");
      expect(causeCodes(error)).toContain("SESSION_EXPIRED");
      expect(client.state).toBe("connected");
      await expectUsable(client);
      expect(client.getDiagnostics().sessionId).toBe("s2");
    });

    it("concurrent 404s share one re-initialization (single flight) and every call succeeds", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.expireSessions();
      const results = await Promise.all(
        ["a", "b", "c", "d"].map((message) => client.callTool("echo", { message })),
      );
      expect(results.map(echoText)).toEqual(["Echo: a", "Echo: b", "Echo: c", "Echo: d"]);
      expect(server.matching({ rpc: "initialize" })).toHaveLength(2);
      expect(server.issuedSessions).toEqual(["s1", "s2"]);
      expect(server.executed).toHaveLength(4);
      expect(client.getDiagnostics().sessionRenewals).toBe(1);
    });

    it("a late 404 for the old session never clears the newer session id", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      const release = deferred();
      server.script(
        { tool: "echo", withSession: true },
        { kind: "gate", until: release.promise, then: { kind: "status", status: 404 } },
      );
      const late = client.callTool("echo", { message: "late" });
      await server.waitForRequest({ rpc: "tools/call" });
      server.expireSessions();
      expect(echoText(await client.callTool("echo", { message: "fresh" }))).toBe("Echo: fresh");
      expect(client.getDiagnostics().sessionId).toBe("s2");
      release.resolve();
      expect(echoText(await late)).toBe("Echo: late");
      expect(client.getDiagnostics()).toMatchObject({ sessionId: "s2", sessionRenewals: 1 });
      expect(server.issuedSessions).toEqual(["s1", "s2"]);
      const lateRequests = server.matching(
        (r) =>
          r.tool === "echo" &&
          (r.body as { params: { arguments: { message: string } } }).params.arguments.message === "late",
      );
      expect(lateRequests.map((r) => [r.sessionId, r.status])).toEqual([
        ["s1", 404],
        ["s2", 200],
      ]);
      await expectUsable(client);
    });
  });

  it("#20 HTTP 404 without a session id (wrong URL): HTTP_STATUS after one request, no re-init loop", async () => {
    const server = await fixture();
    const client = track(new MCPClient(config(server.url.replace("/mcp", "/wrong"))));
    const { ms, value } = await elapsed(() => client.connect());
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "HTTP_STATUS", httpStatus: 404 });
    expect((value as Error).message).toContain("check the server URL");
    expect(ms).toBeLessThan(1000);
    expect(server.requests.map((r) => [r.method, r.rpc, r.status])).toEqual([["POST", "initialize", 404]]);
    expect(client.state).toBe("failed");
    await expect(client.callTool("echo", {})).rejects.toMatchObject({ code: "NOT_CONNECTED" });
    expect(server.requests).toHaveLength(1);
  });

  describe("#21 HTTP 401 / 403", () => {
    it("401 on initialize: MCPAuthenticationError (breaker-neutral), one request, no loop", async () => {
      const server = await fixture();
      server.script(
        { rpc: "initialize" },
        { kind: "status", status: 401, headers: { "WWW-Authenticate": "Bearer" } },
        Infinity,
      );
      const client = track(
        new MCPClient(config(server.url, { headers: { Authorization: "Bearer ${TOKEN}" } }), {
          environment: { TOKEN: "s3cr3t-token" },
        }),
      );
      const { ms, value } = await elapsed(() => client.connect());
      expect(value).toBeInstanceOf(MCPAuthenticationError);
      expect(value).not.toBeInstanceOf(MCPConnectionError);
      expect(value).toMatchObject({ httpStatus: 401, serverName: "http-fault" });
      // Credentials were sent and refused.
      expect(value).toMatchObject({ code: "AUTH_FAILED" });
      expect((value as Error).message).not.toContain("s3cr3t-token");
      expect(ms).toBeLessThan(1000);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.headers.authorization).toBe("Bearer s3cr3t-token");
      expect(client.state).toBe("failed");
    });

    it("403 on a call: MCPAuthenticationError AUTH_FAILED, sent once; the session stays usable", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ rpc: "tools/call" }, { kind: "status", status: 403 });
      const error = await client.callTool("echo", { message: "x" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MCPAuthenticationError);
      expect(error).toMatchObject({ code: "AUTH_FAILED", httpStatus: 403 });
      expect(server.matching({ rpc: "tools/call" })).toHaveLength(1);
      expect(server.matching({ rpc: "initialize" })).toHaveLength(1);
      await expectUsable(client);
    });
  });

  describe("#22 a response that never arrives", () => {
    it("REQUEST_TIMEOUT; the fetch is aborted (the server sees the socket close); the client stays usable", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ rpc: "tools/call" }, { kind: "hang" });
      const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }, { timeout: 0.3 }));
      expect(value).toBeInstanceOf(MCPTimeoutError);
      expect(value).toMatchObject({
        code: "REQUEST_TIMEOUT",
        timeoutSeconds: 0.3,
        operation: 'tools/call "echo"',
      });
      expect(ms).toBeGreaterThanOrEqual(290);
      expect(ms).toBeLessThan(1000);
      const held = server.matching({ rpc: "tools/call" })[0]!;
      await within(1000, held.done, "the held request's connection closing");
      expect(held.abandoned).toBe(true);
      expect(held.closedAt! - held.receivedAt).toBeLessThan(1000);
      const cancelled = await server.waitForRequest({ rpc: "notifications/cancelled" });
      expect((cancelled.body as { params: { requestId: unknown } }).params.requestId).toBe(held.rpcId);
      await expectUsable(client);
    });

    it("the fetch is aborted even when the cancellation notification itself gets no answer", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ rpc: "tools/call" }, { kind: "hang" });
      server.script({ rpc: "notifications/cancelled" }, { kind: "hang" });
      const error = await client
        .callTool("echo", { message: "x" }, { timeout: 0.2 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MCPTimeoutError);
      const held = server.matching({ rpc: "tools/call" })[0]!;
      await within(1000, held.done, "the held request's connection closing");
      expect(held.abandoned).toBe(true);
      await expectUsable(client);
    });

    it("a timed-out initialize aborts its fetch: INITIALIZE_TIMEOUT, socket closed, state failed", async () => {
      const server = await fixture();
      server.script({ rpc: "initialize" }, { kind: "hang" });
      const client = track(new MCPClient(config(server.url, { connect_timeout: 0.3 })));
      const { ms, value } = await elapsed(() => client.connect());
      expect(value).toBeInstanceOf(MCPTimeoutError);
      expect(value).toMatchObject({ code: "INITIALIZE_TIMEOUT" });
      expect(ms).toBeLessThan(1000);
      const held = server.matching({ rpc: "initialize" })[0]!;
      await within(1000, held.done, "the held initialize closing");
      expect(held.abandoned).toBe(true);
      expect(server.matching({ rpc: "notifications/cancelled" })).toEqual([]);
      expect(client.state).toBe("failed");
    });
  });

  describe("#23 an SSE response stream that drops after a priming event with an id", () => {
    for (const ending of ["end", "destroy"] as const) {
      it(`resumes with GET + Last-Event-ID and the original call resolves (stream ${ending === "end" ? "ended" : "destroyed"})`, async () => {
        const server = await fixture();
        const client = await connected(server.url);
        server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-7", retryMs: 10, ending });
        const { ms, value } = await elapsed(() =>
          client.callTool("echo", { message: "resumed" }, { timeout: 3 }),
        );
        expect(echoText(value as { content: unknown })).toBe("Echo: resumed");
        expect(ms).toBeLessThan(1500);
        const resumes = server.matching({ method: "GET" }).filter((r) => r.lastEventId !== undefined);
        expect(resumes.map((r) => [r.lastEventId, r.sessionId, r.status])).toEqual([["ev-7", "s1", 200]]);
        expect(server.executed).toHaveLength(1);
        await expectUsable(client);
      });
    }

    it("a resume the server refuses (GET 405) fails the call with CONNECTION_CLOSED at once", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-1", retryMs: 0 });
      server.script((r) => r.method === "GET" && r.lastEventId !== undefined, {
        kind: "status",
        status: 405,
      });
      const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }, { timeout: 5 }));
      expect(value).toBeInstanceOf(MCPConnectionError);
      expect(value).toMatchObject({ code: "CONNECTION_CLOSED" });
      expect(ms).toBeLessThan(1500);
      await expectUsable(client);
    });

    it("resumes that keep failing stop after maxRetries with CONNECTION_CLOSED, well before the timeout", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-1", retryMs: 0 });
      server.script(
        (r) => r.method === "GET" && r.lastEventId !== undefined,
        { kind: "status", status: 500 },
        Infinity,
      );
      const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }, { timeout: 10 }));
      expect(value).toMatchObject({ code: "CONNECTION_CLOSED" });
      // 3 attempts at the 100 ms floor.
      expect(server.matching((r) => r.method === "GET" && r.lastEventId === "ev-1")).toHaveLength(3);
      expect(ms).toBeLessThan(3000);
      await expectUsable(client);
    });
  });

  describe("#23 SSE resumption timing (HttpTransport with shrunk bounds, raw SDK client)", () => {
    const bounds = { minDelayMs: 100, maxDelayMs: 600, maxRetries: 2 };

    async function resumeGap(retryMs: number): Promise<number> {
      const server = await fixture();
      const { sdk } = await rawHttp(server.url, { sseRetry: bounds });
      server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-1", retryMs });
      const result = await sdk.callTool({ name: "echo", arguments: { message: "clamped" } });
      expect(echoText(result)).toBe("Echo: clamped");
      const dropped = server.matching({ rpc: "tools/call" })[0]!;
      const resumed = server.matching((r) => r.method === "GET" && r.lastEventId === "ev-1")[0]!;
      return resumed.receivedAt - dropped.closedAt!;
    }

    it("retry: 0 waits at least the floor", async () => {
      const gap = await resumeGap(0);
      expect(gap).toBeGreaterThanOrEqual(bounds.minDelayMs - 5);
      expect(gap).toBeLessThan(bounds.maxDelayMs);
    });

    it("retry: 1 h waits at most the ceiling", async () => {
      const gap = await resumeGap(3_600_000);
      expect(gap).toBeGreaterThanOrEqual(bounds.maxDelayMs - 5);
      expect(gap).toBeLessThan(bounds.maxDelayMs + 700);
    });

    it("closing clears every pending resumption timer, not only the latest one the SDK remembers", async () => {
      const server = await fixture();
      const { sdk } = await rawHttp(server.url, {
        sseRetry: { minDelayMs: 20_000, maxDelayMs: 20_000, maxRetries: 2 },
      });
      const dropped = deferred();
      let drops = 0;
      sdk.onerror = (error) => {
        // Emitted right before the SDK schedules the stream's resumption, in the same tick.
        if (error.message.startsWith("SSE stream disconnected") && ++drops === 2) dropped.resolve();
      };
      server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-1", ending: "destroy" });
      server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-2", ending: "destroy" });
      // The resumption delay (20 s, unique here) identifies the transport's timers.
      const realSetTimeout = globalThis.setTimeout;
      const scheduled: NodeJS.Timeout[] = [];
      const setSpy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((
        callback: (...args: unknown[]) => void,
        ms?: number,
        ...args: unknown[]
      ) => {
        const timer = realSetTimeout(callback, ms, ...args);
        if (ms === 20_000) scheduled.push(timer);
        return timer;
      }) as typeof setTimeout);
      const clearSpy = vi.spyOn(globalThis, "clearTimeout");
      try {
        const calls = ["a", "b"].map((message) =>
          sdk.callTool({ name: "echo", arguments: { message } }).catch((e: unknown) => e),
        );
        await within(2_000, dropped.promise, "both response streams dropping");
        expect(scheduled).toHaveLength(2);
        await sdk.close();
        await Promise.all(calls);
        const cleared = new Set(clearSpy.mock.calls.map(([timer]) => timer));
        expect(scheduled.filter((timer) => !cleared.has(timer))).toEqual([]);
      } finally {
        setSpy.mockRestore();
        clearSpy.mockRestore();
      }
      expect(server.matching({ method: "GET" }).filter((r) => r.lastEventId !== undefined)).toEqual([]);
    });
  });

  describe("#24 an SSE response stream that ends without an id and without the response", () => {
    for (const ending of ["end", "destroy"] as const) {
      it(`fails that call with CONNECTION_CLOSED at once, not at its timeout (stream ${ending === "end" ? "ended" : "destroyed"})`, async () => {
        const server = await fixture();
        const client = await connected(server.url);
        server.script({ rpc: "tools/call" }, { kind: "sse-drop", ending });
        const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }, { timeout: 5 }));
        expect(value).toBeInstanceOf(MCPConnectionError);
        expect(value).toMatchObject({ code: "CONNECTION_CLOSED", serverName: "http-fault" });
        expect((value as Error).message).toContain("ended before the response arrived");
        expect(ms).toBeLessThan(1000);
        expect(server.matching({ method: "GET" }).filter((r) => r.lastEventId !== undefined)).toEqual([]);
        await expectUsable(client);
      });
    }
  });

  it("#25 GET SSE answered 405: no error, no standalone stream, calls work", async () => {
    const server = await fixture();
    const client = track(new MCPClient(config(server.url)));
    const errors = errorEvents(client);
    await client.connect();
    const get = await server.waitForRequest({ method: "GET" });
    await get.done;
    expect(get).toMatchObject({ sessionId: "s1", status: 405, lastEventId: undefined });
    await expectUsable(client);
    expect(errors).toEqual([]);
    expect(server.matching({ method: "GET" })).toHaveLength(1);
  });

  describe("#26 wrong content type", () => {
    it("on initialize: PROTOCOL_ERROR quickly, state failed", async () => {
      const server = await fixture();
      server.script({ rpc: "initialize" }, { kind: "wrong-content-type" });
      const client = track(new MCPClient(config(server.url, { connect_timeout: 10 })));
      const { ms, value } = await elapsed(() => client.connect());
      expect(value).toBeInstanceOf(MCPConnectionError);
      expect(value).toMatchObject({ code: "PROTOCOL_ERROR" });
      expect((value as Error).message).toContain("text/plain");
      expect(ms).toBeLessThan(1000);
      expect(client.state).toBe("failed");
    });

    it("on a call: PROTOCOL_ERROR quickly, the session stays usable", async () => {
      const server = await fixture();
      const client = await connected(server.url, { timeout: 10 });
      server.script({ rpc: "tools/call" }, { kind: "wrong-content-type" });
      const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
      expect(value).toMatchObject({ code: "PROTOCOL_ERROR" });
      expect(ms).toBeLessThan(1000);
      await expectUsable(client);
    });
  });

  it("#29 disconnect during connect: connect rejects CONNECTION_CLOSED, the fetch is aborted, no DELETE", async () => {
    const server = await fixture();
    server.script({ rpc: "initialize" }, { kind: "hang" });
    const client = track(new MCPClient(config(server.url, { connect_timeout: 30 })));
    const connecting = client.connect().catch((e: unknown) => e);
    const initialize = await server.waitForRequest({ rpc: "initialize" });
    const { ms } = await elapsed(() => client.disconnect());
    expect(ms).toBeLessThan(500);
    const error = await connecting;
    expect(error).toBeInstanceOf(MCPConnectionError);
    expect(error).toMatchObject({ code: "CONNECTION_CLOSED" });
    await within(1000, initialize.done, "the held initialize closing");
    expect(initialize.abandoned).toBe(true);
    expect(client.state).toBe("disconnected");
    expect(server.matching({ method: "DELETE" })).toEqual([]);
    await within(1000, server.allSocketsClosed(), "every socket closing");
  });

  describe("disconnect() ends the session", () => {
    it("sends DELETE with the session id; the server forgets the session; every socket closes", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      await client.disconnect();
      const deletes = server.matching({ method: "DELETE" });
      expect(deletes.map((r) => [r.sessionId, r.status])).toEqual([["s1", 200]]);
      await within(1000, server.allSocketsClosed(), "every socket closing");
      expect(
        await rawPost(server.url, { "mcp-session-id": "s1" }, { jsonrpc: "2.0", id: 1, method: "ping" }),
      ).toBe(404);
      expect(client.state).toBe("disconnected");
    });

    it("never hangs when the server does not answer the DELETE (bounded by the 2 s session-delete timeout)", async () => {
      const server = await fixture();
      const client = await connected(server.url);
      server.script({ method: "DELETE" }, { kind: "hang" });
      const { ms } = await elapsed(() => client.disconnect());
      expect(ms).toBeGreaterThanOrEqual(1900);
      expect(ms).toBeLessThan(2800);
      const held = server.matching({ method: "DELETE" })[0]!;
      await within(1000, held.done, "the held DELETE closing");
      expect(held.abandoned).toBe(true);
      expect(client.state).toBe("disconnected");
    });

    for (const status of [404, 405, 500]) {
      it(`accepts a DELETE answered ${status} without an error`, async () => {
        const server = await fixture();
        const client = await connected(server.url);
        const errors = errorEvents(client);
        server.script({ method: "DELETE" }, { kind: "status", status });
        const { ms } = await elapsed(() => client.disconnect());
        expect(ms).toBeLessThan(500);
        expect(errors).toEqual([]);
        expect(client.state).toBe("disconnected");
      });
    }
  });

  it("http_read_timeout: a silent response stream is aborted and the call fails with CONNECTION_CLOSED", async () => {
    const server = await fixture();
    const client = await connected(server.url, { http_read_timeout: 0.3, timeout: 5 });
    server.script({ rpc: "tools/call" }, { kind: "sse-silent" });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "CONNECTION_CLOSED" });
    expect((value as Error).message).toContain("http_read_timeout");
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(1500);
    const held = server.matching({ rpc: "tools/call" })[0]!;
    await within(1000, held.done, "the silent stream closing");
    expect(held.abandoned).toBe(true);
    await expectUsable(client);
  });

  it("http_read_timeout also covers a resumed stream: a silent resume fails the call long before its timeout", async () => {
    const server = await fixture();
    const client = await connected(server.url, { http_read_timeout: 0.3, timeout: 5 });
    server.script({ rpc: "tools/call" }, { kind: "sse-drop", eventId: "ev-1", retryMs: 0 });
    server.script((r) => r.method === "GET" && r.lastEventId === "ev-1", { kind: "sse-silent" });
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "x" }));
    // The SDK resumes a resumed stream that yielded no event without its Last-Event-ID (a plain GET,
    // 405 here), so the call ends with CONNECTION_CLOSED rather than a second resume.
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "CONNECTION_CLOSED" });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2000);
    const resume = server.matching((r) => r.method === "GET" && r.lastEventId === "ev-1")[0]!;
    await within(1000, resume.done, "the silent resume closing");
    expect(resume.abandoned).toBe(true);
    expect(resume.closedAt! - resume.receivedAt).toBeGreaterThanOrEqual(290);
    await expectUsable(client);
  });

  it("§8 decision: calls during reconnect() fail fast with NOT_CONNECTED instead of waiting", async () => {
    const server = await fixture();
    const client = await connected(server.url);
    const release = deferred();
    server.script({ rpc: "initialize" }, { kind: "gate", until: release.promise, then: { kind: "default" } });
    const reconnecting = client.reconnect({ maxRetries: 1 });
    await server.waitForRequest((r) => r.rpc === "initialize" && r.seq > 1);
    const { ms, value } = await elapsed(() => client.callTool("echo", { message: "during" }));
    expect(value).toBeInstanceOf(MCPConnectionError);
    expect(value).toMatchObject({ code: "NOT_CONNECTED" });
    expect(ms).toBeLessThan(100);
    expect(server.matching({ rpc: "tools/call" })).toEqual([]);
    release.resolve();
    expect(await reconnecting).toBe(true);
    expect(client.getDiagnostics().sessionId).toBe("s2");
    expect(server.matching({ method: "DELETE" }).map((r) => r.sessionId)).toEqual(["s1"]);
    await expectUsable(client);
  });
});

describe("connect-time address check (security.resolve_dns, DNS rebinding)", () => {
  const PUBLIC = { address: "93.184.216.34", family: 4 };
  const LOOPBACK = { address: "127.0.0.1", family: 4 };

  it("refuses a host whose address changes to a forbidden one between the check and the connection", async () => {
    const server = await fixture();
    const answers = [[PUBLIC], [LOOPBACK]];
    const asked: string[] = [];
    const client = track(
      new MCPClient(
        config(`http://mcp.rebind.test:${server.port}/mcp`, {
          security: { resolve_dns: true, allow_insecure_http: true },
        }),
        {
          lookup: (host) => {
            asked.push(host);
            return Promise.resolve(answers[Math.min(asked.length - 1, answers.length - 1)]!);
          },
        },
      ),
    );
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues).toEqual([
      expect.objectContaining({ path: "url", rule: "url.dns" }),
    ]);
    expect((error as Error).message).toContain("127.0.0.1");
    expect((error as Error).message).toContain("mcp.rebind.test");
    expect(asked).toEqual(["mcp.rebind.test", "mcp.rebind.test"]);
    expect(server.requests).toEqual([]);
    expect(client.state).toBe("failed");
  });

  it("connects through the checked address when the policy allows it", async () => {
    const server = await fixture();
    let lookups = 0;
    const client = track(
      new MCPClient(
        config(`http://mcp.rebind.test:${server.port}/mcp`, {
          security: { resolve_dns: true, allow_localhost: true, allow_insecure_http: true },
        }),
        {
          lookup: () => {
            lookups++;
            return Promise.resolve([LOOPBACK]);
          },
        },
      ),
    );
    await client.connect();
    await expectUsable(client);
    expect(lookups).toBeGreaterThanOrEqual(2);
    expect(
      server.requests.every((r: RecordedRequest) => r.headers.host === `mcp.rebind.test:${server.port}`),
    ).toBe(true);
  });

  it("a host in allowed_hostnames skips the connect-time check", async () => {
    const server = await fixture();
    const client = track(
      new MCPClient(
        config(`http://mcp.rebind.test:${server.port}/mcp`, {
          security: {
            resolve_dns: true,
            allow_insecure_http: true,
            allowed_hostnames: ["mcp.rebind.test"],
          },
        }),
        { lookup: () => Promise.resolve([LOOPBACK]) },
      ),
    );
    await client.connect();
    await expectUsable(client);
  });
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

afterEach(() => {
  unhandled.length = 0;
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

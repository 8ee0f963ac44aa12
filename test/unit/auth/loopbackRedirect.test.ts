import { request } from "node:http";

import { afterEach, describe, expect, it } from "vitest";

import { type LoopbackRedirect, startLoopbackRedirect } from "../../../src/auth/loopbackRedirect.js";
import { isMCPError, MCPValidationError } from "../../../src/errors/errors.js";

/** A raw GET, so the Host header and method can be anything. */
function get(
  port: number,
  path: string,
  options: { host?: string; method?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers: { host: options.host ?? `127.0.0.1:${port}` },
        agent: false,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

describe("loopback redirect listener", () => {
  let listener: LoopbackRedirect | undefined;
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
  });

  it("listens on 127.0.0.1 with a /callback redirect URL and hands over the callback's query", async () => {
    listener = await startLoopbackRedirect();
    expect(listener.redirectUrl).toBe(`http://127.0.0.1:${listener.port}/callback`);
    const waiting = listener.waitForCallback();
    const reply = await get(listener.port, "/callback?code=abc&state=xyz&iss=https%3A%2F%2Fauth");
    expect(reply.status).toBe(200);
    const params = await waiting;
    expect(Object.fromEntries(params)).toEqual({ code: "abc", state: "xyz", iss: "https://auth" });
  });

  it("never echoes request data into its page", async () => {
    listener = await startLoopbackRedirect({ path: "/cb" });
    const marker = "<script>alert(1)</script>";
    const reply = await get(
      listener.port,
      `/cb?code=${encodeURIComponent(marker)}&state=${encodeURIComponent(marker)}`,
    );
    expect(reply.status).toBe(200);
    expect(reply.body).not.toContain("alert");
    expect((await listener.waitForCallback()).get("code")).toBe(marker);
  });

  it("queues a callback that arrives before anyone waits, and serves waiters in order", async () => {
    listener = await startLoopbackRedirect();
    await get(listener.port, "/callback?code=first");
    expect((await listener.waitForCallback()).get("code")).toBe("first");
    const second = listener.waitForCallback();
    const third = listener.waitForCallback();
    await get(listener.port, "/callback?code=second");
    await get(listener.port, "/callback?error=access_denied");
    expect((await second).get("code")).toBe("second");
    expect((await third).get("error")).toBe("access_denied");
  });

  it.each([
    ["another path", "/other?code=x", {}, 404],
    ["a request without code or error", "/callback?state=x", {}, 400],
    ["another method", "/callback?code=x", { method: "POST" }, 405],
    ["a foreign Host header (DNS rebinding)", "/callback?code=x", { host: "evil.example.com" }, 400],
  ])("refuses %s and does not treat it as the callback", async (_label, path, options, status) => {
    listener = await startLoopbackRedirect({ timeout: 0.2 });
    const waiting = listener.waitForCallback();
    expect((await get(listener.port, path, options)).status).toBe(status);
    await expect(waiting).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });

  it("accepts localhost as Host", async () => {
    listener = await startLoopbackRedirect();
    const waiting = listener.waitForCallback();
    expect(
      (await get(listener.port, "/callback?code=x", { host: `localhost:${listener.port}` })).status,
    ).toBe(200);
    expect((await waiting).get("code")).toBe("x");
  });

  it("gives up after its timeout, on abort, and when closed", async () => {
    listener = await startLoopbackRedirect({ timeout: 0.05 });
    const timedOut = await listener.waitForCallback().catch((e: unknown) => e);
    expect(isMCPError(timedOut, "AUTH_FAILED")).toBe(true);
    expect((timedOut as Error).message).toContain(listener.redirectUrl);

    const controller = new AbortController();
    const aborted = listener.waitForCallback(controller.signal);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "AUTH_FAILED" });
    const preAborted = new AbortController();
    preAborted.abort();
    await expect(listener.waitForCallback(preAborted.signal)).rejects.toMatchObject({ code: "AUTH_FAILED" });

    const open = await startLoopbackRedirect();
    const pending = open.waitForCallback();
    await open.close();
    await open.close();
    await expect(pending).rejects.toMatchObject({ code: "AUTH_FAILED" });
    await expect(open.waitForCallback()).rejects.toMatchObject({ code: "AUTH_FAILED" });
    await expect(get(open.port, "/callback?code=x")).rejects.toThrow();
  });

  it.each([
    ["Infinity", Infinity],
    ["more than 2^31-1 ms", 3_000_000],
  ])(
    "a timeout of %s waits: the callback still arrives after Node's 1 ms overflow",
    async (_label, timeout) => {
      listener = await startLoopbackRedirect({ timeout });
      const waiting = listener.waitForCallback();
      let settled = false;
      void waiting.then(
        () => (settled = true),
        () => (settled = true),
      );
      // A bound, not a wait for something: Node's setTimeout fired both delays after 1 ms.
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(settled).toBe(false);
      await get(listener.port, "/callback?code=late");
      expect((await waiting).get("code")).toBe("late");
    },
  );

  it.each([
    ["timeout", { timeout: Number.NaN }, "timeout must be a number of seconds > 0"],
    ["timeout", { timeout: 0 }, "got 0"],
    ["timeout", { timeout: -1 }, "got -1"],
    ["timeout", { timeout: "300" as unknown as number }, 'got the string "300"'],
    ["port", { port: 70_000 }, "port must be a whole number from 0 to 65535"],
    ["port", { port: 1.5 }, "got 1.5"],
    ["path", { path: "callback" }, 'path must be a path that starts with "/"'],
  ])("refuses %s out of range with MCPValidationError naming it: %o", async (field, options, text) => {
    const error = await startLoopbackRedirect(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPValidationError);
    expect(error).toMatchObject({ code: "INVALID_ARGUMENTS", field, rule: `options.${field}` });
    expect((error as Error).message).toContain("startLoopbackRedirect()");
    expect((error as Error).message).toContain(text);
  });

  it("names every option out of range at once", async () => {
    const error = await startLoopbackRedirect({ port: -1, timeout: Number.NaN }).catch((e: unknown) => e);
    expect(error).toMatchObject({ field: "port", context: { options: ["port", "timeout"] } });
    expect((error as Error).message).toMatch(/^Invalid options .*port must .*timeout must/);
  });

  it("binds the requested port and reports a taken one", async () => {
    listener = await startLoopbackRedirect();
    await expect(startLoopbackRedirect({ port: listener.port })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
  });
});

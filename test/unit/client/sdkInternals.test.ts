// client/sdkInternals.ts patches SDK internals for speed and for timers beyond 24.8 days; each patch
// falls back to the SDK's own path when what it relies on is missing, so an SDK bump that moves them
// would silently undo the patch. These tests fail instead: they pin the SDK version and the shape of
// every internal used. When one fails after an SDK bump, re-read sdkInternals.ts against the new SDK.
import { readFileSync } from "node:fs";

import { Client, InMemoryTransport, type JSONRPCMessage, type Progress } from "@modelcontextprotocol/client";
import { Server } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import {
  disarmSdkTimersBeyondMax,
  interceptProgress,
  requestList,
  reuseResultValidators,
  SDK_INTERNALS_CHECKED_AGAINST,
} from "../../../src/client/sdkInternals.js";
import { MAX_TIMER_MS } from "../../../src/resilience/clock.js";

interface Codec {
  validateResult(method: string, raw: unknown): { ok: boolean; reason?: string; value?: unknown };
}
interface Internals {
  _resolveOutboundCodec?: (method: string) => Codec | undefined;
  _setupTimeout?: (...args: unknown[]) => void;
  _timeoutInfo?: Map<unknown, unknown>;
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An SDK client connected in memory to a server whose tools/list is `listTools`. */
async function pair(
  patch: (sdk: Client) => void,
  listTools: (request: unknown, ctx: { mcpReq: { signal: AbortSignal } }) => unknown = () => ({ tools: [] }),
) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = new Server({ name: "pin", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler("tools/list", listTools as never);
  const sdk = new Client({ name: "test", version: "1" });
  patch(sdk);
  await server.connect(serverSide);
  await sdk.connect(clientSide);
  closers.push(async () => {
    await sdk.close();
    await server.close();
  });
  return { sdk, server, clientSide };
}

async function connected(patch: (sdk: Client) => void = () => undefined) {
  return (await pair(patch)).sdk;
}

describe("SDK internals used by client/sdkInternals.ts", () => {
  it("were checked against the installed SDK version", () => {
    const manifest = new URL(
      "../../../node_modules/@modelcontextprotocol/client/package.json",
      import.meta.url,
    );
    const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
    expect(version, "re-read src/client/sdkInternals.ts against the new SDK, then bump the pin").toBe(
      SDK_INTERNALS_CHECKED_AGAINST,
    );
  });

  it("_resolveOutboundCodec(method) gives a codec whose validateResult tells invalid from not-in-era", async () => {
    const sdk = await connected();
    const internals = sdk as unknown as Internals;
    expect(typeof internals._resolveOutboundCodec).toBe("function");
    const codec = internals._resolveOutboundCodec!.call(sdk, "tools/list");
    expect(typeof codec?.validateResult).toBe("function");
    expect(codec!.validateResult("tools/list", undefined)).toMatchObject({ ok: false, reason: "invalid" });
    expect(codec!.validateResult("tools/list", { tools: [] })).toEqual({ ok: true, value: { tools: [] } });
    expect(codec!.validateResult("no/such-method", undefined)).toMatchObject({
      ok: false,
      reason: "not-in-era",
    });
  });

  it("reuseResultValidators builds a method's validator once, and requests still validate", async () => {
    const sdk = await connected(reuseResultValidators);
    const codec = (sdk as unknown as Internals)._resolveOutboundCodec!.call(sdk, "tools/list")!;
    const validate = vi.spyOn(codec, "validateResult");
    expect(await requestList(sdk, "tools/list", {}, {})).toEqual({ tools: [] });
    expect(await requestList(sdk, "tools/list", {}, {})).toEqual({ tools: [] });
    // One probe with undefined (building the validator), then one validation per answer.
    expect(validate.mock.calls.filter(([, raw]) => raw === undefined)).toHaveLength(1);
    expect(validate.mock.calls.filter(([, raw]) => raw !== undefined)).toHaveLength(2);
  });

  it("_setupTimeout(id, timeout, maxTotal, onTimeout, reset) records a timer that disarming skips at MAX_TIMER_MS", () => {
    const sdk = new Client({ name: "test", version: "1" });
    const internals = sdk as unknown as Internals;
    expect(typeof internals._setupTimeout).toBe("function");
    expect(internals._setupTimeout!.length).toBe(4);
    expect(internals._timeoutInfo).toBeInstanceOf(Map);
    disarmSdkTimersBeyondMax(sdk);
    internals._setupTimeout!(1, MAX_TIMER_MS, undefined, () => undefined, false);
    expect(internals._timeoutInfo!.size).toBe(0);
    vi.useFakeTimers();
    try {
      internals._setupTimeout!(2, 1000, undefined, () => undefined, false);
      expect(internals._timeoutInfo!.has(2)).toBe(true);
      vi.clearAllTimers();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("SDK internals, as Client.request() and Client.connect() use them", () => {
  /** A connected client whose server never answers tools/list until the request is cancelled. */
  async function hanging(patch: (sdk: Client) => void) {
    const received = { count: 0 };
    const made = await pair(patch, (_request: unknown, ctx: { mcpReq: { signal: AbortSignal } }) => {
      received.count++;
      return new Promise((resolve) =>
        ctx.mcpReq.signal.addEventListener("abort", () => resolve({ tools: [] })),
      );
    });
    return { ...made, received };
  }

  it("request() arms its timer through _setupTimeout into _timeoutInfo, so disarming reaches it", async () => {
    const { sdk, received } = await hanging(disarmSdkTimersBeyondMax);
    const timers = (sdk as unknown as Internals)._timeoutInfo!;
    const controller = new AbortController();
    const settled: Array<Promise<unknown>> = [];
    // Each request is on the wire (so its timer is armed, or skipped) once the server has it.
    settled.push(requestList(sdk, "tools/list", {}, { timeout: MAX_TIMER_MS, signal: controller.signal }));
    await vi.waitFor(() => expect(received.count).toBe(1));
    expect(timers.size).toBe(0);
    settled.push(requestList(sdk, "tools/list", {}, { timeout: 60_000, signal: controller.signal }));
    await vi.waitFor(() => expect(received.count).toBe(2));
    expect(timers.size).toBe(1);
    controller.abort();
    await Promise.allSettled(settled);
  });

  it("connect() sets the transport's onmessage, which interceptProgress wraps to see progress first", async () => {
    const { server, clientSide } = await hanging(() => undefined);
    expect(typeof clientSide.onmessage).toBe("function");
    const seen: Progress[] = [];
    interceptProgress(clientSide, (token) => (token === "t1" ? (p) => void seen.push(p) : undefined));
    await server.notification({
      method: "notifications/progress",
      params: { progressToken: "t1", progress: 1 },
    });
    await vi.waitFor(() => expect(seen).toEqual([{ progress: 1 }]));
  });
});

describe("interceptProgress", () => {
  it("hands progress for a known token to its handler at once, without the token, and passes the rest on", () => {
    const delivered: JSONRPCMessage[] = [];
    const transport = {
      onmessage: (message: JSONRPCMessage) => void delivered.push(message),
    } as unknown as Parameters<typeof interceptProgress>[0];
    const seen: Progress[] = [];
    interceptProgress(transport, (token) => (token === "t1" ? (p) => void seen.push(p) : undefined));
    const progress = (token: string) =>
      ({
        jsonrpc: "2.0",
        method: "notifications/progress",
        params: { progressToken: token, progress: 1, total: 2 },
      }) as JSONRPCMessage;
    transport.onmessage!(progress("t1"));
    transport.onmessage!(progress("other"));
    transport.onmessage!({ jsonrpc: "2.0", id: 1, result: {} });
    expect(seen).toEqual([{ progress: 1, total: 2 }]);
    expect(delivered).toHaveLength(2);
  });
});

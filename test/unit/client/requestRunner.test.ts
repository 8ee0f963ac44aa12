// Request timeouts, progress (and the timeout it restarts), the total bound and cancellation of
// MCPClient calls, in process over the in-memory seam (test/helpers/inMemoryClient.ts) with vitest's
// fake timers: the runner's timers go through systemClock, which looks the globals up on each call.
import type { RequestOptions } from "@modelcontextprotocol/client";
import type { Server } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import type { MCPClient } from "../../../src/client/mcpClient.js";
import { RequestRunner } from "../../../src/client/requestRunner.js";
import { MCPCancelledError, MCPTimeoutError } from "../../../src/errors/errors.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import { inMemoryClient } from "../../helpers/inMemoryClient.js";

const clients: MCPClient[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
});

/** The server side of the calls: what each tool saw (its abort signal). */
interface Seen {
  signals: AbortSignal[];
}

/**
 * Tools: "hang" never answers (until cancelled); "steps" sends `steps` progress updates `every` ms
 * apart and then answers.
 */
function tools(seen: Seen, steps = 5, every = 400) {
  return (server: Server) => {
    server.setRequestHandler("tools/list", () => ({
      tools: ["hang", "steps"].map((name) => ({ name, inputSchema: { type: "object" as const } })),
    }));
    server.setRequestHandler("tools/call", async (request, ctx) => {
      seen.signals.push(ctx.mcpReq.signal);
      if (request.params.name === "hang") {
        await new Promise((resolve) => ctx.mcpReq.signal.addEventListener("abort", resolve));
        return { content: [] };
      }
      const token = ctx.mcpReq._meta?.progressToken;
      for (let step = 1; step <= steps; step++) {
        await new Promise((resolve) => setTimeout(resolve, every));
        if (ctx.mcpReq.signal.aborted) return { content: [] };
        if (token !== undefined) {
          await ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken: token, progress: step, total: steps },
          });
        }
      }
      return { content: [{ type: "text", text: "done" }] };
    });
  };
}

async function connected(seen: Seen, steps?: number, every?: number) {
  const made = inMemoryClient(tools(seen, steps, every));
  clients.push(made.client);
  await made.client.connect();
  vi.useFakeTimers();
  return made.client;
}

describe("request timeout", () => {
  it("rejects with MCPTimeoutError at the call's timeout, not before, and the server's handler is cancelled", async () => {
    const seen: Seen = { signals: [] };
    const client = await connected(seen);
    const timeouts: unknown[] = [];
    client.on("toolCallTimeout", (event) => timeouts.push(event));
    const call = client.callTool("hang", {}, { timeout: 0.5 });
    const outcome = call.then(
      () => "resolved",
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(499);
    expect(client.inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(MCPTimeoutError);
    expect((error as MCPTimeoutError).message).toBe(
      'tools/call "hang" on server "mem" got no answer within 0.5 s; the request was cancelled. Pass a larger { timeout } or raise the server\'s timeout.',
    );
    expect(timeouts).toEqual([
      { server: "mem", tool: "hang", timeout: 0.5, message: (error as MCPTimeoutError).message },
    ]);
    expect(client.inFlight).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.signals[0]?.aborted).toBe(true);
  });
});

describe("progress", () => {
  it("every update reaches onProgress, in order, before the result", async () => {
    const seen: Seen = { signals: [] };
    const client = await connected(seen, 3, 100);
    const updates: number[] = [];
    const call = client.callTool("steps", {}, { timeout: 10, onProgress: (p) => updates.push(p.progress) });
    await vi.advanceTimersByTimeAsync(300);
    await expect(call).resolves.toMatchObject({ content: [{ text: "done" }] });
    expect(updates).toEqual([1, 2, 3]);
  });

  it("with resetTimeoutOnProgress, each update restarts the timeout; without it the call times out", async () => {
    const seen: Seen = { signals: [] };
    const client = await connected(seen, 5, 400);
    const reset = client.callTool(
      "steps",
      {},
      {
        timeout: 0.5,
        onProgress: () => undefined,
        resetTimeoutOnProgress: true,
      },
    );
    await vi.advanceTimersByTimeAsync(2000);
    await expect(reset).resolves.toMatchObject({ content: [{ text: "done" }] });

    const plain = client.callTool("steps", {}, { timeout: 0.5, onProgress: () => undefined });
    const rejected = expect(plain).rejects.toBeInstanceOf(MCPTimeoutError);
    await vi.advanceTimersByTimeAsync(500);
    await rejected;
  });

  it("maxTotalTimeout bounds a call that keeps reporting progress", async () => {
    const seen: Seen = { signals: [] };
    const client = await connected(seen, 10, 400);
    const call = client.callTool(
      "steps",
      {},
      {
        timeout: 0.5,
        onProgress: () => undefined,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: 1.5,
      },
    );
    const rejected = expect(call).rejects.toThrow(
      'tools/call "steps" on server "mem" had not finished after its maxTotalTimeout of 1.5 s (progress kept restarting its 0.5 s timeout); the request was cancelled. Pass a larger { maxTotalTimeout }.',
    );
    await vi.advanceTimersByTimeAsync(1499);
    expect(client.inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await rejected;
    expect(vi.getTimerCount()).toBeLessThanOrEqual(1); // only the server's own step timer may remain
  });
});

describe("cancellation", () => {
  it("the caller's abort rejects with MCPCancelledError (not a timeout) and cancels the server's handler", async () => {
    const seen: Seen = { signals: [] };
    const client = await connected(seen);
    const controller = new AbortController();
    const call = client.callTool("hang", {}, { timeout: 5, signal: controller.signal });
    const rejected = expect(call).rejects.toSatisfy(
      (error) =>
        error instanceof MCPCancelledError &&
        error.message === 'tools/call "hang" on server "mem" was cancelled by the caller.',
    );
    await vi.advanceTimersByTimeAsync(100);
    controller.abort(new Error("user pressed stop"));
    await rejected;
    await vi.advanceTimersByTimeAsync(0);
    expect(seen.signals[0]?.aborted).toBe(true);
    // With progress the call runs on our own timers: the abort still wins over the timeout.
    const again = new AbortController();
    const withProgress = client.callTool(
      "hang",
      {},
      { timeout: 5, signal: again.signal, onProgress: () => undefined },
    );
    const cancelled = expect(withProgress).rejects.toBeInstanceOf(MCPCancelledError);
    again.abort();
    await cancelled;
  });

  it("an already aborted signal fails before anything is sent", async () => {
    const seen: Seen = { signals: [] };
    const client = await connected(seen);
    await expect(client.callTool("hang", {}, { signal: AbortSignal.abort() })).rejects.toThrow(
      'tools/call "hang" on server "mem" was cancelled before it was sent.',
    );
    expect(seen.signals).toHaveLength(0);
  });
});

// The runner itself, on a ManualClock with a fake exec (no SDK): which timers each path arms, and that
// none of them, nor the listener on the caller's signal, outlives the request.
describe("RequestRunner timers", () => {
  /** A request that settles when the test says so, recording what the runner handed the SDK. */
  function pendingExec() {
    const handed: { options?: RequestOptions; token?: string | undefined } = {};
    let settle!: (outcome: { value: string } | { error: unknown }) => void;
    const exec = (options: RequestOptions, token: string | undefined) => {
      handed.options = options;
      handed.token = token;
      return new Promise<string>((resolve, reject) => {
        settle = (outcome) => ("value" in outcome ? resolve(outcome.value) : reject(outcome.error));
        // Like the SDK: our abort rejects the request.
        options.signal?.addEventListener("abort", () => reject(options.signal?.reason));
      });
    };
    return { exec, handed, settle: (outcome: { value: string } | { error: unknown }) => settle(outcome) };
  }

  const operation = { label: 'tools/call "t"', timeoutSeconds: 1 };

  it("a plain request arms no timer of ours: the SDK's own timer is the timeout (BENCHMARKS.md)", async () => {
    const clock = new ManualClock();
    const runner = new RequestRunner("srv", "stdio", () => undefined, clock);
    const { exec, handed, settle } = pendingExec();
    const caller = new AbortController();
    const call = runner.run(operation, exec, caller.signal);
    expect(clock.pending).toBe(0);
    expect(handed.options?.timeout).toBe(1000);
    expect(handed.token).toBeUndefined();
    settle({ value: "ok" });
    await expect(call).resolves.toBe("ok");
  });

  it("with resetTimeoutOnProgress, each update restarts the timeout and silence after the last one still times out", async () => {
    const clock = new ManualClock();
    const runner = new RequestRunner("srv", "stdio", () => undefined, clock);
    const { exec, handed } = pendingExec();
    const progress = { onProgress: () => undefined, resetOnProgress: true, maxTotalSeconds: 100 };
    const outcome = runner.run(operation, exec, undefined, progress).catch((error: unknown) => error);
    const update = runner.progressHandler(handed.token!)!;
    clock.advance(900);
    update({ progress: 1 });
    clock.advance(900);
    expect(handed.options?.signal?.aborted).toBe(false);
    clock.advance(100);
    expect(handed.options?.signal?.aborted).toBe(true);
    expect(await outcome).toBeInstanceOf(MCPTimeoutError);
    expect(clock.pending).toBe(0);
  });

  it("no path on our own timers leaves a timer on the clock or a listener on the caller's signal", async () => {
    const clock = new ManualClock();
    const runner = new RequestRunner("srv", "stdio", () => undefined, clock);
    const progress = { onProgress: () => undefined, resetOnProgress: true, maxTotalSeconds: 10 };
    type Finish = (settle: ReturnType<typeof pendingExec>["settle"]) => void;
    const answer: Finish = (settle) => settle({ value: "ok" });
    const fail: Finish = (settle) => settle({ error: new Error("boom") });
    const timeOut: Finish = () => clock.advance(1000);
    // Progress (with its total bound) and "no limit" (Infinity) both run on our own timers.
    const cases: Array<[string, number, typeof progress | undefined, Finish]> = [
      ["progress, answered", 1, progress, answer],
      ["progress, failed", 1, progress, fail],
      ["progress, timed out", 1, progress, timeOut],
      ["no limit, answered", Infinity, undefined, answer],
      ["no limit, failed", Infinity, undefined, fail],
    ];
    for (const [name, timeoutSeconds, withProgress, finish] of cases) {
      const caller = new AbortController();
      const { exec, handed, settle } = pendingExec();
      const call = runner
        .run({ ...operation, timeoutSeconds }, exec, caller.signal, withProgress)
        .catch(() => undefined);
      finish(settle);
      await call;
      expect(clock.pending, name).toBe(0);
      // The request is over: the caller's abort no longer reaches it (a timeout aborted it already).
      const abortedBefore = handed.options?.signal?.aborted;
      caller.abort();
      expect(handed.options?.signal?.aborted, name).toBe(abortedBefore);
    }
  });
});

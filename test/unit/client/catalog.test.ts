// Discovery, pagination, list_changed refresh and the tool filter of MCPClient, in process: the client
// connects through its internal transport factory to an SDK Server over the in-memory pair
// (test/helpers/inMemoryClient.ts). The integration suites check the same over real processes.
import type { Client } from "@modelcontextprotocol/client";
import type { Server } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import { Catalog } from "../../../src/client/catalog.js";
import type { ClientEvents } from "../../../src/client/events.js";
import type { MCPClient } from "../../../src/client/mcpClient.js";
import { RequestRunner } from "../../../src/client/requestRunner.js";
import { EventHub } from "../../../src/common/events.js";
import { READ_RETRIES, READ_RETRY_DELAY_MS } from "../../../src/config/defaults.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPConnectionError } from "../../../src/errors/errors.js";
import { ManualClock } from "../../../src/resilience/clock.js";
import { inMemoryClient } from "../../helpers/inMemoryClient.js";

const clients: MCPClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.disconnect()));
});

const tool = (name: string) => ({ name, inputSchema: { type: "object" as const } });

function start(...args: Parameters<typeof inMemoryClient>) {
  const made = inMemoryClient(...args);
  clients.push(made.client);
  return made;
}

function warnings(client: MCPClient, kind: string): string[] {
  const seen: string[] = [];
  client.on("warning", (event) => {
    if (event.kind === kind) seen.push(event.message);
  });
  return seen;
}

/** A tools/list handler that serves `pages` by cursor ("" is the first page). */
function pagedTools(server: Server, pages: Record<string, { tools: string[]; next?: string }>) {
  server.setRequestHandler("tools/list", (request) => {
    const page = pages[request.params?.cursor ?? ""]!;
    return { tools: page.tools.map(tool), ...(page.next === undefined ? {} : { nextCursor: page.next }) };
  });
}

describe("discovery", () => {
  it("reads tools, resources, templates and prompts at connect, following every page", async () => {
    const { client } = start(
      (server) => {
        pagedTools(server, {
          "": { tools: ["a", "b"], next: "p2" },
          p2: { tools: ["c"], next: "p3" },
          p3: { tools: ["d"] },
        });
        server.setRequestHandler("resources/list", (request) =>
          request.params?.cursor === "r2"
            ? { resources: [{ uri: "mem://2", name: "two" }] }
            : { resources: [{ uri: "mem://1", name: "one" }], nextCursor: "r2" },
        );
        server.setRequestHandler("resources/templates/list", () => ({
          resourceTemplates: [{ uriTemplate: "mem://{id}", name: "by id" }],
        }));
        server.setRequestHandler("prompts/list", () => ({ prompts: [{ name: "greet" }] }));
      },
      { capabilities: { tools: {}, resources: {}, prompts: {} } },
    );
    const connected: unknown[] = [];
    client.on("connected", (event) => connected.push(event));
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["a", "b", "c", "d"]);
    expect(client.getAvailableResources()).toEqual(["mem://1", "mem://2"]);
    expect(client.resourceTemplates.map((t) => t.uriTemplate)).toEqual(["mem://{id}"]);
    expect(client.getAvailablePrompts()).toEqual(["greet"]);
    expect(connected).toEqual([
      {
        server: "mem",
        message: 'Connected to MCP server "mem"',
        toolsCount: 4,
        resourcesCount: 2,
        promptsCount: 1,
      },
    ]);
  });

  it("stops at a repeated cursor with a pagination-loop warning instead of hanging", async () => {
    const { client } = start((server) =>
      pagedTools(server, {
        "": { tools: ["a"], next: "x" },
        x: { tools: ["b"], next: "y" },
        y: { tools: ["c"], next: "x" },
      }),
    );
    const loops = warnings(client, "pagination-loop");
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["a", "b", "c"]);
    expect(loops).toEqual([
      'Server "mem" repeated the cursor "x" in tools/list; stopped after 3 pages with 3 items',
    ]);
  });

  it("a list method the server does not implement (-32601) is an empty list, except tools/list", async () => {
    const { client } = start((server) => pagedTools(server, { "": { tools: ["a"] } }), {
      capabilities: { tools: {}, resources: {}, prompts: {} },
    });
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["a"]);
    expect(client.getAvailableResources()).toEqual([]);
    expect(client.getAvailablePrompts()).toEqual([]);

    const failing = start(() => undefined);
    await expect(failing.client.connect()).rejects.toMatchObject({ rpcCode: -32601 });
    expect(failing.client.state).toBe("failed");
  });

  it("keeps the first of two tools with one name and warns once", async () => {
    const { client } = start((server) => pagedTools(server, { "": { tools: ["a", "a", "b"] } }));
    const duplicates = warnings(client, "duplicate-tool");
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["a", "b"]);
    expect(duplicates).toEqual(['Server "mem" listed tool "a" twice; the first definition is kept']);
  });
});

describe("list_changed", () => {
  /**
   * A client whose server lists `names()`; the first refresh (the second read) waits for
   * `release()`, and `refreshRunning` resolves once it is waiting.
   */
  function heldRefresh(names: () => string[]) {
    const counted = { reads: 0 };
    let release: () => void = () => undefined;
    let refreshRuns: () => void = () => undefined;
    const refreshRunning = new Promise<void>((resolve) => (refreshRuns = resolve));
    const made = start(
      (server) =>
        server.setRequestHandler("tools/list", async () => {
          counted.reads++;
          if (counted.reads === 2) {
            const released = new Promise<void>((resolve) => (release = resolve));
            refreshRuns();
            await released;
          }
          return { tools: names().map(tool) };
        }),
      { capabilities: { tools: { listChanged: true } } },
    );
    return { made, counted, refreshRunning, release: () => release() };
  }

  it("re-reads the changed list and emits listChanged; a second notice during the refresh reads it again", async () => {
    let names = ["a"];
    // The first refresh waits, so that a second notice arrives while it runs.
    const { made, counted, refreshRunning, release } = heldRefresh(() => names);
    const { client } = made;
    await client.connect();
    const changed = new Promise((resolve) => client.on("listChanged", resolve));
    names = ["a", "b"];
    await made.server().notification({ method: "notifications/tools/list_changed" });
    await refreshRunning;
    names = ["a", "b", "c"];
    await made.server().notification({ method: "notifications/tools/list_changed" });
    release();
    await expect(changed).resolves.toEqual({
      server: "mem",
      kind: "tools",
      message: 'Server "mem" changed its tools; the list was refreshed',
    });
    expect(counted.reads).toBe(3);
    expect(client.getAvailableTools()).toEqual(["a", "b", "c"]);
  });

  it("a refresh cut off by the lost connection warns nothing: the loss is reported once, as the error", async () => {
    const { made, refreshRunning } = heldRefresh(() => ["a"]);
    const { client } = made;
    await client.connect();
    const refreshFailed = warnings(client, "refresh-failed");
    const lost = new Promise((resolve) => client.on("error", resolve));
    await made.server().notification({ method: "notifications/tools/list_changed" });
    await refreshRunning;
    await made.server().close();
    await lost;
    // The refresh's request failed with the connection; let its handler run.
    await new Promise((resolve) => setImmediate(resolve));
    expect(refreshFailed).toEqual([]);
    expect(client.getAvailableTools()).toEqual(["a"]);
  });

  it("a failed refresh keeps the old list and warns", async () => {
    let fail = false;
    const made = start(
      (server) =>
        server.setRequestHandler("tools/list", () => {
          if (fail) throw new Error("backend down");
          return { tools: [tool("a")] };
        }),
      { capabilities: { tools: { listChanged: true } } },
    );
    await made.client.connect();
    const failed = new Promise<{ message: string }>((resolve) =>
      made.client.on("warning", (event) => event.kind === "refresh-failed" && resolve(event)),
    );
    fail = true;
    await made.server().notification({ method: "notifications/tools/list_changed" });
    expect((await failed).message).toMatch(/^Refreshing tools of server "mem" failed: .*backend down/);
    expect(made.client.getAvailableTools()).toEqual(["a"]);
  });
});

describe("tool filter", () => {
  const all = (server: Server) => pagedTools(server, { "": { tools: ["read", "write", "delete"] } });

  it("allowedTools keeps only the named tools; excludeTools drops named ones, raw or routed", async () => {
    const allowed = start(all, { options: { allowedTools: ["read", "mcp__mem__write"] } });
    await allowed.client.connect();
    expect(allowed.client.getAvailableTools()).toEqual(["read", "write"]);
    const excluded = start(all, { options: { excludeTools: ["mcp__mem__delete"] } });
    await excluded.client.connect();
    expect(excluded.client.getAvailableTools()).toEqual(["read", "write"]);
  });

  it("the server's allowed_tools takes precedence over the client's; both exclusion lists apply", async () => {
    const { client } = start(all, {
      config: { allowed_tools: ["read", "delete"], exclude_tools: ["delete"] },
      options: { allowedTools: ["write"], excludeTools: ["read"] },
    });
    await client.connect();
    expect(client.getAvailableTools()).toEqual([]);
    const precedence = start(all, {
      config: { allowed_tools: ["read", "delete"] },
      options: { allowedTools: ["write"] },
    });
    await precedence.client.connect();
    expect(precedence.client.getAvailableTools()).toEqual(["read", "delete"]);
  });

  it("a list may name a tool by its routed (sanitised) name, as MultiMCPClient's do", async () => {
    // Changed behaviour (CHANGELOG): MCPClient used to match only `mcp__{server}__{raw}`, so the
    // same allowed_tools kept `a.b` under MultiMCPClient and dropped it here.
    const dotted = (server: Server) => pagedTools(server, { "": { tools: ["a.b", "c.d"] } });
    const allowed = start(dotted, { config: { allowed_tools: ["mcp__mem__a_b"] } });
    await allowed.client.connect();
    expect(allowed.client.getAvailableTools()).toEqual(["a.b"]);
    const excluded = start(dotted, { options: { excludeTools: ["mcp__mem__c_d"] } });
    await excluded.client.connect();
    expect(excluded.client.getAvailableTools()).toEqual(["a.b"]);
  });

  it("a toolFilter option replaces the lists", async () => {
    const { client } = start(all, {
      options: { allowedTools: ["read"], toolFilter: (t) => t.name !== "read" },
    });
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["write", "delete"]);
  });

  it("a toolFilter method is called with the options object as `this`", async () => {
    const options = {
      hidden: "write",
      toolFilter(this: { hidden: string }, t: { name: string }) {
        return t.name !== this.hidden;
      },
    };
    const { client } = start(all, { options });
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["read", "delete"]);
  });
});

// The Catalog on its own, against a fake SDK client whose list requests the test answers by hand:
// single-flight refreshes, the generation checks that keep a stale refresh from overwriting the lists
// of a newer connection, and the retry of read-only list requests.
describe("Catalog", () => {
  interface Pending {
    method: string;
    params: unknown;
    answer: (result: Record<string, unknown>) => void;
    fail: (error: unknown) => void;
  }

  function fakeCatalog(type: "stdio" | "streamable-http" = "stdio") {
    const pending: Pending[] = [];
    const sdk = {
      getServerCapabilities: () => ({ tools: {}, resources: {}, prompts: {} }),
      request: ({ method, params }: { method: string; params: unknown }) =>
        new Promise((answer, fail) => pending.push({ method, params, answer, fail })),
    } as unknown as Client;
    const state = { generation: 1, replaced: 0 };
    const events = new EventHub<ClientEvents>();
    const seen: Array<{ event: string; kind: string; message: string }> = [];
    events.on("listChanged", (e) => seen.push({ event: "listChanged", kind: e.kind, message: e.message }));
    events.on("warning", (e) => seen.push({ event: "warning", kind: e.kind, message: e.message }));
    const config = MCPConfigValidator.validateServerConfig(
      type === "stdio"
        ? { name: "srv", command: "node" }
        : { name: "srv", type: "streamable-http", url: "https://mcp.example.invalid/mcp" },
    );
    const catalog = new Catalog({
      name: "srv",
      config,
      options: {},
      events,
      runner: new RequestRunner("srv", config.type, () => undefined, new ManualClock()),
      sdk: () => sdk,
      generation: () => state.generation,
      toolsReplaced: () => state.replaced++,
    });
    return { catalog, pending, state, seen };
  }

  const flush = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  /** A refresh of `kind` whose first request is out when the client reconnects (generation 2). */
  async function refreshThenReconnect(kind: "tools" | "prompts") {
    const made = fakeCatalog();
    const refresh = made.catalog.refresh(kind);
    await flush();
    made.state.generation = 2;
    return { ...made, refresh };
  }

  it("concurrent list_changed notices share one refresh: one request in flight, one more read afterwards", async () => {
    const { catalog, pending } = fakeCatalog();
    const first = catalog.refresh("tools");
    const second = catalog.refresh("tools");
    expect(second).toBe(first);
    await flush();
    expect(pending.map((p) => p.method)).toEqual(["tools/list"]);
    pending[0]!.answer({ tools: [tool("old")] });
    await flush();
    expect(pending).toHaveLength(2);
    pending[1]!.answer({ tools: [tool("new")] });
    await first;
    expect([...catalog.tools.keys()]).toEqual(["new"]);
  });

  it("a refresh that finishes after a reconnect leaves the new connection's lists alone and stays quiet", async () => {
    const { catalog, pending, state, seen, refresh } = await refreshThenReconnect("tools");
    // The new connection discovered its own tools.
    catalog.tools = new Map([["current", tool("current")]]);
    state.replaced = 0;
    pending[0]!.answer({ tools: [tool("stale")] });
    await refresh;
    expect([...catalog.tools.keys()]).toEqual(["current"]);
    expect(state.replaced).toBe(0);
    expect(seen).toEqual([]);
  });

  it("a paginated read for an older connection asks for no further page and replaces nothing", async () => {
    const { catalog, pending, refresh } = await refreshThenReconnect("prompts");
    catalog.prompts = new Map([["current", { name: "current" }]]);
    pending[0]!.answer({ prompts: [{ name: "p1" }], nextCursor: "2" });
    await refresh;
    expect(pending).toHaveLength(1);
    expect([...catalog.prompts.keys()]).toEqual(["current"]);
  });

  it("a failed refresh for an older connection warns nothing", async () => {
    const { pending, seen, refresh } = await refreshThenReconnect("tools");
    pending[0]!.fail(new Error("connection closed"));
    await refresh;
    expect(seen).toEqual([]);
  });

  describe("read-only retries", () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    const status = (code: number) =>
      new MCPConnectionError(`HTTP ${code}`, { code: "HTTP_STATUS", httpStatus: code, serverName: "srv" });

    it(`over HTTP a list request is retried ${READ_RETRIES} times on 5xx, 408 and 429, with a warning each time`, async () => {
      vi.useFakeTimers();
      const { catalog, pending, seen } = fakeCatalog("streamable-http");
      const refresh = catalog.refresh("tools");
      await flush();
      pending[0]!.fail(status(408));
      await vi.advanceTimersByTimeAsync(READ_RETRY_DELAY_MS * 4);
      pending[1]!.fail(status(503));
      await vi.advanceTimersByTimeAsync(READ_RETRY_DELAY_MS * 4);
      pending[2]!.fail(status(500));
      await refresh;
      expect(pending).toHaveLength(3);
      expect(seen).toEqual([
        {
          event: "warning",
          kind: "retry",
          message: 'tools/list on server "srv" got HTTP 408; retrying (1 of 2)',
        },
        {
          event: "warning",
          kind: "retry",
          message: 'tools/list on server "srv" got HTTP 503; retrying (2 of 2)',
        },
        {
          event: "warning",
          kind: "refresh-failed",
          message: 'Refreshing tools of server "srv" failed: HTTP 500',
        },
      ]);

      const again = fakeCatalog("streamable-http");
      const retried = again.catalog.refresh("tools");
      await flush();
      again.pending[0]!.fail(status(429));
      await vi.advanceTimersByTimeAsync(READ_RETRY_DELAY_MS * 4);
      again.pending[1]!.answer({ tools: [tool("t")] });
      await retried;
      expect([...again.catalog.tools.keys()]).toEqual(["t"]);
    });

    it("a 4xx over HTTP, and any failure over stdio, is not retried", async () => {
      for (const [type, code] of [
        ["streamable-http", 404],
        ["stdio", 503],
      ] as const) {
        const { catalog, pending, seen } = fakeCatalog(type);
        const refresh = catalog.refresh("tools");
        await flush();
        pending[0]!.fail(status(code));
        await refresh;
        expect(pending, `${type} ${code}`).toHaveLength(1);
        expect(seen.map((e) => e.kind)).toEqual(["refresh-failed"]);
      }
    });
  });
});

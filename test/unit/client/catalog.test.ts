// Discovery, pagination, list_changed refresh and the tool filter of MCPClient, in process: the client
// connects through its internal transport factory to an SDK Server over the in-memory pair
// (test/helpers/inMemoryClient.ts). The integration suites check the same over real processes.
import type { Server } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it } from "vitest";

import type { MCPClient } from "../../../src/client/mcpClient.js";
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
  it("re-reads the changed list and emits listChanged; a second notice during the refresh reads it again", async () => {
    let names = ["a"];
    let reads = 0;
    let release: (() => void) | undefined;
    let refreshRuns: () => void = () => undefined;
    const refreshRunning = new Promise<void>((resolve) => (refreshRuns = resolve));
    const made = start(
      (server) =>
        server.setRequestHandler("tools/list", async () => {
          reads++;
          // The first refresh waits, so that a second notice arrives while it runs.
          if (reads === 2) {
            const released = new Promise<void>((resolve) => (release = resolve));
            refreshRuns();
            await released;
          }
          return { tools: names.map(tool) };
        }),
      { capabilities: { tools: { listChanged: true } } },
    );
    const { client } = made;
    await client.connect();
    const changed = new Promise((resolve) => client.on("listChanged", resolve));
    names = ["a", "b"];
    await made.server().notification({ method: "notifications/tools/list_changed" });
    await refreshRunning;
    names = ["a", "b", "c"];
    await made.server().notification({ method: "notifications/tools/list_changed" });
    release!();
    await expect(changed).resolves.toEqual({
      server: "mem",
      kind: "tools",
      message: 'Server "mem" changed its tools; the list was refreshed',
    });
    expect(reads).toBe(3);
    expect(client.getAvailableTools()).toEqual(["a", "b", "c"]);
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

  it("a toolFilter option replaces the lists", async () => {
    const { client } = start(all, {
      options: { allowedTools: ["read"], toolFilter: (t) => t.name !== "read" },
    });
    await client.connect();
    expect(client.getAvailableTools()).toEqual(["write", "delete"]);
  });
});

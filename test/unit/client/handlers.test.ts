import { Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { Server } from "@modelcontextprotocol/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import {
  clientCapabilities,
  type ClientHandlers,
  registerClientHandlers,
} from "../../../src/client/handlers.js";
import { MCPClient } from "../../../src/client/mcpClient.js";
import type { MCPClientOptions } from "../../../src/client/options.js";
import { MultiMCPClient } from "../../../src/multi/multiClient.js";
import { EVERYTHING_SERVER } from "../../helpers/servers.js";

const FORM = {
  mode: "form" as const,
  message: "Who are you?",
  requestedSchema: {
    type: "object" as const,
    properties: {
      name: { type: "string" as const, default: "Ann" },
      age: { type: "integer" as const, default: 7 },
      subscribed: { type: "boolean" as const },
    },
  },
};

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An SDK server and an SDK client with our handlers, linked in memory. */
async function linked(handlers: ClientHandlers | undefined) {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = new Server({ name: "asker", version: "1" }, { capabilities: {} });
  const sdk = new Client({ name: "test", version: "1" }, { capabilities: clientCapabilities(handlers) });
  registerClientHandlers(sdk, handlers, "asker-server");
  await server.connect(serverSide);
  await sdk.connect(clientSide);
  closers.push(async () => {
    await sdk.close();
    await server.close();
  });
  return { server, sdk };
}

describe("clientCapabilities", () => {
  it("advertises exactly the handlers given", () => {
    expect(clientCapabilities(undefined)).toEqual({});
    expect(clientCapabilities({})).toEqual({});
    expect(clientCapabilities({ elicitation: () => ({ action: "cancel" }) })).toEqual({
      elicitation: { form: { applyDefaults: true } },
    });
    expect(clientCapabilities({ sampling: vi.fn(), roots: [] })).toEqual({ sampling: {}, roots: {} });
  });

  it("reaches the server in initialize", async () => {
    const { server } = await linked({ elicitation: () => ({ action: "cancel" }), roots: [] });
    expect(server.getClientCapabilities()).toMatchObject({
      elicitation: { form: { applyDefaults: true } },
      roots: {},
    });
    expect(server.getClientCapabilities()?.sampling).toBeUndefined();
  });
});

describe("elicitation handler", () => {
  it("gets the form request with the server's name and a signal, and the schema's defaults fill what it left out", async () => {
    const elicitation = vi.fn(() => ({ action: "accept" as const, content: { subscribed: true } }));
    const { server } = await linked({ elicitation });
    const result = await server.elicitInput(FORM);
    expect(result).toEqual({ action: "accept", content: { subscribed: true, name: "Ann", age: 7 } });
    const [request, context] = elicitation.mock.calls[0] as unknown as [
      typeof FORM,
      { server: string; signal: AbortSignal },
    ];
    expect(request).toMatchObject({ message: "Who are you?", requestedSchema: FORM.requestedSchema });
    expect(context.server).toBe("asker-server");
    expect(context.signal).toBeInstanceOf(AbortSignal);
  });

  it("keeps what the user entered over defaults, and passes decline and cancel through", async () => {
    const answers = [
      { action: "accept" as const, content: { name: "Bo" } },
      { action: "decline" as const },
      { action: "cancel" as const },
    ];
    const { server } = await linked({ elicitation: () => answers.shift()! });
    expect((await server.elicitInput(FORM)).content).toEqual({ name: "Bo", age: 7 });
    expect(await server.elicitInput(FORM)).toEqual({ action: "decline" });
    expect(await server.elicitInput(FORM)).toEqual({ action: "cancel" });
  });

  it("a throwing handler answers with an error and the connection stays usable", async () => {
    let calls = 0;
    const { server } = await linked({
      elicitation: () => {
        calls++;
        if (calls === 1) throw new Error("the user closed the dialog");
        return { action: "cancel" };
      },
    });
    await expect(server.elicitInput(FORM)).rejects.toThrow(/the user closed the dialog/);
    expect(await server.elicitInput(FORM)).toEqual({ action: "cancel" });
  });

  it("URL-mode requests are refused: only form mode is advertised", async () => {
    const elicitation = vi.fn(() => ({ action: "cancel" as const }));
    const { server } = await linked({ elicitation });
    await expect(
      server.elicitInput({
        mode: "url",
        message: "Open this",
        url: "https://example.com/x",
        elicitationId: "e1",
      }),
    ).rejects.toThrow();
    expect(elicitation).not.toHaveBeenCalled();
  });

  it("without a handler the server cannot elicit at all", async () => {
    const { server } = await linked(undefined);
    await expect(server.elicitInput(FORM)).rejects.toThrow();
  });
});

describe("sampling and roots handlers", () => {
  it("sampling answers createMessage with the handler's message", async () => {
    const sampling = vi.fn((_request: unknown, _context: unknown) => ({
      role: "assistant" as const,
      model: "test-model",
      content: { type: "text" as const, text: "four" },
    }));
    const { server } = await linked({ sampling });
    const result = await server.createMessage({
      messages: [{ role: "user", content: { type: "text", text: "2+2?" } }],
      maxTokens: 10,
    });
    expect(result).toMatchObject({ model: "test-model", content: { text: "four" } });
    expect(sampling.mock.calls[0]![0]).toMatchObject({ maxTokens: 10 });
  });

  it("roots can be a fixed list or a function asked on every roots/list", async () => {
    const fixed = await linked({ roots: [{ uri: "file:///work", name: "work" }] });
    expect(await fixed.server.listRoots()).toEqual({ roots: [{ uri: "file:///work", name: "work" }] });
    let n = 0;
    const dynamic = await linked({ roots: async ({ server }) => [{ uri: `file:///r${++n}`, name: server }] });
    expect((await dynamic.server.listRoots()).roots).toEqual([{ uri: "file:///r1", name: "asker-server" }]);
    expect((await dynamic.server.listRoots()).roots[0]!.uri).toBe("file:///r2");
  });
});

describe("handlers through MCPClient (server-everything over stdio)", () => {
  it("servers see the capabilities and their requests reach the handlers", async () => {
    const sampling = vi.fn((_request: unknown, _context: unknown) => ({
      role: "assistant" as const,
      model: "fake-llm",
      content: { type: "text" as const, text: "sampled-by-handler" },
    }));
    const elicitation = vi.fn(() => ({ action: "accept" as const, content: { name: "Zed" } }));
    const client = new MCPClient(
      {
        name: "everything",
        command: process.execPath,
        args: [EVERYTHING_SERVER],
        security: { level: "permissive" },
      },
      { handlers: { sampling, elicitation, roots: [{ uri: "file:///tmp/project", name: "project" }] } },
    );
    closers.push(() => client.disconnect());
    const wanted = ["trigger-sampling-request", "trigger-elicitation-request", "get-roots-list"];
    // The server registers these tools after `initialized`, according to the client's capabilities.
    const registered = new Promise<void>((resolve) => {
      const check = () => wanted.every((name) => client.tools.has(name)) && resolve();
      client.on("listChanged", check);
      client.on("connected", check);
    });
    await client.connect();
    await registered;

    const sampled = await client.callTool("trigger-sampling-request", { prompt: "hi", maxTokens: 5 });
    expect(JSON.stringify(sampled.content)).toContain("sampled-by-handler");
    expect(sampling.mock.calls[0]![1]).toMatchObject({ server: "everything" });

    const elicited = await client.callTool("trigger-elicitation-request", {});
    const text = JSON.stringify(elicited.content);
    expect(text).toContain("Zed");
    // A default of the server's form, filled in by the library because the handler left it out.
    expect(text).toContain("It was a dark and stormy night.");

    expect(JSON.stringify((await client.callTool("get-roots-list", {})).content)).toContain(
      "file:///tmp/project",
    );
  });
});

describe("handlers and auth options in MultiMCPClient", () => {
  it("every server's client gets them", async () => {
    const handlers: ClientHandlers = { roots: [] };
    const auth = { onAuthorizationUrl: async () => "http://127.0.0.1:1/cb?code=x" };
    const seen: MCPClientOptions[] = [];
    const multi = new MultiMCPClient(
      [
        { name: "a", command: process.execPath, args: ["a.js"] },
        { name: "b", url: "https://b.example.com/mcp" },
      ],
      {
        handlers,
        auth,
        createClient: (config, options) => {
          seen.push(options);
          return new MCPClient(config, options);
        },
      },
    );
    closers.push(() => multi.disconnect());
    expect(seen).toHaveLength(2);
    for (const options of seen) {
      expect(options.handlers).toBe(handlers);
      expect(options.auth).toBe(auth);
    }
  });
});

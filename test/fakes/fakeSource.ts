/**
 * An in-memory tool source shaped like a MultiMCPClient (prefixed names, `server`, `rawName`), for
 * unit tests of the converters without a server process.
 */
import type { CallToolResult } from "@modelcontextprotocol/client";

import type { ToolSource, ToolSourceCallOptions, ToolSourceEntry } from "../../src/converters/toolSource.js";
import { MCPCancelledError, MCPServerError } from "../../src/errors/errors.js";

export interface RecordedCall {
  name: string;
  args: Record<string, unknown>;
  options: ToolSourceCallOptions | undefined;
}

type Handler = (
  args: Record<string, unknown>,
  options: ToolSourceCallOptions | undefined,
) => Promise<CallToolResult>;

const LONG = `mcp__analytics_warehouse_production__${"summarise_quarterly_revenue_by_region".repeat(2)}`;

/** Tools: plain, dotted, very long, with optional and nested arguments, failing, throwing, slow. */
export function fakeSource(): ToolSource & { calls: RecordedCall[]; tools: Map<string, ToolSourceEntry> } {
  const calls: RecordedCall[] = [];
  const handlers = new Map<string, Handler>();
  const tools = new Map<string, ToolSourceEntry>();
  const add = (name: string, entry: Omit<ToolSourceEntry, "name">, handler: Handler) => {
    const rawName = name.split("__").pop()!;
    tools.set(name, { name, server: name.split("__")[1], rawName, ...entry });
    handlers.set(name, handler);
  };
  const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

  add(
    "mcp__demo__echo",
    {
      description: "Echoes a message.",
      inputSchema: {
        type: "object",
        properties: { message: { type: "string" } },
        required: ["message"],
        $schema: "https://json-schema.org/draft/2020-12/schema",
      },
    },
    async (args) => text(`Echo: ${String(args["message"])}`),
  );
  add(
    "mcp__files__read.file",
    {
      tool: { title: "Read file" },
      inputSchema: { type: "object", properties: { path: { type: "string" } } },
    },
    async (args) => text(`read ${String(args["path"])}`),
  );
  add(LONG, { description: "Long name.", inputSchema: { type: "object", properties: {} } }, async () =>
    text("long ok"),
  );
  add(
    "mcp__demo__search",
    {
      description: "Searches.",
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string" },
          limit: { type: "integer", default: 10 },
          filter: { $ref: "#/$defs/filter" },
        },
        required: ["query"],
        $defs: { filter: { type: "object", properties: { tag: { type: "string" } }, required: ["tag"] } },
      },
    },
    async (args) => ({
      content: [{ type: "text", text: JSON.stringify(args) }],
      structuredContent: { args },
    }),
  );
  add(
    "mcp__demo__fail",
    { description: "Fails.", inputSchema: { type: "object", properties: {} } },
    async () => ({ content: [{ type: "text", text: "Tool failed: on purpose" }], isError: true }),
  );
  add("mcp__demo__boom", { description: "JSON-RPC error.", inputSchema: { type: "object" } }, async () => {
    throw new MCPServerError('tools/call "boom" on server "demo" failed: Internal error', {
      serverName: "demo",
      rpcCode: -32603,
    });
  });
  add(
    "mcp__demo__slow",
    { description: "Waits until aborted.", inputSchema: { type: "object" } },
    (_args, options) =>
      new Promise((_resolve, reject) => {
        options?.signal?.addEventListener(
          "abort",
          () =>
            reject(new MCPCancelledError("slow was cancelled by the caller.", { operation: "tools/call" })),
          { once: true },
        );
      }),
  );

  return {
    tools,
    calls,
    async callTool(name, args, options) {
      calls.push({ name, args, options });
      const handler = handlers.get(name);
      if (!handler) throw new Error(`fake: no tool ${name}`);
      return handler(args, options);
    },
  };
}

export const LONG_TOOL_NAME = LONG;

import type { CallToolResult, Progress, ToolAnnotations } from "@modelcontextprotocol/client";

/**
 * What the converters read from a client. `MCPClient` (tools keyed by raw name) and
 * `MultiMCPClient` (tools keyed by prefixed name `mcp__server__tool`, entries carrying `server` and
 * `rawName`) both fit structurally, so this module imports neither. The map key is always the
 * name to call the tool with.
 */
export interface ToolSource {
  /** A single-server client's server name, used as `server` for tools that name none. */
  readonly name?: string | undefined;
  readonly tools: ReadonlyMap<string, ToolSourceEntry>;
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: ToolSourceCallOptions,
  ): Promise<CallToolResult>;
}

/** A tool as a client exposes it: an MCP `Tool`, or a multi-server entry that wraps one. */
export interface ToolSourceEntry {
  readonly name?: string | undefined;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly inputSchema?: unknown;
  readonly outputSchema?: unknown;
  readonly annotations?: ToolAnnotations | undefined;
  /** The configured server (multi-server entries; for a single client, its `name`). */
  readonly server?: string | undefined;
  /** The tool's own name on its server (multi-server entries). */
  readonly rawName?: string | undefined;
  /** The wrapped MCP tool (multi-server entries). */
  readonly tool?:
    { readonly title?: string | undefined; readonly description?: string | undefined } | undefined;
}

/** Per-call options passed through to the client's `callTool`. */
export interface ToolSourceCallOptions {
  /** Seconds. */
  timeout?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: Progress) => void) | undefined;
}

/** Anything the converters accept: a client, an object with a `tools` map, or a list of tools. */
export type ToolListInput =
  | { readonly name?: string | undefined; readonly tools: ReadonlyMap<string, ToolSourceEntry> }
  | readonly (ToolSourceEntry & { readonly name: string })[];

/** One tool, normalised. */
export interface SourceTool {
  /** The name to call the tool with (the map key: raw, or prefixed for multi-server clients). */
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  /** The tool's input schema as the server sent it; `undefined` when it is missing or not an object. */
  readonly inputSchema: Record<string, unknown> | undefined;
  readonly outputSchema: Record<string, unknown> | undefined;
  readonly annotations: ToolAnnotations | undefined;
  readonly server: string | undefined;
  readonly rawName: string | undefined;
}

/** Any non-array object: a schema may come from another realm or a class, and is still read as data. */
function isObjectRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function normalise(name: string, entry: ToolSourceEntry, defaultServer?: string): SourceTool {
  return {
    name,
    title: entry.title ?? entry.tool?.title,
    description: entry.description ?? entry.tool?.description,
    inputSchema: isObjectRecord(entry.inputSchema) ? entry.inputSchema : undefined,
    outputSchema: isObjectRecord(entry.outputSchema) ? entry.outputSchema : undefined,
    annotations: entry.annotations,
    server: entry.server ?? defaultServer,
    rawName: entry.rawName,
  };
}

/** The tools of `input`, normalised, in the client's order. */
export function listSourceTools(input: ToolListInput): SourceTool[] {
  if (Array.isArray(input)) {
    return (input as readonly (ToolSourceEntry & { name: string })[]).map((entry) =>
      normalise(entry.name, entry),
    );
  }
  const map = (input as { tools?: unknown }).tools;
  if (!isMapLike(map)) {
    throw new TypeError(
      "Expected an MCP client (an object with a `tools` Map and `callTool`), or an array of tools.",
    );
  }
  // A single-server client (MCPClient) names its server in `name`; multi-server entries carry their own.
  const own = (input as { name?: unknown }).name;
  return [...map].map(([name, entry]) => normalise(name, entry, typeof own === "string" ? own : undefined));
}

/** True when `value` can execute tools (has `tools` and `callTool`), not just describe them. */
export function isToolSource(value: unknown): value is ToolSource {
  return (
    isPlainObjectLike(value) &&
    isMapLike((value as { tools?: unknown }).tools) &&
    typeof (value as { callTool?: unknown }).callTool === "function"
  );
}

function isPlainObjectLike(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

/** A `Map` or anything that reads like one (a read-only view a client may expose). */
function isMapLike(value: unknown): value is ReadonlyMap<string, ToolSourceEntry> {
  return (
    isPlainObjectLike(value) &&
    typeof (value as { get?: unknown }).get === "function" &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === "function"
  );
}

import type { CallToolResult, Prompt, Resource, Tool } from "@modelcontextprotocol/client";
import { vi } from "vitest";

import type { ConnectionState } from "../../src/client/events.js";
import type { MCPClient } from "../../src/client/mcpClient.js";
import type { CallToolOptions, MCPClientOptions } from "../../src/client/options.js";
import type { ServerConfig, ServerConfigInput } from "../../src/config/types.js";
import type { MCPError } from "../../src/errors/errors.js";
import { MCPConnectionError, MCPError as MCPErrorClass } from "../../src/errors/errors.js";
import type { MultiClientEvents, MultiMCPClientOptions } from "../../src/multi/multiClient.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";

export const tool = (name: string): Tool => ({ name, inputSchema: { type: "object" } });

/**
 * Stands in for MCPClient inside MultiMCPClient unit tests: no process, every behaviour scripted.
 * It emits the events MultiMCPClient listens to through the `onStatus` option, like the real one.
 */
export class FakeClient {
  readonly name: string;
  state: ConnectionState = "disconnected";
  inFlight = 0;
  lastFailure: MCPError | undefined;
  tools = new Map<string, Tool>();
  resources = new Map<string, Resource>();
  resourceTemplates: Array<{ uriTemplate: string; name: string }> = [];
  prompts = new Map<string, Prompt>();

  /** What the "server" lists on the next connect. */
  serverTools: Tool[] = [tool("echo")];
  serverResources: Resource[] = [];
  serverPrompts: Prompt[] = [];
  /** Behaviours of the next connects (shifted one per connect); empty = succeed at once. */
  connectPlan: Array<() => Promise<void>> = [];
  /** Behaviours of the next disconnects, run after the state is already "disconnected" (a slow close). */
  disconnectPlan: Array<() => Promise<void>> = [];
  connectCalls = 0;
  disconnectCalls = 0;
  private activeConnects = 0;
  maxConcurrentConnects = 0;
  readonly call = vi.fn(
    async (
      name: string,
      _args: Record<string, unknown>,
      _options: CallToolOptions,
    ): Promise<CallToolResult> => ({
      content: [{ type: "text", text: `${this.name}:${name}` }],
    }),
  );
  readonly ping = vi.fn(async (): Promise<boolean> => true);
  readonly read = vi.fn(async (uri: string) => ({ contents: [{ uri, text: `${this.name}:${uri}` }] }));

  constructor(
    readonly config: ServerConfig,
    readonly options: MCPClientOptions,
  ) {
    this.name = config.name;
  }

  isConnected(): boolean {
    return this.state === "connected";
  }

  async connect(): Promise<void> {
    this.connectCalls++;
    this.activeConnects++;
    this.maxConcurrentConnects = Math.max(this.maxConcurrentConnects, this.activeConnects);
    this.state = "connecting";
    try {
      const step = this.connectPlan.shift();
      if (step) await step();
      if (this.state !== "connecting") throw this.closedError("interrupted by disconnect()");
      const keep = this.options.toolFilter ?? (() => true);
      this.tools = new Map(this.serverTools.filter(keep).map((t) => [t.name, t]));
      this.resources = new Map(this.serverResources.map((r) => [r.uri, r]));
      this.prompts = new Map(this.serverPrompts.map((p) => [p.name, p]));
      this.state = "connected";
      this.emit({
        type: "connected",
        server: this.name,
        message: "connected",
        toolsCount: this.tools.size,
        resourcesCount: 0,
        promptsCount: 0,
      });
    } catch (error) {
      this.state = "failed";
      this.lastFailure = error as MCPError;
      this.emit({
        type: "error",
        server: this.name,
        message: "failed",
        error: error as MCPError,
        lost: false,
      });
      throw error;
    } finally {
      this.activeConnects--;
    }
  }

  async disconnect(): Promise<void> {
    this.disconnectCalls++;
    this.state = "disconnected";
    this.tools = new Map();
    this.resources = new Map();
    this.prompts = new Map();
    const step = this.disconnectPlan.shift();
    if (step) await step();
  }

  async healthCheck(): Promise<boolean> {
    if (!this.isConnected()) return false;
    return this.ping();
  }

  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options: CallToolOptions = {},
  ): Promise<CallToolResult> {
    if (!this.isConnected()) throw this.closedError("not connected", "NOT_CONNECTED");
    if (!this.tools.has(name)) throw new MCPErrorClass(`unknown tool ${name}`, { code: "NOT_FOUND" });
    this.inFlight++;
    try {
      return await this.call(name, args, options);
    } finally {
      this.inFlight--;
    }
  }

  async getResource(uri: string) {
    if (!this.isConnected()) throw this.closedError("not connected", "NOT_CONNECTED");
    return this.read(uri);
  }

  async getPrompt(name: string) {
    if (!this.isConnected()) throw this.closedError("not connected", "NOT_CONNECTED");
    return {
      messages: [{ role: "user" as const, content: { type: "text" as const, text: `${this.name}:${name}` } }],
    };
  }

  getDiagnostics() {
    return { pid: undefined };
  }

  /** Simulates the transport dying (the process exited). */
  lose(error: MCPError = this.closedError("process exited", "PROCESS_EXITED")): void {
    this.state = "failed";
    this.lastFailure = error;
    this.emit({ type: "error", server: this.name, message: error.message, error, lost: true });
  }

  /** Simulates a list_changed refresh. */
  changeTools(tools: Tool[]): void {
    this.serverTools = tools;
    this.tools = new Map(tools.map((t) => [t.name, t]));
    this.emit({ type: "listChanged", server: this.name, message: "changed", kind: "tools" });
  }

  closedError(
    message: string,
    code: "PROCESS_EXITED" | "NOT_CONNECTED" | "CONNECTION_CLOSED" = "CONNECTION_CLOSED",
  ) {
    return new MCPConnectionError(`${this.name}: ${message}`, { code, serverName: this.name });
  }

  private emit(event: Record<string, unknown>): void {
    (this.options.onStatus as ((event: unknown) => void) | undefined)?.(event);
  }
}

/** A createClient option that records the fakes by server name. */
export function fakeFactory() {
  const fakes = new Map<string, FakeClient>();
  const createClient = (config: ServerConfig, options: MCPClientOptions) => {
    const fake = new FakeClient(config, options);
    fakes.set(config.name, fake);
    return fake as unknown as MCPClient;
  };
  return { fakes, createClient, get: (name: string) => fakes.get(name)! };
}

/** A status event of a MultiMCPClient, as recorded by `setupMulti`. */
export type AnyEvent = { type: keyof MultiClientEvents } & Record<string, unknown>;

/** A server config for tests with fake clients (nothing is spawned). */
export const cfg = (name: string, extra: Partial<ServerConfigInput> = {}): ServerConfigInput => ({
  name,
  command: "node",
  args: [`${name}.js`],
  ...extra,
});

/**
 * A MultiMCPClient whose servers are scripted fakes, recording every status event. The client is
 * pushed onto `created` so the test file can disconnect them all afterwards.
 */
export function setupMulti(
  created: MultiMCPClient[],
  servers: ServerConfigInput[],
  options: MultiMCPClientOptions = {},
) {
  const factory = fakeFactory();
  const events: AnyEvent[] = [];
  const multi = new MultiMCPClient(servers, {
    createClient: factory.createClient,
    onStatus: (event) => events.push(event as unknown as AnyEvent),
    ...options,
  });
  created.push(multi);
  const ofType = <K extends keyof MultiClientEvents>(type: K) =>
    events.filter((e) => e.type === type) as unknown as Array<MultiClientEvents[K]>;
  return { multi, events, ofType, ...factory };
}

import type { ServerConfigInput } from "mcp-tools";
import { MCPClient, MultiMCPClient } from "mcp-tools";

import type { ConnectOptions, Contender } from "./contenders.js";
import { expectEcho, firstText } from "./contenders.js";
import type { Target } from "./targets.js";

/**
 * The config a user would write. For MultiMCPClient the per-server concurrency limit is lifted
 * (default: 16 in flight, 256 queued), or a burst of 1000 would be queued and partly refused with
 * QUEUE_FULL, by design.
 */
export function mcpToolsConfig(
  target: Target,
  name: string,
  options: ConnectOptions = {},
  multi = false,
): ServerConfigInput {
  const common: Partial<ServerConfigInput> = multi
    ? { concurrency: { max_in_flight: 2000, max_queue: 2000 } }
    : {};
  if (options.shutdownGrace !== undefined) common.shutdown_grace = options.shutdownGrace;
  if (target.kind === "stdio") {
    return { name, type: "stdio", command: target.command, args: target.args, env: target.env, ...common };
  }
  return { name, type: "streamable-http", url: target.url, security: { allow_localhost: true }, ...common };
}

export const mcpTools: Contender = {
  id: "mcp-tools",
  label: "mcp-tools MCPClient",
  supports: () => true,
  async connect(target, options) {
    const client = new MCPClient(mcpToolsConfig(target, "s0", options));
    await client.connect();
    return {
      pid: client.getDiagnostics().pid,
      toolCount: client.tools.size,
      async echo(message) {
        expectEcho(firstText(await client.callTool("echo", { message })), message);
      },
      close: () => client.disconnect(),
    };
  },
  async connectMany(targets) {
    const clients = targets.map((target, index) => new MCPClient(mcpToolsConfig(target, `s${index}`)));
    await Promise.all(clients.map((client) => client.connect()));
    return {
      connected: clients.filter((client) => client.isConnected()).length,
      toolCount: clients.reduce((sum, client) => sum + client.tools.size, 0),
      close: async () => {
        await Promise.all(clients.map((client) => client.disconnect()));
      },
    };
  },
};

export const mcpToolsMulti: Contender = {
  id: "mcp-tools-multi",
  label: "mcp-tools MultiMCPClient",
  supports: () => true,
  async connect(target, options) {
    const multi = new MultiMCPClient([mcpToolsConfig(target, "s0", options, true)]);
    await multi.connect();
    const echoName = "mcp__s0__echo"; // the routed name (`mcp__{server}__{tool}`)
    return {
      pid: multi.getServerStatus("s0").pid,
      toolCount: multi.tools.size,
      async echo(message) {
        expectEcho(firstText(await multi.callTool(echoName, { message })), message);
      },
      close: () => multi.disconnect(),
    };
  },
  async connectMany(targets) {
    const multi = new MultiMCPClient(
      targets.map((target, index) => mcpToolsConfig(target, `s${index}`, {}, true)),
    );
    const summary = await multi.connect();
    return {
      connected: summary.connected.length,
      toolCount: summary.toolsCount,
      close: () => multi.disconnect(),
    };
  },
};

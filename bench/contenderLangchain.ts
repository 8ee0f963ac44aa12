import type { Connection } from "@langchain/mcp-adapters";
import { MultiServerMCPClient } from "@langchain/mcp-adapters";
import { getDefaultEnvironment } from "@modelcontextprotocol/client/stdio";

import type { Contender } from "./contenders.js";
import { expectEcho } from "./contenders.js";
import type { Target } from "./targets.js";

function connection(target: Target): Connection {
  if (target.kind === "stdio") {
    return {
      transport: "stdio",
      command: target.command,
      args: target.args,
      env: { ...getDefaultEnvironment(), ...target.env },
      stderr: "ignore",
    } as Connection;
  }
  return { transport: "http", url: target.url, automaticSSEFallback: false } as Connection;
}

/** The part of a LangChain tool that is used here (its full type drags in LangChain's generics). */
interface InvokableTool {
  name: string;
  invoke(args: Record<string, unknown>): Promise<unknown>;
}

export const langchain: Contender = {
  id: "langchain",
  label: "LangChain MultiServerMCPClient",
  supports: () => true,
  async connect(target) {
    const client = new MultiServerMCPClient({
      mcpServers: { s0: connection(target) },
      onConnectionError: "throw",
    });
    await client.initializeConnections();
    const tools = (await client.getTools()) as unknown as InvokableTool[];
    const echoTool = tools.find((tool) => tool.name === "echo");
    const sdkClient = (await client.getClient("s0")) as unknown as
      { transport?: { pid?: number | null } } | undefined;
    return {
      pid: sdkClient?.transport?.pid ?? undefined,
      toolCount: tools.length,
      async echo(message) {
        if (!echoTool) throw new Error("LangChain listed no echo tool");
        // A LangChain tool returns the text content as a string.
        expectEcho(await echoTool.invoke({ message }), message);
      },
      close: () => client.close(),
    };
  },
  async connectMany(targets) {
    const client = new MultiServerMCPClient({
      mcpServers: Object.fromEntries(targets.map((target, index) => [`s${index}`, connection(target)])),
      onConnectionError: "throw",
    });
    // initializeConnections() starts the servers one after another: that is what is measured.
    await client.initializeConnections();
    const tools = await client.getTools();
    return { connected: targets.length, toolCount: tools.length, close: () => client.close() };
  },
};

import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio";

import type { Contender, Session } from "./contenders.js";
import { CLIENT_INFO, expectEcho, firstText } from "./contenders.js";
import type { Target } from "./targets.js";

/** Discovery as mcp-tools does it: every page of tools, then resources, templates and prompts. */
async function discover(client: Client): Promise<number> {
  const capabilities = client.getServerCapabilities() ?? {};
  let tools = 0;
  if (capabilities.tools) {
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      tools += page.tools.length;
      cursor = page.nextCursor;
    } while (cursor);
  }
  if (capabilities.resources) {
    await client.listResources();
    await client.listResourceTemplates();
  }
  if (capabilities.prompts) await client.listPrompts();
  return tools;
}

async function connect(target: Target): Promise<Session> {
  const client = new Client(CLIENT_INFO, { capabilities: {} });
  const echo = async (message: string) => {
    expectEcho(firstText(await client.callTool({ name: "echo", arguments: { message } })), message);
  };
  if (target.kind === "stdio") {
    const transport = new StdioClientTransport({
      command: target.command,
      args: target.args,
      env: { ...getDefaultEnvironment(), ...target.env },
      stderr: "ignore",
    });
    await client.connect(transport);
    const toolCount = await discover(client);
    return { pid: transport.pid ?? undefined, toolCount, echo, close: () => client.close() };
  }
  const transport = new StreamableHTTPClientTransport(new URL(target.url));
  await client.connect(transport);
  const toolCount = await discover(client);
  return {
    pid: undefined,
    toolCount,
    echo,
    async close() {
      // close() alone does not end the session; without the DELETE the server keeps every session.
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    },
  };
}

export const sdk: Contender = {
  id: "sdk",
  label: "raw SDK v2 Client",
  supports: () => true,
  connect: (target) => connect(target),
  async connectMany(targets) {
    const sessions = await Promise.all(targets.map((target) => connect(target)));
    return {
      connected: sessions.length,
      toolCount: sessions.reduce((sum, session) => sum + session.toolCount, 0),
      close: async () => {
        await Promise.all(sessions.map((session) => session.close()));
      },
    };
  },
};

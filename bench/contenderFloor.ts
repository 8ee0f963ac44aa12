import type { Contender, Session } from "./contenders.js";
import { expectEcho, firstText } from "./contenders.js";
import { FloorClient } from "./floorClient.js";
import type { Target } from "./targets.js";

async function connect(target: Target): Promise<Session> {
  if (target.kind !== "stdio") throw new Error("the floor client speaks stdio only");
  const client = await FloorClient.start(target);
  const capabilities = client.capabilities;
  const tools = capabilities.tools ? await client.listAll("tools/list", "tools") : [];
  if (capabilities.resources) {
    await client.listAll("resources/list", "resources");
    await client.listAll("resources/templates/list", "resourceTemplates");
  }
  if (capabilities.prompts) await client.listAll("prompts/list", "prompts");
  return {
    pid: client.pid,
    toolCount: tools.length,
    async echo(message) {
      expectEcho(firstText(await client.callTool("echo", { message })), message);
    },
    close: () => client.close(),
  };
}

export const floor: Contender = {
  id: "floor",
  label: "hand-written NDJSON (floor)",
  supports: (target) => target.kind === "stdio",
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

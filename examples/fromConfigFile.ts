import { loadConfig, MultiMCPClient } from "mcp-tools";

const { servers } = await loadConfig(".vscode/mcp.json");
const multi = new MultiMCPClient(servers);

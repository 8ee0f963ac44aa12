import { MultiMCPClient } from "mcp-tools";

// A list (seed / MassGen), a { name: config } map, or { mcpServers: { … } } (Claude Desktop, Cursor).
const multi = new MultiMCPClient([
  {
    name: "file_server",
    type: "stdio",
    command: "python",
    args: ["-m", "file_mcp_server"],
    security: { level: "strict" },
  },
  {
    name: "web_server",
    type: "streamable-http",
    url: "http://localhost:8000/mcp",
    security: { level: "moderate", allow_localhost: true },
  },
]); // every config is validated now; MCPConfigurationError lists every problem (servers[1].url, duplicate names…)

const summary = await multi.connect(); // all servers in parallel; partial success is normal
summary.failed; // ["web_server"] — summary.servers.web_server.error says why
try {
  const tools = [...multi.tools.keys()]; // "mcp__file_server__read_file", …
  console.log(`Total tools available: ${tools.length}`);

  const file = await multi.callTool("mcp__file_server__read_file", { path: "example.txt" });
  const fileTools = multi.getToolsByServer("file_server");

  // A handle keeps working after its server reconnects.
  const readFile = multi.tool("mcp__file_server__read_file");
  await readFile.call({ path: "example.txt" });

  await multi.getResource("file:///config.json"); // routed to the server that lists it
  await multi.getPrompt("mcp__file_server__summarize", { text: "…" });
  await multi.healthCheckAll(); // { file_server: true, web_server: false }
  await multi.reconnectFailedServers(); // { web_server: true } — servers that failed at start included
  multi.getServerStatus("web_server"); // state, breaker, failures, retryAfter, lastError, health, in flight…
} finally {
  await multi.disconnect();
}
// or: await using multi = await MultiMCPClient.createAndConnect(servers);

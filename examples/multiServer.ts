import { MultiMCPClient } from "mcp-tools";

const multi = await MultiMCPClient.createAndConnect({
  mcpServers: {
    files: { command: "npx", args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] },
    web: {
      type: "http",
      url: "https://mcp.example.com/mcp",
      headers: { Authorization: "Bearer ${API_TOKEN}" },
    },
  },
});
try {
  await multi.callTool("mcp__files__read_text_file", { path: "/tmp/a.txt" });
} finally {
  await multi.disconnect();
}

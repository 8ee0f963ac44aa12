import { MCPClient } from "mcp-tools";

const client = await MCPClient.createAndConnect({
  name: "files",
  command: "npx",
  args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
});
try {
  console.log(client.getAvailableTools()); // ["read_file", "write_file", …]
  const result = await client.callTool("list_directory", { path: "/tmp" });
  console.log(result.content); // [{ type: "text", text: "[FILE] a.txt …" }]
} finally {
  await client.disconnect(); // ends the server's whole process tree
}

import { MCPClient } from "mcp-tools";

const config = {
  name: "test_server",
  type: "stdio",
  command: "node",
  args: ["server.js"],
  security: { level: "moderate" },
  timeout: 30,
  max_retries: 3,
};

// Method 1 (recommended): `await using` disconnects when the scope ends, even on errors.
{
  await using client = await MCPClient.createAndConnect(config);
  console.log("Available tools:", client.getAvailableTools());
}

// Method 2: manual.
const client = new MCPClient(config); // validates now: MCPConfigurationError lists every problem
try {
  await client.connect(); // spawn, initialize (within connect_timeout), discover tools/resources/prompts
  await client.callTool("some_tool", {});
} finally {
  await client.disconnect(); // idempotent, bounded, ends the whole process tree
}

import { MCPClient, MCPServerError, MultiMCPClient } from "mcp-tools";

// #region readme
// File processing server
async function processFiles() {
  const client = await MCPClient.createAndConnect({
    name: "file_processor",
    type: "stdio",
    command: "python",
    args: ["-m", "file_processor_server"],
    security: { level: "strict" },
    timeout: 30,
  });
  try {
    const results = [];
    for (const path of ["doc1.txt", "doc2.txt", "doc3.txt"]) {
      try {
        results.push(await client.callTool("process_file", { path, operation: "analyze" }));
      } catch (error) {
        if (error instanceof MCPServerError) console.log(`Failed to process ${path}: ${error.message}`);
        else throw error;
      }
    }
    return results;
  } finally {
    await client.disconnect();
  }
}

// Multi-server coordination
async function review() {
  const multi = await MultiMCPClient.createAndConnect([
    {
      name: "code_analyzer",
      type: "stdio",
      command: "python",
      args: ["-m", "code_analysis_server"],
      security: { level: "moderate" },
    },
    {
      name: "discord_bot",
      type: "streamable-http",
      url: "https://discord.example.com/mcp",
      headers: { Authorization: "Bearer ${DISCORD_TOKEN}" },
      security: { level: "strict" },
    },
  ]);
  try {
    const analysis = await multi.callTool("mcp__code_analyzer__analyze_python", { file_path: "main.py" });
    await multi.callTool("mcp__discord_bot__send_message", {
      channel: "code-reviews",
      content: `Analysis complete: ${JSON.stringify(analysis.structuredContent ?? analysis.content)}`,
    });
  } finally {
    await multi.disconnect();
  }
}
// #endregion readme

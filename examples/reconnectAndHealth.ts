import { type MCPClient, MCPConnectionError } from "mcp-tools";

declare const client: MCPClient;

// #region readme
try {
  await client.callTool("some_tool", {});
} catch (error) {
  if (error instanceof MCPConnectionError) {
    const ok = await client.reconnect({ maxRetries: 5, retryDelay: 2.0 }); // true/false; rejects only for invalid options (MCPValidationError)
    if (ok) await client.callTool("some_tool", {});
  } else throw error; // not a connection problem: reconnecting would not help
}

if (!(await client.healthCheck())) await client.reconnect(); // ping (tools/list if ping is missing)
await client.healthCheck({ timeout: 5 }); // bounded; false for a dead server, rejects only for invalid options (MCPValidationError)
// #endregion readme

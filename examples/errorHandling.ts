import type { MCPClient } from "mcp-tools";

declare const client: MCPClient;

// #region readme
import { MCPCancelledError, MCPError, MCPServerError, MCPTimeoutError, MCPValidationError } from "mcp-tools";

try {
  await client.callTool("read_file", { wrong_param: "value" });
} catch (error) {
  if (error instanceof MCPValidationError) console.log("Invalid arguments:", error.message, error.rule);
  else if (error instanceof MCPServerError) console.log("Server error", error.rpcCode, error.message);
  else if (error instanceof MCPTimeoutError) console.log(`Took longer than ${error.timeoutSeconds} s`);
  else if (error instanceof MCPCancelledError) console.log("Cancelled by us");
  else if (error instanceof MCPError && error.code === "NOT_FOUND") console.log(client.getAvailableTools());
  else throw error;
}
// #endregion readme

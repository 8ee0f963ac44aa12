import type { MCPClient } from "mcp-tools";

declare const client: MCPClient;

// #region readme
client.getAvailableTools(); // ["read_file", "write_file", …]
client.getAvailableResources(); // ["file:///config.json", …]
client.getAvailablePrompts(); // ["code_review", …]
client.isConnected(); // true
client.state; // "disconnected" | "connecting" | "connected" | "disconnecting" | "failed"
client.lastFailure; // the MCPError that ended the last connection, if any
client.getDiagnostics(); // { pid, sessionId, stdoutNoiseLines, stderrTail, inFlight, lastError, … }
// #endregion readme

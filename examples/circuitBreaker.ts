import { isMCPError, MultiMCPClient } from "mcp-tools";

const multi = new MultiMCPClient([
  {
    name: "file_server",
    type: "stdio",
    command: "python",
    args: ["-m", "unreliable_server"],
    circuit_breaker: { failure_threshold: 5, recovery_timeout: 60, expected_exception: "MCPConnectionError" },
  },
]);
multi.on("breakerStateChange", ({ server, from, to, reason }) => console.log(server, from, "→", to, reason));
await multi.connect();
try {
  for (let i = 0; i < 10; i++) {
    try {
      console.log("Success:", await multi.callTool("mcp__file_server__unstable_tool", {}));
    } catch (error) {
      if (isMCPError(error, "CIRCUIT_OPEN"))
        console.log(`Open; tried again in ${error.retryAfter} s`); // nothing was sent
      else console.log("Handled by circuit breaker:", error);
    }
  }
} finally {
  await multi.disconnect();
}

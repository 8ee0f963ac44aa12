import type { MCPClient } from "mcp-tools";

declare const client: MCPClient;

// #region readme
const result = await client.callTool("echo", { message: "Hello World" });
// result.content: [{ type: "text", text: "Echo: Hello World" }], result.isError: false

await client.callTool("analyze_data", { data: [1, 2, 3], options: { method: "statistical" } });

// Per call: timeout (seconds), cancellation, progress.
const controller = new AbortController();
await client.callTool(
  "slow_task",
  { seconds: 10 },
  {
    timeout: 60,
    signal: controller.signal,
    onProgress: ({ progress, total, message }) => console.log(progress, total, message),
    resetTimeoutOnProgress: true, // restart the timeout on each progress notification…
    maxTotalTimeout: 600, //        …within this hard bound
  },
);
// #endregion readme

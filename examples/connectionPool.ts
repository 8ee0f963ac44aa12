import type { ServerConfigInput } from "mcp-tools";

declare const config: ServerConfigInput;

// #region readme
import { MCPConnectionPool } from "mcp-tools";

const pool = new MCPConnectionPool(config, { size: 5, idleTimeout: 300, acquireTimeout: 30 });
try {
  const result = await pool.use((client) => client.callTool("process_file", { path: "doc1.txt" }));

  const client = await pool.acquire(); // the seed's get_connection()
  try {
    await client.callTool("example_tool", {});
  } finally {
    pool.release(client); // the seed's return_connection(); idempotent
  }
} finally {
  await pool.close(); // closes every client the pool created
}
// #endregion readme

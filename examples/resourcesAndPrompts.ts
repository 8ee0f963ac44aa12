import type { MCPClient } from "mcp-tools";

declare const client: MCPClient;

// #region readme
const readme = await client.getResource("file:///app/config.json"); // ReadResourceResult
console.log(readme.contents);
for (const uri of client.getAvailableResources()) await client.getResource(uri);

const review = await client.getPrompt("code_review", { language: "python", code: "def hello(): …" });
console.log(review.messages);
// #endregion readme

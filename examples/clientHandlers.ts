import { MCPClient, type ServerConfigInput } from "mcp-tools";

declare const config: ServerConfigInput;
/** Your model: the text it answers to a sampling request. */
declare function llm(request: unknown): Promise<string>;

// #region readme
const client = new MCPClient(config, {
  handlers: {
    // Form-mode elicitation; schema defaults the answer leaves out are filled in.
    elicitation: async (request, { server }) => ({ action: "accept", content: { name: "Ada" } }),
    // Sampling: answer the server's sampling/createMessage with your model.
    sampling: async (request) => ({
      role: "assistant",
      content: { type: "text", text: await llm(request) },
      model: "my-model",
    }),
    // Roots: a list, or a function asked on every roots/list.
    roots: [{ uri: "file:///workspace", name: "workspace" }],
  },
});
// #endregion readme

import type { MultiMCPClient } from "mcp-tools";

declare const multi: MultiMCPClient;
/** A tool call of an OpenAI chat completion, and the conversation it goes into. */
declare const call: { id: string; function: { name: string; arguments: string } };
declare const messages: unknown[];

// #region readme
import { createToolset } from "mcp-tools";

const toolset = createToolset(multi, { format: "openai-chat" }); // or openai-responses, anthropic, gemini
toolset.tools; // the tool list in that API's format (names sanitised to its rules, schemas simplified)
const run = await toolset.execute(call.function.name, call.function.arguments, { callId: call.id });
messages.push(run.output); // the tool-result message that API expects
// #endregion readme

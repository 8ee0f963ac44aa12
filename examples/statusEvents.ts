import { MCPClient, type ServerConfigInput } from "mcp-tools";

declare const config: ServerConfigInput;
declare function log(...values: unknown[]): void;
declare const metrics: { record(name: string, durationMs: number): void };

// #region readme
const client = new MCPClient(config, { onStatus: (event) => log(event.type, event) }); // every event
const off = client.on("toolCallSuccess", ({ tool, durationMs, isError }) => metrics.record(tool, durationMs));
off(); // unsubscribe
// #endregion readme

import type { CallToolResult } from "@modelcontextprotocol/client";

import { suggest } from "../../common/suggest.js";
import { MCPConnectionError } from "../../errors/errors.js";
import type { MultiMCPClient } from "../../multi/multiClient.js";
import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import { printToolResult } from "../render.js";
import { resolveRoutedName } from "../routedName.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, firstLine, openSession, sessionFailure } from "../session.js";
import { parseToolArguments } from "../toolArgs.js";

/**
 * A tool that is not listed may belong to a server that could not be connected: then that failure,
 * not "unknown tool", is the answer (and the exit code says connection failure).
 */
function unreachableServer(multi: MultiMCPClient, tool: string): void {
  const down = multi.serverNames
    .map((name) => multi.getServerStatus(name))
    .filter((status) => !status.connected);
  const owner = down.find((status) => tool.startsWith(`mcp__${status.name}__`));
  // A raw name close to a connected server's tool is more likely a typo: let NOT_FOUND suggest it.
  const typo =
    suggest(
      tool,
      [...multi.tools.values()].map((entry) => entry.rawName),
    ) !== undefined;
  const suspects = owner ? [owner] : tool.startsWith("mcp__") || typo ? [] : down;
  if (suspects.length === 0) return;
  const reasons = suspects.map((s) => `${s.name}: ${firstLine(s.lastError?.message ?? s.state)}`).join("; ");
  throw new MCPConnectionError(
    `Tool "${tool}" is not available: ${owner ? "its server" : "servers that may have it"} could not be connected (${reasons}).`,
    { code: "NOT_CONNECTED", serverName: owner?.name, cause: owner?.lastError },
  );
}

/** `mcp-tools call <tool> [json | key=value…]`. */
export async function callCommand(
  tool: string,
  argTokens: string[],
  options: GlobalOptions,
  output: Output,
): Promise<ExitCode> {
  let session: Session | undefined;
  try {
    session = await openSession(options, output);
    sessionFailure(session);
    const { multi } = session;
    const entry = resolveRoutedName(multi.tools, tool, "Tool");
    if (!entry) unreachableServer(multi, tool);
    const args = parseToolArguments(argTokens, entry?.inputSchema);
    const routed = entry?.name ?? tool;
    const bar = output.progress(entry?.rawName ?? tool);
    let result: CallToolResult;
    try {
      result = await multi.callTool(routed, args, {
        timeout: options.timeout,
        onProgress: (progress) => bar.update(progress.progress, progress.total, progress.message),
      });
    } finally {
      bar.done();
    }
    if (output.json) {
      output.printJson({ tool: routed, server: entry?.server, arguments: args, result });
    } else {
      printToolResult(result, output);
    }
    if (result.isError) {
      if (!output.json) output.error(`tool "${routed}" reported an error`);
      return EXIT.TOOL_ERROR;
    }
    return EXIT.OK;
  } finally {
    await closeSession(session);
  }
}

import type { CallToolResult } from "@modelcontextprotocol/client";

import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import { printToolResult } from "../render.js";
import { resolveRoutedName } from "../routedName.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, openSession, sessionFailure } from "../session.js";
import { parseToolArguments } from "../toolArgs.js";

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

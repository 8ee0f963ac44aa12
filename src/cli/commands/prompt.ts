import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import { printPrompt } from "../render.js";
import { resolveRoutedName } from "../routedName.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, openSession, sessionFailure } from "../session.js";
import { parseToolArguments } from "../toolArgs.js";

/** `mcp-tools prompt <name> [key=value…]`: renders a prompt (routed name, or its own name if unique). */
export async function promptCommand(
  name: string,
  argTokens: string[],
  options: GlobalOptions,
  output: Output,
): Promise<ExitCode> {
  let session: Session | undefined;
  try {
    session = await openSession(options, output);
    sessionFailure(session);
    const { multi } = session;
    const routed = resolveRoutedName(multi.prompts, name, "Prompt")?.name ?? name;
    // Prompt arguments are strings on the wire: `code=1.50` stays "1.50".
    const args = parseToolArguments(argTokens, undefined, { coerce: false }) as Record<string, string>;
    const result = await multi.getPrompt(routed, args, { timeout: options.timeout });
    if (output.json) output.printJson({ prompt: routed, arguments: args, result });
    else printPrompt(result, output);
    return EXIT.OK;
  } finally {
    await closeSession(session);
  }
}

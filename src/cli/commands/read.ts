import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import { printResource } from "../render.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, openSession, sessionFailure } from "../session.js";

/** `mcp-tools read <uri>`: reads a static or templated resource. */
export async function readCommand(uri: string, options: GlobalOptions, output: Output): Promise<ExitCode> {
  let session: Session | undefined;
  try {
    session = await openSession(options, output);
    sessionFailure(session);
    const result = await session.multi.getResource(uri, { timeout: options.timeout });
    if (output.json) output.printJson({ uri, result });
    else printResource(result, output);
    return EXIT.OK;
  } finally {
    await closeSession(session);
  }
}

import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import { printPrompt, printResource, printToolResult } from "../render.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, firstLine, openSession, sessionFailure } from "../session.js";

/**
 * `mcp-tools demo`: a short real session against the bundled demo server — connect, list, call a
 * few tools (one with a progress bar, one that reports an error), read a resource, render a prompt,
 * and close. This is what `npm start` runs.
 */
export async function demoCommand(options: GlobalOptions, output: Output): Promise<ExitCode> {
  let session: Session | undefined;
  const step = (title: string) => {
    output.print();
    output.print(output.style(`▸ ${title}`, "bold", "cyan"));
  };
  try {
    session = await openSession({ ...options, config: undefined, server: [] }, output);
    sessionFailure(session);
    const { multi } = session;
    const server = multi.serverNames[0]!;
    const info = multi.getClient(server).serverInfo;

    step(
      `Connected to "${server}" (${info?.name ?? "?"} ${info?.version ?? ""}) in ${Math.round(session.summary?.durationMs ?? 0)} ms`,
    );
    output.print(
      output.table(
        ["TOOL", "DESCRIPTION"],
        [...multi.tools.values()].map((t) => [t.name, firstLine(t.description ?? "")]),
      ),
    );

    step(`callTool("mcp__${server}__echo", { message: "Hello from mcp-tools" })`);
    printToolResult(
      await multi.callTool(`mcp__${server}__echo`, { message: "Hello from mcp-tools" }),
      output,
    );

    step(`callTool("mcp__${server}__add", { a: 19, b: 23 })`);
    printToolResult(await multi.callTool(`mcp__${server}__add`, { a: 19, b: 23 }), output);

    step(`callTool("mcp__${server}__slow_task", { seconds: 1, steps: 5 }) with progress`);
    const bar = output.progress("slow_task");
    try {
      printToolResult(
        await multi.callTool(
          `mcp__${server}__slow_task`,
          { seconds: 1, steps: 5 },
          { onProgress: (p) => bar.update(p.progress, p.total, p.message) },
        ),
        output,
      );
    } finally {
      bar.done();
    }

    step(`callTool("mcp__${server}__fail_tool", {}) — an isError result is returned, not thrown`);
    const failed = await multi.callTool(`mcp__${server}__fail_tool`, {});
    printToolResult(failed, output);
    output.print(output.style(`isError: ${failed.isError === true}`, "dim"));

    step(`getResource("demo://readme")`);
    printResource(await multi.getResource("demo://readme"), output);

    step(`getPrompt("mcp__${server}__code_review", { language: "python", code: "print(1)" })`);
    printPrompt(
      await multi.getPrompt(`mcp__${server}__code_review`, { language: "python", code: "print(1)" }),
      output,
    );

    step("healthCheckAll()");
    output.print(JSON.stringify(await multi.healthCheckAll()));
    output.print();
    output.print(
      output.style(
        "Try it yourself: npx mcp-tools list | call echo message=hi | read demo://config.json | health",
        "dim",
      ),
    );
    return EXIT.OK;
  } finally {
    await closeSession(session);
  }
}

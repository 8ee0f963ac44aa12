import type { ExitCode } from "../exitCodes.js";
import { EXIT } from "../exitCodes.js";
import type { Output } from "../output.js";
import { printPrompt, printResource, printToolResult } from "../render.js";
import type { GlobalOptions, Session } from "../session.js";
import { closeSession, firstLine, openSession, sessionFailure } from "../session.js";

/**
 * `mcp-tools demo`: a short real session against the bundled demo server — connect, list, call a
 * few tools (one with a progress bar, one that reports an error), read a resource, render a prompt,
 * and close. This is what `npm start` runs. With `--json`, the steps and their results are one
 * document.
 */
export async function demoCommand(options: GlobalOptions, output: Output): Promise<ExitCode> {
  let session: Session | undefined;
  const steps: Array<{ step: string; result: unknown }> = [];
  /** Shows one step: a heading and the human rendering, or an entry of the JSON document. */
  const show = <T>(title: string, result: T, print: (value: T) => void) => {
    if (output.json) {
      steps.push({ step: title, result });
      return;
    }
    output.print();
    output.print(output.style(`▸ ${title}`, "bold", "cyan"));
    print(result);
  };
  try {
    session = await openSession({ ...options, config: undefined, server: [] }, output);
    sessionFailure(session);
    const { multi } = session;
    const server = multi.serverNames[0]!;
    const info = multi.getClient(server).serverInfo;
    const tool = (name: string) => `mcp__${server}__${name}`;

    show(
      `Connected to "${server}" (${info?.name ?? "?"} ${info?.version ?? ""}) in ${Math.round(session.summary?.durationMs ?? 0)} ms`,
      [...multi.tools.values()].map((t) => ({ name: t.name, description: t.description ?? "" })),
      (tools) =>
        output.print(
          output.table(
            ["TOOL", "DESCRIPTION"],
            tools.map((t) => [t.name, firstLine(t.description)]),
          ),
        ),
    );

    show(
      `callTool("${tool("echo")}", { message: "Hello from mcp-tools" })`,
      await multi.callTool(tool("echo"), { message: "Hello from mcp-tools" }),
      (result) => printToolResult(result, output),
    );

    show(
      `callTool("${tool("add")}", { a: 19, b: 23 })`,
      await multi.callTool(tool("add"), { a: 19, b: 23 }),
      (result) => printToolResult(result, output),
    );

    const bar = output.progress("slow_task");
    let slow;
    try {
      slow = await multi.callTool(
        tool("slow_task"),
        { seconds: 1, steps: 5 },
        { onProgress: (p) => bar.update(p.progress, p.total, p.message) },
      );
    } finally {
      bar.done();
    }
    show(`callTool("${tool("slow_task")}", { seconds: 1, steps: 5 }) with progress`, slow, (result) =>
      printToolResult(result, output),
    );

    show(
      `callTool("${tool("fail_tool")}", {}) — an isError result is returned, not thrown`,
      await multi.callTool(tool("fail_tool"), {}),
      (result) => {
        printToolResult(result, output);
        output.print(output.style(`isError: ${result.isError === true}`, "dim"));
      },
    );

    show(`getResource("demo://readme")`, await multi.getResource("demo://readme"), (result) =>
      printResource(result, output),
    );

    show(
      `getPrompt("${tool("code_review")}", { language: "python", code: "print(1)" })`,
      await multi.getPrompt(tool("code_review"), { language: "python", code: "print(1)" }),
      (result) => printPrompt(result, output),
    );

    show("healthCheckAll()", await multi.healthCheckAll(), (result) => output.print(JSON.stringify(result)));

    if (output.json) {
      output.printJson({ server, steps });
    } else {
      output.print();
      output.print(
        output.style(
          "Try it yourself: npx mcp-tools list | call echo message=hi | read demo://config.json | health",
          "dim",
        ),
      );
    }
    return EXIT.OK;
  } finally {
    await closeSession(session);
  }
}

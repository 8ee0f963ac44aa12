#!/usr/bin/env node

import { Command, CommanderError, InvalidArgumentError } from "commander";

import { PACKAGE_VERSION } from "../common/version.js";
import { sanitizeText } from "../errors/serverText.js";
import type { ExitCode } from "./exitCodes.js";
import { EXIT, exitCodeOf } from "./exitCodes.js";
import { errorJson, Output } from "./output.js";
import type * as SessionModule from "./session.js";
import type { GlobalOptions } from "./session.js";

// The commands (and through them the library, the SDK and the demo) are imported when one runs:
// `--version` and `--help` load only commander and this file's own helpers.
/** The session module, once a command has loaded it (for Ctrl+C). */
let sessions: typeof SessionModule | undefined;

const version = PACKAGE_VERSION;

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new InvalidArgumentError("expected a number of seconds > 0");
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

let output = new Output({ json: false, verbose: false });
let interrupted = false;
let finished = false;

/** Flushes stdout (piped output must never be cut short), then exits with `code`. */
async function finish(code: ExitCode): Promise<never> {
  if (!finished) {
    finished = true;
    await output.flush();
  }
  process.exit(code);
}

/**
 * Ctrl+C: the first closes every server gracefully (their process trees included) and exits 130; a
 * second one kills whatever is left at once. Servers run in their own process groups, so the
 * terminal's SIGINT never reaches them: this handler is what stops them.
 */
function onSignal(signal: NodeJS.Signals): void {
  const code = signal === "SIGTERM" ? EXIT.TERMINATED : EXIT.INTERRUPTED;
  if (interrupted) {
    // Already loaded when a server was started (the transport uses it); else there is nothing to kill.
    void import("../transport/processTree.js")
      .then(({ killAllTrees }) => killAllTrees())
      .finally(() => process.exit(code));
    return;
  }
  interrupted = true;
  output.note(`\nReceived ${signal}: closing servers… (press Ctrl+C again to force)`);
  const session = sessions?.currentSession();
  void (session ? session.disconnect() : Promise.resolve()).finally(() => finish(code));
}

async function run(options: GlobalOptions, action: () => Promise<ExitCode>): Promise<void> {
  output = new Output({ json: options.json, verbose: options.verbose });
  let code: ExitCode;
  try {
    sessions ??= await import("./session.js");
    code = await action();
  } catch (error) {
    if (interrupted) return;
    code = exitCodeOf(error);
    if (output.json) {
      output.printJson({ error: errorJson(error) });
    } else {
      output.error(String((error as Error)?.message ?? error));
      if (options.verbose && error instanceof Error && error.stack) output.debug(error.stack);
    }
  }
  if (interrupted) return;
  await finish(code);
}

function globals(command: Command): GlobalOptions {
  const raw = command.optsWithGlobals<{
    config?: string;
    server?: string[];
    json?: boolean;
    timeout?: number;
    verbose?: boolean;
  }>();
  return {
    config: raw.config,
    server: raw.server ?? [],
    json: raw.json === true,
    timeout: raw.timeout,
    verbose: raw.verbose === true,
  };
}

const program = new Command("mcp-tools")
  .description("Use MCP servers from the command line: list, call, read, prompt, health, validate.")
  .version(version, "-V, --version")
  .option(
    "-c, --config <file>",
    "config file (default: ./mcp.json, ./.mcp.json, ./.vscode/mcp.json, else the bundled demo server)",
  )
  .option("-s, --server <name>", "only use this server (repeatable)", collect, [])
  .option("--json", "print exactly one JSON document on stdout (for scripts)")
  .option("-t, --timeout <seconds>", "timeout of each request, in seconds", seconds)
  .option("-v, --verbose", "show server stderr, warnings and stack traces on stderr")
  .showHelpAfterError()
  .exitOverride()
  .addHelpText(
    "after",
    `
Exit codes: 0 success, 1 the tool returned an error, 2 usage or config error,
            3 connection failure (server unreachable, timed out, unauthorized),
            130 interrupted (Ctrl+C), 143 terminated (SIGTERM).
Examples:
  mcp-tools list
  mcp-tools call echo message="hello world"
  mcp-tools call mcp__demo__add '{"a": 2, "b": 3}'
  mcp-tools read demo://readme
  mcp-tools prompt code_review language=python code="print(1)"
  mcp-tools --config ~/.cursor/mcp.json health
  mcp-tools validate .vscode/mcp.json`,
  );

program
  .command("list")
  .description("connect to the servers and show their tools, resources and prompts")
  .action((_options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/list.js")).listCommand(globals(command), output),
    ),
  );

program
  .command("call")
  .description("call a tool: arguments as one JSON object or key=value pairs")
  .argument("<tool>", "routed name (mcp__server__tool) or the tool's own name if only one server has it")
  .argument("[arguments...]", "JSON object, or key=value pairs (values typed by the tool's schema)")
  .action((tool: string, args: string[], _options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/call.js")).callCommand(tool, args, globals(command), output),
    ),
  );

program
  .command("read")
  .description("read a resource by URI")
  .argument("<uri>", "resource URI, e.g. demo://readme")
  .action((uri: string, _options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/read.js")).readCommand(uri, globals(command), output),
    ),
  );

program
  .command("prompt")
  .description("render a prompt with key=value arguments")
  .argument("<name>", "routed name (mcp__server__prompt) or the prompt's own name if unique")
  .argument("[arguments...]", "key=value pairs")
  .action((name: string, args: string[], _options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/prompt.js")).promptCommand(name, args, globals(command), output),
    ),
  );

program
  .command("health")
  .description("connect to every server and ping it")
  .action((_options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/health.js")).healthCommand(globals(command), output),
    ),
  );

program
  .command("validate")
  .description("check a config file without starting anything")
  .argument("[file]", "config file (default: --config or the discovered one)")
  .action((file: string | undefined, _options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/validate.js")).validateCommand(file, globals(command), output),
    ),
  );

program
  .command("demo")
  .description("a short guided session against the bundled demo server")
  .action((_options, command: Command) =>
    run(globals(command), async () =>
      (await import("./commands/demo.js")).demoCommand(globals(command), output),
    ),
  );

process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

try {
  await program.parseAsync(process.argv);
  if (process.argv.length <= 2) {
    program.outputHelp();
    await finish(EXIT.USAGE);
  }
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; every parse error is a usage error (commander printed it on stderr).
    if (error.exitCode !== 0 && process.argv.includes("--json")) {
      output.printJson({
        // Commander quotes the argument it refused, which may be `--api-key=…`.
        error: {
          name: "UsageError",
          code: "USAGE",
          message: sanitizeText(error.message.replace(/^error: /, "")),
        },
      });
    }
    await finish(error.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
  }
  throw error;
}

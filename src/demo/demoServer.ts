import { setTimeout as delay } from "node:timers/promises";

import {
  type CallToolResult,
  type HandlerResultTypeMap,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type RequestTypeMap,
  ResourceTemplate,
  type ServerContext,
} from "@modelcontextprotocol/server";
import { z } from "zod";

import { PACKAGE_VERSION } from "../common/version.js";

/** `serverInfo.name` the demo server reports in its `initialize` result. */
export const DEMO_SERVER_NAME = "mcp-tools-demo";

/**
 * `serverInfo.version` the demo server reports. Kept as a constant (rather than read from
 * `package.json`) so the server behaves the same from `src/`, `dist/` and a bundled copy.
 */
export const DEMO_SERVER_VERSION = PACKAGE_VERSION;

/** Upper bound of {@link DemoServerOptions.tools}: enough for benchmarks, small enough to stay sane. */
export const MAX_EXTRA_TOOLS = 100_000;

/** Options of {@link createDemoServer}. */
export interface DemoServerOptions {
  /**
   * Number of extra trivial tools to register, named `tool_0001`, `tool_0002`, … (no arguments,
   * each answers `tool_NNNN ok`). Used to benchmark clients against large tool lists.
   * Default 0; at most {@link MAX_EXTRA_TOOLS}.
   */
  tools?: number | undefined;
}

/** A 16×16 RGB PNG (blue square with a white cross), served as `demo://logo.png`. */
const LOGO_PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAW0lEQVR42mOQ13IhCTHIa7n8//9fu+sIQfT//3+oBgiHoGrtriMIDfj1wKVQNODSgyyIrgFTDxoXiwZkRZgWYtcAUYrVeVTSQJqTSPM0acFKWsSRljRITnwkIQBHn2wworGY6gAAAABJRU5ErkJggg==";

const README_MARKDOWN = `# mcp-tools demo server

A small MCP server bundled with \`mcp-tools\`. It is the default server of the CLI, the examples and
the test suite, and it speaks stdio, Streamable HTTP (\`/mcp\`) and legacy HTTP+SSE (\`/sse\`).

## Tools

- \`echo\` — echoes a message.
- \`add\` — adds two numbers (structured output).
- \`slow_task\` — runs for a while, reporting progress; honours cancellation.
- \`fail_tool\` — returns a tool error (\`isError: true\`).
- \`rpc_error\` — answers with a JSON-RPC error of the requested code.
- \`add_tool\` — registers a new tool at runtime (\`notifications/tools/list_changed\`).

## Resources

- \`demo://readme\` (this document), \`demo://config.json\`, \`demo://logo.png\`
- template \`demo://notes/{id}\`

## Prompts

\`code_review\`, \`summarize\`, \`translate\`.
`;

const DEMO_CONFIG = {
  name: DEMO_SERVER_NAME,
  version: DEMO_SERVER_VERSION,
  features: { progress: true, cancellation: true, listChanged: true },
  limits: { slowTaskMaxSeconds: 60, slowTaskMaxSteps: 100 },
};

const INSTRUCTIONS =
  "Demo server bundled with mcp-tools for trying out and testing MCP clients. " +
  "Its tools are harmless: they echo, add, wait, fail on purpose or register more tools.";

/** Tool names a client may register through `add_tool` (the MCP tool-name charset). */
const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Records `error` as the JSON-RPC error of the request `ctx` belongs to; returns it for throwing. */
type RaiseProtocolError = (ctx: ServerContext, error: ProtocolError) => ProtocolError;

type ToolsCallHandler = (
  request: RequestTypeMap["tools/call"],
  ctx: ServerContext,
) => HandlerResultTypeMap["tools/call"] | Promise<HandlerResultTypeMap["tools/call"]>;

function textResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }] };
}

/**
 * Creates the demo MCP server: tools `echo`, `add`, `slow_task`, `fail_tool`, `rpc_error`,
 * `add_tool` (plus `options.tools` filler tools), resources `demo://readme`, `demo://config.json`,
 * `demo://logo.png`, the template `demo://notes/{id}`, and prompts `code_review`, `summarize`,
 * `translate`. Capabilities: tools (with `listChanged`), resources, prompts and logging.
 *
 * Each instance serves exactly one connection (the SDK binds a server to one transport), so HTTP
 * hosts create one per session.
 *
 * @throws RangeError when `options.tools` is not an integer in `[0, MAX_EXTRA_TOOLS]`.
 */
export function createDemoServer(options: DemoServerOptions = {}): McpServer {
  assertValidDemoServerOptions(options);
  const extraTools = options.tools ?? 0;

  // `tools` is deliberately absent here: declaring it makes the constructor install the tools/call
  // handler before `routeProtocolErrorsToWire` can wrap it. The first registerTool() declares
  // `tools: { listChanged: true }` itself. Resources and prompts never change, hence no listChanged.
  const server = new McpServer(
    { name: DEMO_SERVER_NAME, version: DEMO_SERVER_VERSION },
    {
      capabilities: {
        logging: {},
        resources: { listChanged: false },
        prompts: { listChanged: false },
      },
      instructions: INSTRUCTIONS,
    },
  );

  routeProtocolErrorsToWire(server, (raise) => registerTools(server, raise));
  registerExtraTools(server, extraTools);
  registerResources(server);
  registerPrompts(server);
  return server;
}

/**
 * Throws what {@link createDemoServer} would throw for `options`, without building a server
 * (hosts call it up front so bad options fail at startup, not on the first connection).
 *
 * @throws RangeError when `options.tools` is not an integer in `[0, MAX_EXTRA_TOOLS]`.
 */
export function assertValidDemoServerOptions(options: DemoServerOptions): void {
  const extraTools = options.tools ?? 0;
  if (!Number.isSafeInteger(extraTools) || extraTools < 0 || extraTools > MAX_EXTRA_TOOLS) {
    throw new RangeError(`tools must be an integer between 0 and ${MAX_EXTRA_TOOLS}, got ${extraTools}`);
  }
}

/**
 * McpServer turns everything a tool callback throws — `ProtocolError` included — into an
 * `isError` result (only URL-elicitation errors escape), so a tool cannot make the server answer
 * with a JSON-RPC error on its own. `rpc_error` exists precisely to exercise the client's JSON-RPC
 * error path, so we wrap the tools/call handler McpServer installs: a callback records the error
 * for its request (keyed by the handler context, which the SDK passes through unchanged) and the
 * wrapper rethrows it after McpServer has swallowed it, so the protocol layer sends it as-is.
 *
 * The handler is installed lazily by the first `registerTool()`, which `registerFirstTools` must
 * perform; `setRequestHandler` is intercepted only for the duration of that call. Callbacks get
 * `raise(ctx, error)`, which records the error and returns it for the callback to throw.
 */
function routeProtocolErrorsToWire(
  server: McpServer,
  registerFirstTools: (raise: RaiseProtocolError) => void,
): void {
  const pending = new WeakMap<ServerContext, ProtocolError>();
  const wrap =
    (handler: ToolsCallHandler): ToolsCallHandler =>
    async (request, ctx) => {
      const result = await handler(request, ctx);
      const error = pending.get(ctx);
      if (error !== undefined) {
        pending.delete(ctx);
        throw error;
      }
      return result;
    };

  const raise: RaiseProtocolError = (ctx, error) => {
    pending.set(ctx, error);
    return error;
  };

  const lowLevel = server.server;
  const install = lowLevel.setRequestHandler;
  const ownMethod = Object.hasOwn(lowLevel, "setRequestHandler");
  let wrapped = false;
  const intercept = function (this: typeof lowLevel, method: string, ...rest: unknown[]): void {
    if (method === "tools/call" && rest.length === 1 && typeof rest[0] === "function") {
      rest = [wrap(rest[0] as ToolsCallHandler)];
      wrapped = true;
    }
    Reflect.apply(install, this, [method, ...rest]);
  };
  lowLevel.setRequestHandler = intercept as unknown as typeof install;
  try {
    registerFirstTools(raise);
  } finally {
    // Put things back exactly: normally that means the prototype's method shows through again.
    if (ownMethod) lowLevel.setRequestHandler = install;
    else Reflect.deleteProperty(lowLevel, "setRequestHandler");
  }
  if (!wrapped) {
    // Fail loudly if a future SDK installs tools/call differently: rpc_error would silently degrade.
    throw new Error("McpServer did not install its tools/call handler through setRequestHandler");
  }
}

function registerTools(server: McpServer, raise: RaiseProtocolError): void {
  server.registerTool(
    "echo",
    {
      title: "Echo",
      description: "Echoes the given message back as text: `Echo: <message>`.",
      inputSchema: z.object({ message: z.string().describe("The text to echo back.") }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ message }) => textResult(`Echo: ${message}`),
  );

  server.registerTool(
    "add",
    {
      title: "Add",
      description:
        "Adds two numbers. Returns `Result: a + b = c` as text and `{ result: c }` as structured content.",
      inputSchema: z.object({
        a: z.number().describe("First addend."),
        b: z.number().describe("Second addend."),
      }),
      outputSchema: z.object({ result: z.number().describe("The sum a + b.") }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ a, b }) => {
      const result = a + b;
      return { ...textResult(`Result: ${a} + ${b} = ${result}`), structuredContent: { result } };
    },
  );

  server.registerTool(
    "slow_task",
    {
      title: "Slow task",
      description:
        "Works for `seconds` seconds in `steps` equal steps. Sends a progress notification after each step " +
        "when the request carries a progressToken, and stops as soon as the request is cancelled.",
      inputSchema: z.object({
        seconds: z
          .number()
          .min(0)
          .max(60)
          .default(2)
          .describe("Total duration in seconds (0-60, default 2)."),
        steps: z.number().int().min(1).max(100).default(5).describe("Number of steps (1-100, default 5)."),
      }),
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async ({ seconds, steps }, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      const stepMs = (seconds * 1000) / steps;
      for (let step = 1; step <= steps; step++) {
        // Rejects with an AbortError on cancellation; the SDK then sends no response at all, as the
        // spec requires for cancelled requests.
        await delay(stepMs, undefined, { signal: ctx.mcpReq.signal });
        if (progressToken !== undefined) {
          await ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken, progress: step, total: steps, message: `Step ${step} of ${steps}` },
          });
        }
      }
      return textResult(`Completed ${steps} steps in ${seconds} seconds`);
    },
  );

  server.registerTool(
    "fail_tool",
    {
      title: "Fail",
      description:
        "Always fails the way tools should: a result with `isError: true` and the text `Tool failed: <reason>`.",
      inputSchema: z.object({
        reason: z
          .string()
          .default("requested failure")
          .describe("Why the tool fails (default: requested failure)."),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ reason }) => ({ ...textResult(`Tool failed: ${reason}`), isError: true }),
  );

  server.registerTool(
    "rpc_error",
    {
      title: "JSON-RPC error",
      description:
        "Makes the server answer this tools/call with a JSON-RPC error (not a tool result) of the given " +
        "code and message. Note: the SDK maps -32002 to -32602 on the wire.",
      inputSchema: z.object({
        code: z
          .number()
          .int()
          .default(ProtocolErrorCode.InternalError)
          .describe("JSON-RPC error code (default -32603)."),
        message: z.string().default("Requested JSON-RPC error").describe("JSON-RPC error message."),
      }),
      annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    },
    ({ code, message }, ctx) => {
      throw raise(ctx, new ProtocolError(code, message));
    },
  );

  server.registerTool(
    "add_tool",
    {
      title: "Add tool",
      description:
        "Registers a new tool named `name` that echoes its arguments back as JSON. The server then sends " +
        "notifications/tools/list_changed.",
      inputSchema: z.object({
        name: z
          .string()
          .regex(TOOL_NAME, "1-64 characters from A-Z, a-z, 0-9, _, . and -")
          .describe("Name of the tool to register."),
      }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    ({ name }) => {
      // registerTool() throws on a duplicate name; McpServer reports that as an isError result.
      // Registering while connected makes McpServer send notifications/tools/list_changed.
      server.registerTool(
        name,
        {
          description: `Added at runtime through add_tool. Echoes its arguments back as JSON.`,
          inputSchema: z.looseObject({}),
        },
        (args) => textResult(JSON.stringify(args)),
      );
      return textResult(`Added tool ${name}`);
    },
  );
}

function registerExtraTools(server: McpServer, count: number): void {
  for (let index = 1; index <= count; index++) {
    const name = `tool_${String(index).padStart(4, "0")}`;
    server.registerTool(
      name,
      {
        description: `Filler tool ${index} of ${count} for large tool lists. Takes no arguments.`,
        annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
      },
      () => textResult(`${name} ok`),
    );
  }
}

function registerResources(server: McpServer): void {
  server.registerResource(
    "readme",
    "demo://readme",
    { title: "README", description: "What the demo server offers.", mimeType: "text/markdown" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "text/markdown", text: README_MARKDOWN }] }),
  );

  server.registerResource(
    "config",
    "demo://config.json",
    {
      title: "Configuration",
      description: "A small JSON configuration document.",
      mimeType: "application/json",
    },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(DEMO_CONFIG, null, 2) }],
    }),
  );

  server.registerResource(
    "logo",
    "demo://logo.png",
    { title: "Logo", description: "A tiny PNG image (binary resource).", mimeType: "image/png" },
    (uri) => ({ contents: [{ uri: uri.href, mimeType: "image/png", blob: LOGO_PNG_BASE64 }] }),
  );

  // `list: undefined` keeps resources/list to the static resources; the template itself is
  // advertised through resources/templates/list.
  server.registerResource(
    "note",
    new ResourceTemplate("demo://notes/{id}", { list: undefined }),
    { title: "Note", description: "A note addressed by id: `Note <id>`.", mimeType: "text/plain" },
    (uri, variables) => {
      const id = Array.isArray(variables["id"]) ? variables["id"].join(",") : (variables["id"] ?? "");
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text: `Note ${id}` }] };
    },
  );
}

function registerPrompts(server: McpServer): void {
  server.registerPrompt(
    "code_review",
    {
      title: "Code review",
      description: "Asks for a review of a piece of code.",
      argsSchema: z.object({
        language: z.string().describe("Programming language of the code."),
        code: z.string().describe("The code to review."),
        focus: z.string().optional().describe("What to focus on (e.g. security, performance)."),
      }),
    },
    ({ language, code, focus }) => ({
      description: `Review of ${language} code`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              `Please review the following ${language} code` +
              (focus === undefined ? "." : `, focusing on ${focus}.`) +
              `\n\n\`\`\`${language}\n${code}\n\`\`\``,
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    "summarize",
    {
      title: "Summarize",
      description: "Asks for a summary of a text.",
      argsSchema: z.object({
        text: z.string().describe("The text to summarize."),
        max_words: z
          .string()
          .regex(/^[1-9]\d*$/, "a positive whole number")
          .optional()
          .describe("Maximum length of the summary in words."),
      }),
    },
    ({ text, max_words }) => ({
      description: "Summary request",
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              (max_words === undefined
                ? "Summarize the following text."
                : `Summarize the following text in at most ${max_words} words.`) + `\n\n${text}`,
          },
        },
      ],
    }),
  );

  server.registerPrompt(
    "translate",
    {
      title: "Translate",
      description: "Asks for a translation of a text.",
      argsSchema: z.object({
        text: z.string().describe("The text to translate."),
        to_language: z.string().describe("Language to translate into."),
        from_language: z.string().optional().describe("Language of the text (detected when omitted)."),
      }),
    },
    ({ text, to_language, from_language }) => ({
      description: `Translation into ${to_language}`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              (from_language === undefined
                ? `Translate the following text into ${to_language}.`
                : `Translate the following text from ${from_language} into ${to_language}.`) + `\n\n${text}`,
          },
        },
      ],
    }),
  );
}

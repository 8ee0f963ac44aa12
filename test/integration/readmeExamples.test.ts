// README examples run for real, from the files in examples/ (what README.md shows, checked by
// test/unit/meta/readmeExamples.test.ts), importing "mcp-tools" as a user does (the package's own
// `exports`, so dist/ must be built):
// - those that need only a server from devDependencies are transpiled and run by the Node running
//   the tests (20 or newer) and must exit 0 by themselves: an example that forgot to disconnect
//   would keep its server, and so its process, alive;
// - snippets that continue from a client run in this process: what an example `declare`s (the
//   client, the LLM SDK clients, the conversation) is provided as a global, a client connected to
//   the bundled demo server, or scripted model replies for the agent loops.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { MCPClient, MultiMCPClient } from "mcp-tools";
import ts from "typescript";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

import { fakeSource } from "../fakes/fakeSource.js";
import { chatToolCallReplies, scripted, toolCallingModel } from "../fakes/scriptedModels.js";
import { nodeRuns, type Run } from "../helpers/cli.js";
import { demoStdio } from "../helpers/servers.js";

const ROOT = resolve(import.meta.dirname, "../..");
/** Inside the package, so that `import "mcp-tools"` resolves to it; .tmp/ is git-ignored. */
const BUILD = join(ROOT, ".tmp", `readme-examples-${process.pid}`);
/** Starting npx and the server, one call, and a bounded disconnect; seconds on an idle machine. */
const BOUND_MS = 60_000;

afterAll(() => rmSync(BUILD, { recursive: true, force: true }));

/** The example processes: killed after each test, which fails on a Node warning one printed. */
const runs = nodeRuns();
afterEach(runs.cleanUp);

function runExample(name: string): Promise<Run> {
  const source = readFileSync(join(ROOT, "examples", `${name}.ts`), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  mkdirSync(BUILD, { recursive: true });
  const file = join(BUILD, `${name}.mjs`);
  writeFileSync(file, outputText);
  return runs.runNode([file], { cwd: ROOT });
}

describe("README examples run", () => {
  it(
    "quick start: connects to server-filesystem through npx, lists /tmp and disconnects",
    async () => {
      const run = await runExample("quickStart");
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("list_directory");
      expect(run.stdout).toContain("type: 'text'");
    },
    BOUND_MS,
  );
});

/** Runs examples/<name>.ts in this process with `globals` as what it declares; returns what it logged. */
async function runInProcess(name: string, globals: Record<string, unknown>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...values: unknown[]) => void logged.push(values));
  Object.assign(globalThis, globals);
  try {
    // A computed path: tsc must not follow it (examples/ compile under examples/tsconfig.json).
    await import(pathToFileURL(join(ROOT, "examples", `${name}.ts`)).href);
  } finally {
    for (const key of Object.keys(globals)) Reflect.deleteProperty(globalThis, key);
    log.mockRestore();
  }
  return logged;
}

describe("README snippets run against the bundled demo server", () => {
  it("diagnostics, error handling, toolset, status events and handlers", async () => {
    const client = await MCPClient.createAndConnect(demoStdio());
    const multi = await MultiMCPClient.createAndConnect([demoStdio()]);
    try {
      await runInProcess("diagnostics", { client });
      // read_file is not a demo tool: the NOT_FOUND branch logs the available tools.
      expect(await runInProcess("errorHandling", { client })).toEqual([[client.getAvailableTools()]]);
      const messages: unknown[] = [];
      await runInProcess("toolset", {
        multi,
        messages,
        call: { id: "call_1", function: { name: "mcp__demo__echo", arguments: '{"message":"hi"}' } },
      });
      expect(messages).toEqual([{ role: "tool", tool_call_id: "call_1", content: "Echo: hi" }]);
      // These construct a client and subscribe; nothing is started.
      await runInProcess("statusEvents", {
        config: demoStdio(),
        log: () => {},
        metrics: { record: () => {} },
      });
      await runInProcess("clientHandlers", { config: demoStdio(), llm: async () => "hi" });
    } finally {
      await Promise.all([client.disconnect(), multi.disconnect()]);
    }
  });
});

describe("README agent loops run", () => {
  it("each loop sends the converted tools, runs the model's tool call and sends its result back", async () => {
    const chat = scripted(
      "openaiChatTool",
      (r: { tools: unknown[] }) => r.tools,
      chatToolCallReplies(
        { id: "call_1", name: "mcp__demo__echo", arguments: '{"message":"hello"}' },
        "It said: Echo: hello",
      ),
    );
    const responses = scripted("openaiResponsesTool", (r: { tools: unknown[] }) => r.tools, [
      {
        id: "resp_1",
        output: [
          { type: "function_call", call_id: "fc_1", name: "mcp__demo__echo", arguments: '{"message":"hi"}' },
        ],
      },
      { id: "resp_2", output: [{ type: "message", content: [{ type: "output_text", text: "Done" }] }] },
    ]);
    const anthropicMessages = scripted("anthropicTool", (r: { tools: unknown[] }) => r.tools, [
      {
        content: [
          { type: "text", text: "Let me check." },
          { type: "tool_use", id: "toolu_1", name: "mcp__demo__fail", input: {} },
        ],
        stop_reason: "tool_use",
      },
      { content: [{ type: "text", text: "The tool failed." }], stop_reason: "end_turn" },
    ]);
    const geminiCall = { id: "g_1", name: "mcp__demo__echo", args: { message: "gemini" } };
    const gemini = scripted(
      "geminiFunctionDeclaration",
      (r: { config: { tools: Array<{ functionDeclarations: unknown[] }> } }) =>
        r.config.tools.flatMap((t) => t.functionDeclarations),
      [
        {
          candidates: [{ content: { role: "model", parts: [{ functionCall: geminiCall }] } }],
          functionCalls: [geminiCall],
        },
        {
          candidates: [{ content: { role: "model", parts: [{ text: "Found it." }] } }],
          functionCalls: undefined,
        },
      ],
    );
    const model = toolCallingModel(
      [{ toolCallId: "c1", toolName: "mcp__demo__echo", input: '{"message":"hey"}' }],
      "Echoed.",
    );
    const client = fakeSource();
    const messages: unknown[] = [{ role: "user", content: "Echo hello" }];
    const contents: unknown[] = [{ role: "user", parts: [{ text: "Echo gemini" }] }];
    const globals: Record<string, unknown> = {
      client,
      model,
      messages,
      contents,
      openai: { chat: { completions: chat }, responses },
      anthropic: { messages: anthropicMessages },
      ai: { models: { generateContent: gemini.create } },
    };
    await runInProcess("agentLoops", globals);

    expect(messages).toContainEqual({ role: "tool", tool_call_id: "call_1", content: "Echo: hello" });
    expect(chat.requests).toHaveLength(2);
    expect(responses.requests[1]).toMatchObject({
      previous_response_id: "resp_1",
      input: [{ type: "function_call_output", call_id: "fc_1", output: "Echo: hi" }],
    });
    expect(messages.at(-1)).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "The tool failed." }],
    });
    expect(messages).toContainEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "toolu_1", content: "Tool failed: on purpose", is_error: true },
      ],
    });
    expect(contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { id: "g_1", name: "mcp__demo__echo", response: { output: "Echo: gemini" } } },
      ],
    });
    expect(client.calls.map((call) => call.name)).toEqual([
      "mcp__demo__echo",
      "mcp__demo__echo",
      "mcp__demo__fail",
      "mcp__demo__echo",
      "mcp__demo__echo",
    ]);
  });
});

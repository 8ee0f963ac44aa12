// Issue 11 item 3: what the CLI prints comes largely from servers (tool results, names, error
// messages, stderr lines, progress text). None of it may drive the terminal or print a secret; JSON
// keeps every value exactly.
import { PassThrough } from "node:stream";

import { describe, expect, it } from "vitest";

import { errorJson, Output } from "../../../src/cli/output.js";
import { printPrompt, printResource, printToolResult, renderBlock } from "../../../src/cli/render.js";
import { MCPConnectionError } from "../../../src/errors/errors.js";

const TOKEN = "ghp_cliLeakToken0123456789abcdefABCD";
const ESCAPES = "\x1b]52;c;c2VjcmV0\x07\x1b[2J\x1b]0;title\x07\x1b[31m\x00\x07\x7f\u009b6n\u202e";
/** Anything a terminal acts on, raw. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

function harness(options: { json?: boolean; verbose?: boolean } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const output = new Output(
    { json: options.json ?? false, verbose: options.verbose ?? true },
    stdout as unknown as NodeJS.WriteStream,
    stderr as unknown as NodeJS.WriteStream,
  );
  return { output, stdout: () => out, stderr: () => err };
}

describe("CLI output of server text", () => {
  it("warnings, errors and verbose lines have no escape codes and no secrets", () => {
    const { output, stderr } = harness();
    output.warn(`server warns ${ESCAPES} Authorization: Bearer ${TOKEN}`);
    output.error(`failed ${ESCAPES} api_key=${TOKEN}`);
    output.debug(`[srv stderr] ${ESCAPES} ${TOKEN}`);
    const text = stderr();
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toContain(TOKEN);
    expect(text).toContain("warning: server warns");
    expect(text).toContain("error: failed");
    expect(text).toContain("[srv stderr]");
  });

  it("notes lose escape codes but keep a login URL exactly", () => {
    const { output, stderr } = harness();
    const url = "https://auth.example/authorize?client_id=c&state=s1&code_challenge=abc&redirect_uri=x";
    output.note(`Open this URL:${ESCAPES}\n  ${url}`);
    expect(stderr()).not.toMatch(RAW_CONTROL);
    expect(stderr()).toContain(url);
  });

  it("table cells (server, tool and prompt names, descriptions) are one clean line each", () => {
    const { output } = harness();
    const table = output.table(
      ["NAME", "DESCRIPTION"],
      [[`evil${ESCAPES}`, `line one\nline two\t${ESCAPES}`]],
    );
    expect(table).not.toMatch(RAW_CONTROL);
    expect(table.split("\n")).toHaveLength(2);
    expect(table).toContain("line one line two");
  });

  it("--json keeps values exact but escapes every character a terminal acts on", () => {
    const { output, stdout } = harness({ json: true });
    const document = { text: `a${ESCAPES}b`, name: "x\u009by\u202ez" };
    output.printJson(document);
    expect(stdout()).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(stdout())).toEqual(document);
  });

  it("tool results, resources and prompts are printed without escape codes", () => {
    const { output, stdout } = harness();
    const block = { type: "text" as const, text: `result ${ESCAPES}\nsecond line` };
    expect(renderBlock(block, output)).toBe("result \nsecond line");
    printToolResult(
      {
        content: [
          block,
          { type: "resource_link", uri: `file:///x${ESCAPES}`, name: `n${ESCAPES}` },
          { type: "image", data: "AAAA", mimeType: `image/png${ESCAPES}` },
        ],
        structuredContent: { value: `v${ESCAPES}` },
      },
      output,
    );
    printResource(
      {
        contents: [
          { uri: `demo://a${ESCAPES}`, mimeType: "text/plain", text: `resource ${ESCAPES}` },
          { uri: "demo://b", mimeType: `application/octet-stream${ESCAPES}`, blob: "AAAA" },
        ],
      },
      output,
    );
    printPrompt(
      {
        description: `prompt ${ESCAPES}`,
        messages: [{ role: "user", content: { type: "text", text: `hello ${ESCAPES}` } }],
      },
      output,
    );
    expect(stdout()).not.toMatch(RAW_CONTROL);
    expect(stdout()).toContain("result");
    expect(stdout()).toContain("resource");
    expect(stdout()).toContain("user: hello");
  });

  it("spinner details and progress messages are clean", () => {
    const { output, stderr } = harness();
    const spinners = output.spinners([`srv${ESCAPES}`]);
    spinners.fail(0, `refused ${ESCAPES} Bearer ${TOKEN}`);
    output.progress("call").update(1, 2, `step ${ESCAPES} ${TOKEN}`);
    expect(stderr()).not.toMatch(RAW_CONTROL);
    expect(stderr()).not.toContain(TOKEN);
    expect(stderr()).toContain("refused");
    expect(stderr()).toContain("step");
  });
});

describe("CLI output of deeply nested results", () => {
  let value: unknown = { leaf: true };
  for (let i = 0; i < 20_000; i++) value = { a: value };
  const deep = { content: [], structuredContent: value as Record<string, unknown> };
  const marker = "[nested more than 100 levels deep: not shown]";

  it("a tool result nested 20,000 levels prints its first levels and a marker, not a RangeError", () => {
    const { output, stdout } = harness();
    printToolResult(deep, output);
    expect(stdout()).toContain("structured content:");
    expect(stdout()).toContain(marker);
  });

  it("--json prints the cut document as valid JSON", () => {
    const { output, stdout } = harness({ json: true });
    output.printJson({ result: deep });
    const printed = stdout();
    expect(printed).toContain(marker);
    expect(() => JSON.parse(printed) as unknown).not.toThrow();
  });
});

describe("the --json error document", () => {
  it("an error that is no MCPError is described without escape codes or secrets", () => {
    const error = new TypeError(`broken ${ESCAPES} Authorization: Bearer ${TOKEN}`, {
      cause: new Error(`api_key=${TOKEN}`),
    });
    const json = JSON.stringify(errorJson(error));
    expect(json).not.toContain(TOKEN);
    expect(json).not.toMatch(RAW_CONTROL);
    expect(json).not.toMatch(/\\u00(?:1b|07|9b)/i);
    expect(errorJson(error)).toMatchObject({ name: "TypeError", message: expect.stringContaining("broken") });
    expect(JSON.stringify(errorJson(`thrown ${TOKEN}`))).not.toContain(TOKEN);
  });

  it("an MCPError is its toJSON()", () => {
    const error = new MCPConnectionError("x", { code: "CONNECTION_CLOSED" });
    expect(errorJson(error)).toEqual(error.toJSON());
  });
});

// A server listing one tool whose schema nests 1,000+ levels: the SDK's tools/list result schema
// recursed per level and overflowed the stack, so the whole connect failed with PROTOCOL_ERROR. Now
// that tool is skipped with a warning naming it and the server's other tools work (issue 11 item 11).
import { afterEach, describe, expect, it } from "vitest";

import type { StatusEvent } from "../../src/client/events.js";
import { MCPClient } from "../../src/client/mcpClient.js";
import { MultiMCPClient } from "../../src/multi/multiClient.js";
import { resultText } from "../helpers/async.js";
import { isAlive } from "../helpers/processes.js";
import { faultStdio } from "../helpers/servers.js";

const closers: Array<() => Promise<unknown>> = [];
const pids: number[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  for (const pid of pids.splice(0)) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
});

/** 1,000 and 5,000 levels are skipped; 10 levels is an ordinary nested schema and stays. */
const MODE = "deep-schema:1000:5000:10";

function skippedWarnings(events: Array<{ type: string; kind?: unknown; message?: unknown }>) {
  return events
    .filter((e) => e.type === "warning" && e.kind === "tool-skipped")
    .map((e) => String(e.message));
}

describe.each(["input", "output"])("a tool whose %sSchema nests thousands of levels", (where) => {
  it("MCPClient connects, skips that tool with a warning naming it, and the other tools work", async () => {
    const events: StatusEvent[] = [];
    const client = new MCPClient(
      faultStdio(MODE, { name: "deep", fixtureEnv: { DEEP_SCHEMA_WHERE: where } }),
      { onStatus: (event) => events.push(event) },
    );
    closers.push(() => client.disconnect());
    await client.connect();
    pids.push(client.getDiagnostics().pid!);

    expect(client.state).toBe("connected");
    expect(client.getAvailableTools()).toContain("deep_10");
    expect(client.getAvailableTools()).not.toContain("deep_1000");
    expect(client.getAvailableTools()).not.toContain("deep_5000");
    const warnings = skippedWarnings(events);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('Server "deep" listed tool "deep_1000"');
    expect(warnings[1]).toContain('tool "deep_5000"');
    expect(warnings[0]).toContain("more than 100 levels deep; it was skipped");

    expect(resultText(await client.callTool("echo", { message: "still here" }))).toBe("Echo: still here");
    expect(resultText(await client.callTool("deep_10", {}))).toBe("called deep_10");
    await expect(client.callTool("deep_1000", {})).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("MultiMCPClient with a server listing a 1,000-level tool", () => {
  it("connects every server, forwards the warning with the server's name, and routes the other tools", async () => {
    const events: Array<{ type: string; server?: string; kind?: unknown; message?: unknown }> = [];
    const multi = new MultiMCPClient(
      [faultStdio(MODE, { name: "deep" }), faultStdio("ok", { name: "plain" })],
      {
        onStatus: (event) => events.push(event as never),
      },
    );
    closers.push(() => multi.disconnect());
    const summary = await multi.connect();
    for (const name of ["deep", "plain"]) pids.push(multi.getClient(name)!.getDiagnostics().pid!);

    expect(summary).toMatchObject({ connected: ["deep", "plain"], failed: [] });
    expect(multi.getAvailableTools()).toContain("mcp__deep__deep_10");
    expect(multi.getAvailableTools()).not.toContain("mcp__deep__deep_1000");
    const warnings = events.filter((e) => e.type === "warning" && e.kind === "tool-skipped");
    expect(warnings.map((e) => e.server)).toEqual(["deep", "deep"]);
    expect(String(warnings[0]?.message)).toContain('tool "deep_1000"');
    expect(resultText(await multi.callTool("mcp__deep__echo", { message: "a" }))).toBe("Echo: a");
    expect(resultText(await multi.callTool("mcp__plain__echo", { message: "b" }))).toBe("Echo: b");
  });
});

describe("the tool-skipped warning", () => {
  it("is given once per tool and connection, not again on every health check that lists the tools", async () => {
    const events: StatusEvent[] = [];
    // no-ping: every health check falls back to tools/list, which lists the deep tool again.
    const client = new MCPClient(faultStdio("deep-schema:1000,no-ping", { name: "deep" }), {
      onStatus: (event) => events.push(event),
    });
    closers.push(() => client.disconnect());
    await client.connect();
    pids.push(client.getDiagnostics().pid!);
    for (let i = 0; i < 3; i++) expect(await client.healthCheck()).toBe(true);
    expect(skippedWarnings(events)).toHaveLength(1);
    expect(client.getAvailableTools()).not.toContain("deep_1000");
  });
});

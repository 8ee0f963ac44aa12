// What a stdio server sends around its answers must not crash the host or bypass the tools/list
// screen: a stray response nested 12,000 levels deep (the SDK's JSON.stringify of an unknown id
// overflowed the stack inside the stdout handler: an uncaught RangeError), a repeated tools/list
// answer with a deep tool, and ids echoed as strings ("id":"3" for request 3, which the SDK matches
// with Number(id) but the screen matched exactly).
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { afterEach, describe, expect, it } from "vitest";

import type { StatusEvent } from "../../src/client/events.js";
import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { resultText } from "../helpers/async.js";
import { isAlive } from "../helpers/processes.js";

const STRAY_SERVER = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "../.."),
  "test/fixtures/strayServer.mjs",
);

function strayStdio(modes: string, env: Record<string, string> = {}): ServerConfigInput {
  return {
    name: "stray",
    type: "stdio",
    command: process.execPath,
    args: [STRAY_SERVER],
    env: { STRAY: modes, ...env },
    shutdown_grace: 0.2,
  };
}

const closers: Array<() => Promise<unknown>> = [];
const pids: number[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  for (const pid of pids.splice(0)) expect(isAlive(pid), `pid ${pid} left running`).toBe(false);
});

async function connected(modes: string, env?: Record<string, string>) {
  const events: StatusEvent[] = [];
  const client = new MCPClient(strayStdio(modes, env), { onStatus: (event) => events.push(event) });
  closers.push(() => client.disconnect());
  await client.connect();
  pids.push(client.getDiagnostics().pid!);
  return { client, events };
}

function warnings(events: StatusEvent[], kind: string): string[] {
  return events
    .filter((e) => e.type === "warning" && (e as { kind?: unknown }).kind === kind)
    .map((e) => String(e.message));
}

describe("stdio messages the client cannot process", () => {
  it("a stray response nested 12,000 levels deep is reported as a protocol error; the client keeps working", async () => {
    const { client, events } = await connected("deep-stray");
    // The stray line follows the tools/list answer; a health check after it proves it was consumed.
    expect(await client.healthCheck()).toBe(true);
    expect(resultText(await client.callTool("echo", { message: "alive" }))).toBe("Echo: alive");
    expect(client.state).toBe("connected");
    const reported = warnings(events, "protocol-error");
    expect(reported.length).toBeGreaterThanOrEqual(1);
    expect(reported.join("\n")).toContain('Server "stray"');
  });

  it("a repeated tools/list answer with a 12,000-level tool is survived and the tool skipped once", async () => {
    const { client, events } = await connected("deep-tool,repeat-list");
    expect(await client.healthCheck()).toBe(true);
    expect(client.getAvailableTools()).toEqual(["echo"]);
    expect(resultText(await client.callTool("echo", { message: "x" }))).toBe("Echo: x");
    expect(warnings(events, "tool-skipped")).toHaveLength(1);
    expect(warnings(events, "protocol-error").length).toBeGreaterThanOrEqual(1);
  });

  it("ids echoed as strings do not bypass the tools/list screen: the deep tool is skipped", async () => {
    const { client, events } = await connected("deep-tool,string-ids", { STRAY_DEPTH: "1000" });
    expect(client.getAvailableTools()).toEqual(["echo"]);
    expect(warnings(events, "tool-skipped")).toHaveLength(1);
    expect(resultText(await client.callTool("echo", { message: "s" }))).toBe("Echo: s");
  });
});

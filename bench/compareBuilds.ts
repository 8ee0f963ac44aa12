/**
 * Paired comparison of builds of mcp-tools, for measuring what one change buys:
 *
 *     npx tsc -p tsconfig.build.json --outDir bench/results/ab/before   # before the change
 *     npx tsc -p tsconfig.build.json --outDir bench/results/ab/after    # after it
 *     node bench/results/build/compareBuilds.js bench/results/ab/before bench/results/ab/after
 *
 * Every build gets an MCPClient and a one-server MultiMCPClient, next to the raw SDK client and the
 * floor, each on its own fault-fixture server, all in one process. Blocks of sequential calls and of
 * 1000-call bursts run interleaved (the order rotating per block), and each value is reported as the
 * median of its per-block ratios to the raw SDK: builds compared this way see the same machine load.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

import { Client } from "@modelcontextprotocol/client";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio";
import type * as McpTools from "mcp-tools";

import { FloorClient } from "./floorClient.js";
import { summarize } from "./stats.js";
import { fixtureStdio } from "./targets.js";

type Call = (message: string) => Promise<unknown>;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { blocks: { type: "string" }, calls: { type: "string" } },
  });
  const blocks = Number(values.blocks ?? 9);
  const sequentialCalls = Number(values.calls ?? 2000);
  if (positionals.length === 0)
    throw new Error("usage: compareBuilds.js <build dir>... [--blocks N] [--calls N]");
  process.removeAllListeners("warning");
  process.on("warning", () => undefined);

  const target = fixtureStdio("ok");
  const calls = new Map<string, Call>();
  const closers: Array<() => Promise<unknown>> = [];
  for (const dir of positionals) {
    const lib = (await import(pathToFileURL(resolve(dir, "index.js")).href)) as typeof McpTools;
    const name = dir.replace(/\/+$/, "").split("/").at(-1)!;
    const server = { type: "stdio", command: target.command, args: target.args, env: target.env } as const;
    const client = new lib.MCPClient({ name: "c", ...server });
    await client.connect();
    const multi = new lib.MultiMCPClient([
      { name: "m", ...server, concurrency: { max_in_flight: 5000, max_queue: 5000 } },
    ]);
    await multi.connect();
    calls.set(`${name} MCPClient`, (message) => client.callTool("echo", { message }));
    calls.set(`${name} MultiMCPClient`, (message) => multi.callTool("mcp__m__echo", { message }));
    closers.push(
      () => client.disconnect(),
      () => multi.disconnect(),
    );
  }
  const sdk = new Client({ name: "compare", version: "0.0.0" }, { capabilities: {} });
  await sdk.connect(
    new StdioClientTransport({
      command: target.command,
      args: target.args,
      env: { ...getDefaultEnvironment(), ...target.env },
      stderr: "ignore",
    }),
  );
  calls.set("sdk", (message) => sdk.callTool({ name: "echo", arguments: { message } }));
  const floor = await FloorClient.start(target);
  calls.set("floor", (message) => floor.callTool("echo", { message }));
  closers.push(
    () => sdk.close(),
    () => floor.close(),
  );

  const names = [...calls.keys()];
  const sequential = new Map<string, number[]>(names.map((name) => [name, []]));
  const bursts = new Map<string, number[]>(names.map((name) => [name, []]));
  for (const call of calls.values()) {
    for (let i = 0; i < 500; i++) await call(`w${i}`);
    await Promise.all(Array.from({ length: 1000 }, (_, i) => call(`w${i}`)));
  }
  for (let block = 0; block < blocks; block++) {
    const order = [...names.slice(block % names.length), ...names.slice(0, block % names.length)];
    for (const name of order) {
      const call = calls.get(name)!;
      const start = performance.now();
      for (let i = 0; i < sequentialCalls; i++) await call(`m${i}`);
      sequential.get(name)!.push(((performance.now() - start) / sequentialCalls) * 1000);
    }
    for (const name of order) {
      const call = calls.get(name)!;
      const start = performance.now();
      await Promise.all(Array.from({ length: 1000 }, (_, i) => call(`b${i}`)));
      bursts.get(name)!.push(performance.now() - start);
    }
  }
  for (const [title, results, unit] of [
    ["sequential echo", sequential, "µs/call"],
    ["burst of 1000 echo calls", bursts, "ms"],
  ] as const) {
    process.stdout.write(
      `${title} (${unit}), median of ${blocks} blocks; ratio = median of per-block ratios\n`,
    );
    const sdkValues = results.get("sdk")!;
    for (const name of names) {
      const list = results.get(name)!;
      const ratios = list.map((value, index) => value / sdkValues[index]!);
      process.stdout.write(
        `  ${name.padEnd(28)} ${summarize(list).median.toFixed(1).padStart(8)}   vs SDK ${summarize(ratios).median.toFixed(2)}×\n`,
      );
    }
  }
  for (const close of closers) await close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);

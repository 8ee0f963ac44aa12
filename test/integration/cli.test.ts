import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

import { afterEach, describe, expect, it, vi } from "vitest";

import { nodeRuns } from "../helpers/cli.js";
import { isAlive, liveChildrenOf, readPid } from "../helpers/processes.js";
import { DEMO_SERVER, FAULT_SERVER, tempDir } from "../helpers/servers.js";

const { start, run, cleanUp } = nodeRuns();
const cleanups: Array<() => void> = [];

afterEach(() => {
  try {
    cleanUp();
  } finally {
    for (const cleanup of cleanups.splice(0)) cleanup();
  }
});

function scratch(): string {
  const dir = tempDir("mcp-tools-cli-");
  cleanups.push(dir.cleanup);
  return dir.path;
}

function writeConfig(dir: string, name: string, config: unknown): string {
  const path = join(dir, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

const demoEntry = { command: process.execPath, args: [DEMO_SERVER] };

describe("mcp-tools CLI", () => {
  it("list: servers, tools, resources and prompts of the bundled demo server", async () => {
    const { code, stdout, stderr } = await run(["list"], { cwd: scratch() });
    expect(code).toBe(0);
    expect(stderr).toContain("using the bundled demo server");
    expect(stdout).toMatch(/NAME\s+TRANSPORT\s+STATE/);
    expect(stdout).toMatch(/demo\s+stdio\s+connected\s+6/);
    expect(stdout).toContain("mcp__demo__echo");
    expect(stdout).toContain("demo://readme");
    expect(stdout).toContain("demo://notes/{id}");
    expect(stdout).toContain("mcp__demo__code_review");
    expect(stdout + stderr).not.toContain("\u001b[");
  });

  it("list --json prints exactly one JSON document", async () => {
    const { code, stdout } = await run(["--json", "list"], { cwd: scratch() });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as {
      servers: Array<{ name: string; state: string }>;
      tools: Array<{ name: string; rawName: string }>;
    };
    expect(doc.servers).toEqual([expect.objectContaining({ name: "demo", state: "connected" })]);
    expect(doc.tools.map((t) => t.rawName)).toEqual(expect.arrayContaining(["echo", "add", "slow_task"]));
  });

  it("call: key=value arguments typed by the schema, JSON arguments, and exit codes", async () => {
    const cwd = scratch();
    const echo = await run(["call", "echo", "message=007"], { cwd });
    expect(echo).toMatchObject({ code: 0, stdout: "Echo: 007\n" });
    const add = await run(["--json", "call", "mcp__demo__add", '{"a": 2, "b": 3}'], { cwd });
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({
      tool: "mcp__demo__add",
      server: "demo",
      result: { structuredContent: { result: 5 } },
    });
    const failed = await run(["call", "fail_tool", "reason=boom"], { cwd });
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("Tool failed: boom");
    const rpc = await run(["call", "rpc_error", "code=-32050", "message=nope"], { cwd });
    expect(rpc.code).toBe(1);
    expect(rpc.stderr).toContain("-32050");
  });

  it("call: usage errors exit 2 with a clear message", async () => {
    const cwd = scratch();
    const unknown = await run(["call", "ecko"], { cwd });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "mcp__demo__echo"');
    const badType = await run(["call", "add", "a=two", "b=1"], { cwd });
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain("a=two: expected a number");
    const badJson = await run(["--json", "call", "add", "{not json"], { cwd });
    expect(badJson.code).toBe(2);
    expect(JSON.parse(badJson.stdout).error).toMatchObject({ code: "INVALID_ARGUMENTS" });
    const badOption = await run(["--nope"], { cwd });
    expect(badOption.code).toBe(2);
  });

  it("read and prompt", async () => {
    const cwd = scratch();
    const read = await run(["read", "demo://notes/7"], { cwd });
    expect(read).toMatchObject({ code: 0, stdout: "Note 7\n" });
    const blob = await run(["read", "demo://logo.png"], { cwd });
    expect(blob.stdout).toMatch(/\[binary image\/png, \d+ B\]/);
    const prompt = await run(["prompt", "translate", "text=hello", "to_language=French"], { cwd });
    expect(prompt.code).toBe(0);
    expect(prompt.stdout).toContain("user:");
    expect(prompt.stdout).toContain("French");
  });

  it("health: a table, and exit 3 when a server is down", async () => {
    const dir = scratch();
    const ok = await run(["health"], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/demo\s+stdio\s+connected\s+healthy/);
    const config = writeConfig(dir, "two.json", {
      mcpServers: {
        demo: demoEntry,
        broken: { command: process.execPath, args: [FAULT_SERVER], env: { MODE: "exit-immediately:4" } },
      },
    });
    const mixed = await run(["--json", "--config", config, "health"]);
    expect(mixed.code).toBe(3);
    const doc = JSON.parse(mixed.stdout) as {
      healthy: boolean;
      servers: Array<{ name: string; healthy: boolean; error?: string }>;
    };
    expect(doc.healthy).toBe(false);
    expect(doc.servers.find((s) => s.name === "demo")?.healthy).toBe(true);
    expect(doc.servers.find((s) => s.name === "broken")?.error).toContain("exited with code 4");
  });

  it("--server keeps only the named servers and refuses unknown names", async () => {
    const dir = scratch();
    const config = writeConfig(dir, "mcp.json", { mcpServers: { one: demoEntry, two: demoEntry } });
    const only = await run(["--json", "--server", "two", "list"], { cwd: dir });
    expect(JSON.parse(only.stdout).servers.map((s: { name: string }) => s.name)).toEqual(["two"]);
    expect(only.stderr).toContain("Using config ./mcp.json");
    const unknown = await run(["--config", config, "--server", "three", "list"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"three" is not in the config');
  });

  it("discovers ./mcp.json, then ./.mcp.json, then ./.vscode/mcp.json, and says which", async () => {
    const dir = scratch();
    writeConfig(dir, ".vscode/mcp.json", { servers: { vs: { type: "stdio", ...demoEntry } } });
    expect((await run(["--json", "list"], { cwd: dir })).stderr).toContain("Using config ./.vscode/mcp.json");
    writeConfig(dir, ".mcp.json", { mcpServers: { dot: demoEntry } });
    expect((await run(["--json", "list"], { cwd: dir })).stderr).toContain("Using config ./.mcp.json");
    writeConfig(dir, "mcp.json", { mcpServers: { plain: demoEntry } });
    const first = await run(["--json", "list"], { cwd: dir });
    expect(first.stderr).toContain("Using config ./mcp.json");
    expect(JSON.parse(first.stdout).servers[0].name).toBe("plain");
  });

  it("a bad config file: exit 2 and messages that point at the key and line", async () => {
    const dir = scratch();
    writeFileSync(
      join(dir, "mcp.json"),
      '{\n  "mcpServers": {\n    "x": {\n      "command": "docker",\n      "timeout": "soon"\n    }\n  }\n}\n',
    );
    const listed = await run(["list"], { cwd: dir });
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain("mcpServers.x.command");
    expect(listed.stderr).toContain("mcp.json:4");
    expect(listed.stderr).toContain("mcpServers.x.timeout");
    const validated = await run(["--json", "validate", join(dir, "mcp.json")]);
    expect(validated.code).toBe(2);
    const doc = JSON.parse(validated.stdout) as {
      valid: boolean;
      issues: Array<{ path: string; line: number; rule: string }>;
    };
    expect(doc.valid).toBe(false);
    expect(doc.issues).toContainEqual(
      expect.objectContaining({ path: "mcpServers.x.command", line: 4, rule: "command.allowlist" }),
    );
  });

  it("validate: a good file lists its servers without starting anything", async () => {
    const result = await run(["validate", resolve("test/fixtures/configs/claudeCode.mcp.json")], {
      env: { API_TOKEN: "t" },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("is valid (mcpServers format, 3 servers)");
    expect(result.stdout).toMatch(/remote\s+streamable-http/);
  });

  it("a connection failure exits 3 and says what to do", async () => {
    const dir = scratch();
    const config = writeConfig(dir, "c.json", {
      mcpServers: { gone: { command: process.execPath, args: [join(dir, "missing.js")] } },
    });
    const result = await run(["--config", config, "call", "echo"]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Server "gone" exited with code 1');
  });

  it("--json keeps its promise on usage errors and for the demo session", async () => {
    const cwd = scratch();
    const bogus = await run(["--json", "bogus"], { cwd });
    expect(bogus.code).toBe(2);
    expect(JSON.parse(bogus.stdout)).toMatchObject({ error: { code: "USAGE" } });
    const demo = await run(["--json", "demo"], { cwd });
    expect(demo.code).toBe(0);
    const doc = JSON.parse(demo.stdout) as {
      server: string;
      steps: Array<{ step: string; result: unknown }>;
    };
    expect(doc.server).toBe("demo");
    expect(doc.steps.length).toBeGreaterThanOrEqual(8);
  });

  it("prompt arguments stay the strings typed; constructor, prototype and __proto__ are ordinary argument names", async () => {
    const cwd = scratch();
    const prompt = await run(["prompt", "summarize", "text=1.50", "max_words=12"], { cwd });
    expect(prompt.code).toBe(0);
    expect(prompt.stdout).toContain("1.50");
    const named = await run(
      ["call", "echo", "__proto__.polluted=1", "constructor=1", "prototype=2", "message=kept"],
      { cwd },
    );
    expect(named.stderr).not.toContain("not a usable argument name");
    expect(named.code).toBe(0);
    expect(named.stdout).toContain("kept");
    const empty = await run(["call", "echo", "a..b=1"], { cwd });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("not a usable argument name");
  });

  it("calling a tool of a server that could not start exits 3 with that server's reason", async () => {
    const dir = scratch();
    const config = writeConfig(dir, "two.json", {
      mcpServers: {
        demo: demoEntry,
        bad: { command: process.execPath, args: [FAULT_SERVER], env: { MODE: "exit-immediately:4" } },
      },
    });
    const routed = await run(["--config", config, "call", "mcp__bad__echo", "message=x"]);
    expect(routed.code).toBe(3);
    expect(routed.stderr).toContain("exited with code 4");
    const typo = await run(["--config", config, "call", "ecko"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Did you mean "mcp__demo__echo"');
  });

  it("the demo session (npm start) runs end to end", async () => {
    const result = await run(["demo"], { cwd: scratch() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Echo: Hello from mcp-tools");
    expect(result.stdout).toContain("Result: 19 + 23 = 42");
    expect(result.stdout).toContain("Completed 5 steps");
    expect(result.stdout).toContain("isError: true");
    expect(result.stdout).toContain('{"demo":true}');
  });

  it("Ctrl+C closes every server gracefully and exits 130", async () => {
    const cli = start(["call", "slow_task", "seconds=30", "steps=30"], { cwd: scratch() });
    await cli.stderrContains("✔ demo");
    const servers = liveChildrenOf(cli.child.pid!);
    expect(servers).toHaveLength(1);
    cli.child.kill("SIGINT");
    const result = await cli.done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("closing servers");
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
  });

  it("SIGTERM closes the servers too and exits 143", async () => {
    const cli = start(["call", "slow_task", "seconds=30", "steps=30"], { cwd: scratch() });
    await cli.stderrContains("✔ demo");
    const servers = liveChildrenOf(cli.child.pid!);
    cli.child.kill("SIGTERM");
    const result = await cli.done;
    expect(result.code).toBe(143);
    for (const pid of servers) expect(isAlive(pid)).toBe(false);
  });

  it("a second Ctrl+C forces: even a wrapped server that ignores SIGTERM is gone", async () => {
    const dir = scratch();
    const pidFile = join(dir, "grandchild.pid");
    const config = writeConfig(dir, "stubborn.json", {
      mcpServers: {
        stubborn: {
          command: process.execPath,
          args: [FAULT_SERVER],
          env: { MODE: "spawn-grandchild,ignore-sigterm", PID_FILE: pidFile },
          shutdown_grace: 30,
        },
      },
    });
    const cli = start(["--config", config, "call", "slow", "ms=30000"]);
    await cli.stderrContains("✔ stubborn");
    expect(existsSync(pidFile)).toBe(true);
    const grandchild = readPid(pidFile);
    const wrapper = liveChildrenOf(cli.child.pid!);
    cli.child.kill("SIGINT");
    await cli.stderrContains("closing servers");
    cli.child.kill("SIGINT");
    const result = await cli.done;
    expect(result.code).toBe(130);
    // The forced exit sends SIGKILL and exits at once, without waiting (SIGKILL cannot be refused):
    // on a loaded machine a killed process may not have been scheduled to die yet when the CLI is
    // gone, so its death is awaited here, bounded.
    await vi.waitFor(
      () => {
        expect(isAlive(grandchild)).toBe(false);
        for (const pid of wrapper) expect(isAlive(pid)).toBe(false);
      },
      { timeout: 5_000, interval: 20 },
    );
    expect(readFileSync(pidFile, "utf8").trim()).toBe(String(grandchild));
  });
});

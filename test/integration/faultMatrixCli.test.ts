// Fault-matrix P2 through the built CLI: secrets in a server's args (literal or from ${VAR}) and in its
// URL never reach the CLI's output, and an env variable outside the allow-list is refused by name
// without its value. Each run is a child process that must end on its own.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { nodeRuns, type Run } from "../helpers/cli.js";
import { FAULT_SERVER, tempDir } from "../helpers/servers.js";

const cli = nodeRuns();
const cleanups: Array<() => void> = [];

afterEach(() => {
  try {
    cli.cleanUp();
  } finally {
    for (const cleanup of cleanups.splice(0)) cleanup();
  }
});

/** Runs the built CLI with `env` added. Bounded by the test timeout; the child exits by itself. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return cli.run(args, { env });
}

function writeConfig(config: unknown): string {
  const dir = tempDir("mcp-tools-p2-");
  cleanups.push(dir.cleanup);
  const path = join(dir.path, "mcp.json");
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

const LITERAL = "ghp_0123456789abcdefghijABCDEFGHIJ";
const FROM_ENV = "super-secret-from-env-42";
const BEARER = "bearer-value-7f3a";
const API_KEY = "key-value-9c1d";
const URL_QUERY = "query-secret-8d4c";
const SECRETS = [LITERAL, FROM_ENV, BEARER, API_KEY, URL_QUERY];

function secretiveConfig(): string {
  return writeConfig({
    mcpServers: {
      fixture: {
        command: process.execPath,
        // The fixture ignores its argv; these stand for a real server's credentials.
        args: [
          FAULT_SERVER,
          "--token",
          "${GH_TOKEN}",
          `--api-key=${API_KEY}`,
          "--header",
          `Authorization: Bearer ${BEARER}`,
          LITERAL,
        ],
        env: { MODE: "ok" },
      },
      remote: {
        type: "streamable-http",
        // Credentials in the URL are refused by the config check; a secret query parameter is not.
        url: `https://mcp.example.com/mcp?api_key=${URL_QUERY}`,
      },
    },
  });
}

function expectNoSecret(output: string): void {
  for (const secret of SECRETS) expect(output, secret).not.toContain(secret);
}

describe("P2 through the CLI", () => {
  it("validate shows each server's target with its secrets hidden (table and --json)", async () => {
    const config = secretiveConfig();
    const table = await run(["validate", config], { GH_TOKEN: FROM_ENV });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/fixture\s+stdio/);
    // `${GH_TOKEN}` is expanded only when connecting, so the reference itself is shown (no secret in it).
    expect(table.stdout).toContain(
      "--token ${GH_TOKEN} --api-key=[REDACTED] --header Authorization: [REDACTED]",
    );
    expect(table.stdout).toContain("mcp.example.com/mcp");
    expectNoSecret(table.stdout + table.stderr);

    const json = await run(["--json", "validate", config], { GH_TOKEN: FROM_ENV });
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { servers: Array<{ name: string; target: string }> };
    expect(doc.servers.map((s) => s.name)).toEqual(["fixture", "remote"]);
    expect(doc.servers[0]!.target).toContain("[REDACTED]");
    expectNoSecret(json.stdout + json.stderr);
  });

  it("list connects the server and prints its command line without the secrets (table, --json, --verbose)", async () => {
    const config = secretiveConfig();
    const env = { GH_TOKEN: FROM_ENV };
    const table = await run(["--config", config, "--server", "fixture", "--verbose", "list"], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/fixture\s+stdio\s+connected/);
    expect(table.stdout).toContain("mcp__fixture__echo");
    expect(table.stdout).toContain("--token ${GH_TOKEN} --api-key=[REDACTED]");
    expectNoSecret(table.stdout + table.stderr);

    const json = await run(["--json", "--config", config, "--server", "fixture", "list"], env);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { servers: Array<{ state: string; target: string }> };
    expect(doc.servers).toEqual([
      expect.objectContaining({ state: "connected", target: expect.stringContaining("[REDACTED]") }),
    ]);
    expectNoSecret(json.stdout + json.stderr);
  });

  it("an env variable outside the allow-list: validate exits 2 naming it, never its value", async () => {
    const config = writeConfig({
      mcpServers: {
        fixture: {
          command: process.execPath,
          args: [FAULT_SERVER],
          env: { MODE: "ok", EXTRA_SECRET: FROM_ENV },
          security: { env: { mode: "allowlist", allowed_vars: ["MODE"] } },
        },
      },
    });
    const result = await run(["validate", config]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain("EXTRA_SECRET");
    expect(result.stdout).toContain("env.allowlist");
    expectNoSecret(result.stdout + result.stderr);
    // The other side: the same server with the variable allowed is valid.
    const allowed = writeConfig({
      mcpServers: {
        fixture: {
          command: process.execPath,
          args: [FAULT_SERVER],
          env: { MODE: "ok", EXTRA_SECRET: FROM_ENV },
          security: { env: { mode: "allowlist", allowed_vars: ["MODE", "EXTRA_SECRET"] } },
        },
      },
    });
    const ok = await run(["validate", allowed]);
    expect(ok.code).toBe(0);
    expectNoSecret(ok.stdout + ok.stderr);
  });
});

// The official MCP conformance suite (@modelcontextprotocol/conformance, client mode, every scenario)
// against test/conformance/client.mjs, which speaks MCP only through mcp-tools' public API and config
// format. The runner's verdict alone is not enough: two scenarios pass with a client that does nothing
// (`initialize`, `auth/resource-mismatch`), so every checks.json is read and the checks that prove the
// work was done are required, scenario by scenario.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const require = createRequire(import.meta.url);
const RUNNER = join(
  dirname(require.resolve("@modelcontextprotocol/conformance/package.json")),
  "dist/index.js",
);
const SHIM = join(here, "node20Globsync.mjs");
const CLIENT = join(here, "client.mjs");
/** Bound on the whole suite (it takes 15–30 s on a 2-core machine, depending on load). */
const SUITE_DEADLINE_MS = 150_000;
/**
 * Each client's own deadline, and the runner's per-scenario timeout just above it: generous, because
 * all 26 clients start at once and a loaded machine can take many seconds just to start them.
 */
const CLIENT_DEADLINE_MS = 90_000;

type Status = "SUCCESS" | "FAILURE" | "WARNING" | "INFO";
interface Check {
  id: string;
  status: Status;
  description?: string;
}

const PKCE = [
  "pkce-code-challenge-sent",
  "pkce-s256-method-used",
  "pkce-code-verifier-sent",
  "pkce-verifier-matches-challenge",
];
/** An authorization-code login with discovery, dynamic registration, PKCE and a used token. */
const LOGIN = [
  "prm-pathbased-requested",
  "authorization-server-metadata",
  "client-registration",
  "authorization-request",
  ...PKCE,
  "token-request",
  "valid-bearer-token",
];
const RESOURCE = [
  "resource-parameter-in-authorization",
  "resource-parameter-in-token",
  "resource-parameter-valid-uri",
  "resource-parameter-consistency",
];

/**
 * Per scenario: the checks that must succeed, and how many SUCCESS checks our client produces. The
 * count follows from the client's requests (one `valid-bearer-token` per authorized request, one
 * discovery per login because discovery results are cached), so a change means changed behaviour.
 */
const EXPECTED: Record<string, { required: string[]; successes: number }> = {
  initialize: { required: ["mcp-client-initialization"], successes: 1 },
  tools_call: { required: ["tool-add-numbers"], successes: 1 },
  "elicitation-sep1034-client-defaults": {
    required: ["string", "integer", "number", "enum", "boolean"].map(
      (t) => `client-elicitation-sep1034-${t}-default`,
    ),
    successes: 5,
  },
  "sse-retry": {
    required: ["client-sse-graceful-reconnect", "client-sse-retry-timing", "client-sse-last-event-id"],
    successes: 3,
  },
  "auth/metadata-default": { required: LOGIN, successes: 13 },
  "auth/metadata-var1": { required: LOGIN, successes: 13 },
  "auth/metadata-var2": { required: LOGIN, successes: 13 },
  "auth/metadata-var3": { required: LOGIN, successes: 13 },
  "auth/basic-cimd": {
    required: [...LOGIN.filter((id) => id !== "client-registration"), "cimd-client-id-used"],
    successes: 13,
  },
  "auth/scope-from-www-authenticate": { required: [...LOGIN, "scope-from-www-authenticate"], successes: 14 },
  "auth/scope-from-scopes-supported": { required: [...LOGIN, "scope-from-scopes-supported"], successes: 14 },
  "auth/scope-omitted-when-undefined": {
    required: [...LOGIN, "scope-omitted-when-undefined"],
    successes: 14,
  },
  "auth/scope-step-up": {
    required: [...LOGIN, "scope-step-up-initial", "scope-step-up-escalation"],
    successes: 20,
  },
  "auth/scope-retry-limit": {
    required: [...LOGIN.filter((id) => id !== "valid-bearer-token"), "scope-retry-limit"],
    successes: 16,
  },
  "auth/token-endpoint-auth-basic": {
    required: [...LOGIN, ...RESOURCE, "token-endpoint-auth-method"],
    successes: 18,
  },
  "auth/token-endpoint-auth-post": {
    required: [...LOGIN, ...RESOURCE, "token-endpoint-auth-method"],
    successes: 18,
  },
  "auth/token-endpoint-auth-none": {
    required: [...LOGIN, ...RESOURCE, "token-endpoint-auth-method"],
    successes: 18,
  },
  "auth/pre-registration": {
    required: [...LOGIN.filter((id) => id !== "client-registration"), "pre-registration-auth"],
    successes: 13,
  },
  "auth/2025-03-26-oauth-metadata-backcompat": {
    required: [
      "authorization-server-metadata",
      "client-registration",
      "authorization-request",
      ...PKCE,
      "token-request",
    ],
    successes: 12,
  },
  "auth/2025-03-26-oauth-endpoint-fallback": {
    required: ["client-registration", "authorization-request", "token-request", "valid-bearer-token"],
    successes: 7,
  },
  "auth/resource-mismatch": {
    // A client that does nothing gets resource-mismatch-rejected too; the discovery checks prove ours
    // looked at the resource metadata and refused.
    required: ["prm-pathbased-requested", "authorization-server-metadata", "resource-mismatch-rejected"],
    successes: 3,
  },
  "auth/offline-access-scope": {
    required: [...LOGIN, "sep-2207-client-metadata-grant-types", "sep-2207-offline-access-requested"],
    successes: 15,
  },
  "auth/offline-access-not-supported": {
    required: [...LOGIN, "sep-2207-offline-access-not-requested"],
    successes: 14,
  },
  "auth/client-credentials-jwt": {
    required: [
      "prm-pathbased-requested",
      "authorization-server-metadata",
      "token-request",
      "client-credentials-jwt-verified",
      "valid-bearer-token",
    ],
    successes: 8,
  },
  "auth/client-credentials-basic": {
    required: [
      "prm-pathbased-requested",
      "authorization-server-metadata",
      "token-request",
      "client-credentials-basic-auth",
      "valid-bearer-token",
    ],
    successes: 8,
  },
  "auth/cross-app-access-complete-flow": {
    required: [
      "complete-flow-token-exchange",
      "complete-flow-jwt-bearer",
      "token-request",
      "valid-bearer-token",
    ],
    successes: 9,
  },
};

interface RunResult {
  scenario: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * How many scenarios run at once. The runner's `--suite all` starts all 26 clients and their servers
 * together, which on a loaded 2-core machine made auth scenarios miss their steps; a few at a time
 * keeps the whole run about as fast on an idle machine and makes it independent of load.
 */
const CONCURRENCY = 4;

/** Runs one scenario; a run past the deadline is killed with its whole process group. */
function runScenario(scenario: string, outputDir: string, deadlineMs: number): Promise<RunResult> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      SHIM,
      RUNNER,
      "client",
      "--command",
      // Split on spaces and run through sh by the runner; quoting keeps paths with spaces intact.
      `'${process.execPath}' '${CLIENT}'`,
      "--scenario",
      scenario,
      "--timeout",
      String(CLIENT_DEADLINE_MS + 5_000),
      "-o",
      outputDir,
    ],
    {
      cwd: root,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, MCP_TOOLS_CONFORMANCE_DEADLINE_MS: String(CLIENT_DEADLINE_MS) },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    }, deadlineMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ scenario, code, signal, stdout, stderr });
    });
  });
}

/** Every scenario, `CONCURRENCY` at a time, all within one suite deadline. */
async function runSuite(scenarios: readonly string[], outputDir: string): Promise<RunResult[]> {
  const deadline = performance.now() + SUITE_DEADLINE_MS;
  const queue = [...scenarios];
  const results: RunResult[] = [];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      results.push(await runScenario(next, outputDir, Math.max(1, deadline - performance.now())));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

/** `auth/metadata-default-2026-…Z/checks.json` → `auth/metadata-default`. */
function scenarioOf(path: string): string {
  return dirname(path).replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
}

function checksFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return checksFiles(path, base);
    return entry.name === "checks.json" ? [relative(base, path).split("\\").join("/")] : [];
  });
}

describe("official MCP conformance suite (client, --suite all) through mcp-tools' public API", () => {
  let outputDir: string;
  let runs: RunResult[];
  let results: Map<string, Check[]>;

  beforeAll(async () => {
    if (!existsSync(join(root, "dist/index.js"))) {
      throw new Error("dist/index.js is missing: run `npm run build` first (npm test does)");
    }
    outputDir = mkdtempSync(join(tmpdir(), "mcp-tools-conformance-"));
    runs = await runSuite(Object.keys(EXPECTED), outputDir);
    results = new Map();
    for (const file of checksFiles(outputDir)) {
      results.set(scenarioOf(file), JSON.parse(readFileSync(join(outputDir, file), "utf8")) as Check[]);
    }
  }, SUITE_DEADLINE_MS + 10_000);

  afterAll(() => {
    if (outputDir) rmSync(outputDir, { recursive: true, force: true });
  });

  it("the runner passes every scenario: exit code 0, no failed and no warning checks", () => {
    let passed = 0;
    for (const run of runs) {
      const output = `${run.scenario}:\n${run.stdout}\n${run.stderr}`;
      expect(run.signal, `killed at the ${SUITE_DEADLINE_MS} ms suite deadline: ${output}`).toBeNull();
      // One scenario's summary goes to stderr (a suite's to stdout).
      const summary = `${run.stdout}\n${run.stderr}`.match(
        /Passed: (\d+)\/(\d+), (\d+) failed, (\d+) warnings/,
      );
      expect(summary, output).not.toBeNull();
      expect(
        { failed: Number(summary![3]), warnings: Number(summary![4]), exitCode: run.code },
        output,
      ).toEqual({
        failed: 0,
        warnings: 0,
        exitCode: 0,
      });
      passed += Number(summary![1]);
    }
    const total = Object.values(EXPECTED).reduce((sum, e) => sum + e.successes, 0);
    expect(passed).toBe(total);
  });

  it("ran every one of the 26 client scenarios", () => {
    expect([...results.keys()].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(results.size).toBe(26);
  });

  it.each(Object.entries(EXPECTED))("%s: the checks that prove the work succeeded", (scenario, expected) => {
    const checks = results.get(scenario) ?? [];
    const bad = checks.filter((c) => c.status === "FAILURE" || c.status === "WARNING");
    expect(bad.map((c) => `${c.id}: ${c.status} ${c.description ?? ""}`)).toEqual([]);
    const succeeded = new Set(checks.filter((c) => c.status === "SUCCESS").map((c) => c.id));
    expect(expected.required.filter((id) => !succeeded.has(id))).toEqual([]);
    expect(checks.filter((c) => c.status === "SUCCESS").length).toBe(expected.successes);
  });
});

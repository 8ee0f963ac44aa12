import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import type { OAuthMcpServer } from "../fixtures/oauthMcpServer.js";
import { startOAuthMcpServer } from "../fixtures/oauthMcpServer.js";
import { nodeRuns } from "../helpers/cli.js";
import { tempDir } from "../helpers/servers.js";

const { start, cleanUp } = nodeRuns();
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  try {
    cleanUp();
  } finally {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }
});

/** A free loopback port for the redirect listener (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolvePort(port));
    });
  });
}

describe("CLI interactive login", () => {
  it("shows the authorization URL, takes the browser's callback on 127.0.0.1, and calls the tool", async () => {
    const server: OAuthMcpServer = await startOAuthMcpServer();
    cleanups.push(() => server.close());
    const dir = tempDir("mcp-tools-login-");
    cleanups.push(dir.cleanup);
    const redirectPort = await freePort();
    const config = join(dir.path, "mcp.json");
    writeFileSync(
      config,
      JSON.stringify({
        mcpServers: {
          secured: {
            url: server.mcpUrl,
            security: { allow_localhost: true },
            auth: { redirect_url: `http://127.0.0.1:${redirectPort}/callback` },
          },
        },
      }),
    );
    const cli = start(["--config", config, "call", "whoami"], { env: { NO_COLOR: "1" } });
    const signIn = await cli.stderrMatch(/needs you to sign in\. Open this URL in a browser:\n\s+(\S+)/);
    const authorizationUrl = signIn[1]!;
    expect(new URL(authorizationUrl).searchParams.get("redirect_uri")).toBe(
      `http://127.0.0.1:${redirectPort}/callback`,
    );
    // Play the browser: the authorization server redirects to the CLI's loopback listener.
    const login = await fetch(authorizationUrl, { redirect: "manual" });
    const callback = login.headers.get("location")!;
    expect(new URL(callback).host).toBe(`127.0.0.1:${redirectPort}`);
    const landing = await fetch(callback);
    expect(landing.status).toBe(200);
    await landing.text();
    const { code, stdout } = await cli.done;
    expect(code).toBe(0);
    expect(stdout).toBe("signed in\n");
    expect(server.requests).toEqual(
      expect.arrayContaining(["POST /auth/register", "GET /auth/authorize", "POST /auth/token"]),
    );
  });
});

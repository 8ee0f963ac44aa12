// Review S3: a server that echoes the credential it was sent, in a shape no text rule knows (Go's
// http.Header JSON, the request body as a JSON string, YAML with the value on the next line, or just
// the bare value), must not get it into `toJSON()`, the message or the stderr tail. The client knows
// what it sent (headers, env, `${VAR}`s) and hides exactly that. Real HTTP on 127.0.0.1 (the
// scripted fixture) and a real stdio process (the fault fixture).
import { afterEach, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { MCPConnectionError, MCPError } from "../../src/errors/errors.js";
import { forgetAllSecrets } from "../../src/errors/knownSecrets.js";
import { type HttpFaultServer, startHttpFaultServer } from "../fixtures/httpFaultServer.js";
import { faultStdio } from "../helpers/servers.js";

/** An opaque API key, as most are: no prefix a shape rule could know. */
const KEY = "Zq8xV2mN4pL7wR1tQ0aB";

const servers: HttpFaultServer[] = [];
const clients: MCPClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  forgetAllSecrets();
});

function expectClean(error: MCPError): void {
  for (const text of [JSON.stringify(error.toJSON()), error.message, String(error), String(error.stack)]) {
    expect(text).not.toContain(KEY);
  }
}

it.each([
  [
    "Go http.Header JSON (values are arrays)",
    JSON.stringify({ error: "unauthorized", headers: { "X-Api-Key": [KEY] } }),
  ],
  [
    "the request body echoed as a JSON string",
    JSON.stringify({ error: `bad body: ${JSON.stringify({ api_key: KEY })}` }),
  ],
  ["YAML-ish, the value on the next line", `unauthorized\napi_key:\n  ${KEY}\n`],
  ["the bare value", `unknown credential ${KEY}`],
])("a 401 reflecting the configured X-Api-Key (%s): toJSON() stays clean", async (_label, body) => {
  const server = await startHttpFaultServer();
  servers.push(server);
  server.script(
    { rpc: "initialize" },
    { kind: "status", status: 401, body, contentType: "application/json" },
  );
  const client = new MCPClient({
    name: "reflector",
    url: server.url,
    headers: { "X-Api-Key": KEY },
    security: { allow_localhost: true },
    timeout: 3,
  });
  clients.push(client);
  const error = (await client.connect().catch((e: unknown) => e)) as MCPError;
  expect(error.code).toMatch(/^AUTH_/);
  expectClean(error);
});

it("a stdio server that prints the token it got from ${VAR} and exits: message and stderr tail stay clean", async () => {
  const client = new MCPClient(
    faultStdio("exit-immediately:3", {
      connect_timeout: 20,
      fixtureEnv: {
        SERVICE_TOKEN: "${UPSTREAM_TOKEN}",
        EXIT_REASON: 'upstream rejected ["${UPSTREAM_TOKEN}"]',
      },
    }),
    { environment: { UPSTREAM_TOKEN: KEY } },
  );
  clients.push(client);
  const error = (await client.connect().catch((e: unknown) => e)) as MCPConnectionError;
  expect(error.code).toBe("PROCESS_EXITED");
  expect(error.process?.stderrTail).toContain("upstream rejected");
  expect(error.process?.stderrTail).not.toContain(KEY);
  expectClean(error);
});

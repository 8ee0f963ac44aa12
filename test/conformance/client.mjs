#!/usr/bin/env node
// The client the official MCP conformance suite drives (`conformance client --command …`). It uses
// mcp-tools exactly as a user would: its public API (the package's own export) and its config format,
// OAuth included. Per scenario it builds one server config from the server URL (the last argument),
// MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT, connects, calls the scenario's tool and exits.
import { constants, setPriority } from "node:os";

// The runner cannot stop a hung client (it kills only the shell around it), so the client stops itself
// before the runner's timeout (30 s unless --timeout says otherwise; the test raises both on busy machines).
const DEADLINE_MS = Number(process.env.MCP_TOOLS_CONFORMANCE_DEADLINE_MS) || 20_000;
setTimeout(() => {
  process.stderr.write(`conformance client: no result within ${DEADLINE_MS} ms, giving up\n`);
  process.exit(124);
}, DEADLINE_MS).unref();

const serverUrl = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? "";

// The suite starts all 26 clients at once. On a small machine the one timing-sensitive scenario
// (sse-retry: reconnect 450–700 ms after the server's `retry: 500`) would otherwise wait for a CPU
// behind the other clients' start-up, so every other client steps back before loading the library.
if (scenario !== "sse-retry") setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
const { MCPClient } = await import("mcp-tools");
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? "{}");

/** The client-ID metadata document URL the suite expects (SEP-991); it is never fetched by the suite. */
const CLIENT_METADATA_URL = "https://conformance-test.local/client-metadata.json";

/** The tool each scenario expects to be called, with its arguments. */
const TOOL_CALLS = {
  tools_call: ["add_numbers", { a: 5, b: 3 }],
  "elicitation-sep1034-client-defaults": ["test_client_elicitation_defaults", {}],
  "sse-retry": ["test_reconnection", {}],
};

/**
 * Secrets go through `${VAR}` references, as a real config keeps them out of files; the values come
 * from the scenario context and reach the client through its `environment` option.
 */
const environment = {
  ...process.env,
  CONFORMANCE_CLIENT_SECRET: context.client_secret,
  CONFORMANCE_PRIVATE_KEY: context.private_key_pem,
  CONFORMANCE_ID_TOKEN: context.idp_id_token,
};

/** The `auth` section for a scenario, in the snake_case form config files use. */
function authSection() {
  switch (scenario) {
    case "auth/client-credentials-basic":
      return {
        flow: "client_credentials",
        client_id: context.client_id,
        client_secret: "${CONFORMANCE_CLIENT_SECRET}",
        token_endpoint_auth_method: "client_secret_basic",
      };
    case "auth/client-credentials-jwt":
      return {
        flow: "client_credentials",
        client_id: context.client_id,
        private_key: "${CONFORMANCE_PRIVATE_KEY}",
        ...(context.signing_algorithm ? { signing_algorithm: context.signing_algorithm } : {}),
      };
    case "auth/cross-app-access-complete-flow":
      return {
        flow: "cross_app_access",
        client_id: context.client_id,
        client_secret: "${CONFORMANCE_CLIENT_SECRET}",
        idp: {
          issuer: context.idp_issuer,
          token_endpoint: context.idp_token_endpoint,
          client_id: context.idp_client_id,
          id_token: "${CONFORMANCE_ID_TOKEN}",
        },
      };
    case "auth/pre-registration":
      return { client_id: context.client_id, client_secret: "${CONFORMANCE_CLIENT_SECRET}" };
    case "auth/basic-cimd":
      return { client_metadata_url: CLIENT_METADATA_URL };
    case "auth/2025-03-26-oauth-metadata-backcompat":
    case "auth/2025-03-26-oauth-endpoint-fallback":
      // A 2025-03-26-era server: its authorization-server metadata names an issuer other than the URL
      // it is served from, which the RFC 8414 check (on by default) refuses.
      return { skip_issuer_check: true };
    default:
      return scenario.startsWith("auth/") ? {} : undefined;
  }
}

/**
 * The "browser" of an interactive login: the suite's authorization server answers the authorization
 * URL with a redirect to our redirect URL at once, carrying the code and state.
 */
async function browser(url) {
  const response = await fetch(url, { redirect: "manual" });
  await response.body?.cancel();
  const location = response.headers.get("location");
  if (!location) throw new Error(`the authorization server did not redirect (HTTP ${response.status})`);
  return location;
}

const auth = authSection();
const client = new MCPClient(
  {
    name: "conformance",
    type: "streamable-http",
    url: serverUrl,
    timeout: 10,
    security: { allow_localhost: true },
    ...(auth ? { auth } : {}),
  },
  {
    environment,
    handlers: {
      // Accept with nothing filled in: the library must add the schema's defaults (SEP-1034).
      elicitation: () => ({ action: "accept", content: {} }),
    },
    auth: { onAuthorizationUrl: browser, redirectUrl: "http://127.0.0.1:3000/callback" },
  },
);

let exitCode = 0;
try {
  await client.connect();
  const call = TOOL_CALLS[scenario] ?? (client.tools.has("test-tool") ? ["test-tool", {}] : undefined);
  if (call) {
    const result = await client.callTool(call[0], call[1]);
    if (result.isError) throw new Error(`tool ${call[0]} reported an error`);
  }
} catch (error) {
  process.stderr.write(
    `conformance client (${scenario}): ${error?.code ?? "ERROR"}: ${error?.message ?? error}\n`,
  );
  exitCode = 1;
} finally {
  await client.disconnect();
}
process.exit(exitCode);

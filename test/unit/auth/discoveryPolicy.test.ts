// The auth layer checks what OAuth discovery found against the server's address policy before it
// uses it (issue 11 item 2): through MCPClient, against an in-process fake of the MCP server and
// its authorization server (a `fetch` replacement: no sockets).
import { afterEach, describe, expect, it, vi } from "vitest";

import { MemoryTokenStore } from "../../../src/auth/tokenStore.js";
import type { AuthOptions } from "../../../src/auth/types.js";
import { MCPClient } from "../../../src/client/mcpClient.js";
import type { AuthInput } from "../../../src/config/authTypes.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";

const ORIGIN = "http://127.0.0.1:9";
const MCP_URL = `${ORIGIN}/mcp`;
const ISSUER = `${ORIGIN}/auth`;
const TOKEN = "access-token-1";
const SECRET = "s3cret-9d2e";

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** An MCP server behind OAuth whose authorization-server metadata is `metadata` over the defaults. */
function fakeServer(metadata: Record<string, unknown> = {}) {
  const seen: string[] = [];
  const fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    seen.push(`${method} ${url.href}`);
    if (url.origin !== ORIGIN) throw new TypeError(`fake: nothing listens at ${url.origin}`);
    switch (`${method} ${url.pathname}`) {
      case "GET /.well-known/oauth-protected-resource/mcp":
        return json(200, { resource: MCP_URL, authorization_servers: [ISSUER] });
      case "GET /.well-known/oauth-authorization-server/auth":
        return json(200, {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          token_endpoint: `${ISSUER}/token`,
          response_types_supported: ["code"],
          code_challenge_methods_supported: ["S256"],
          grant_types_supported: ["authorization_code", "client_credentials"],
          ...metadata,
        });
      case "POST /auth/token":
        return json(200, { access_token: TOKEN, token_type: "Bearer", expires_in: 3600 });
      case "POST /mcp": {
        if (new Headers(init?.headers).get("authorization") !== `Bearer ${TOKEN}`) {
          return json(
            401,
            { error: "invalid_token" },
            {
              "www-authenticate": `Bearer resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`,
            },
          );
        }
        const message = JSON.parse(String(init?.body)) as {
          id?: number;
          method: string;
          params?: { protocolVersion?: string };
        };
        if (message.id === undefined) return new Response(null, { status: 202 });
        const result =
          message.method === "initialize"
            ? {
                protocolVersion: message.params?.protocolVersion,
                capabilities: { tools: {} },
                serverInfo: { name: "fake", version: "1" },
              }
            : { tools: [] };
        return json(200, { jsonrpc: "2.0", id: message.id, result });
      }
      case "GET /mcp":
        return new Response(null, { status: 405 });
      default:
        return new Response("not found", { status: 404 });
    }
  };
  return { fetch, seen, hosts: () => [...new Set(seen.map((s) => new URL(s.split(" ")[1]!).hostname))] };
}

const clients: MCPClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
});

function client(auth: AuthInput, fake: ReturnType<typeof fakeServer>, options: AuthOptions = {}) {
  const created = new MCPClient(
    { name: "secured", url: MCP_URL, security: { allow_localhost: true }, timeout: 5, auth },
    { fetch: fake.fetch, environment: { SECRET }, auth: options },
  );
  clients.push(created);
  return created;
}

describe("discovered URLs go through the server's address policy", () => {
  it("an authorization_endpoint at the metadata address is refused; the browser is never sent there", async () => {
    const fake = fakeServer({ authorization_endpoint: "https://169.254.169.254/authorize" });
    const onAuthorizationUrl = vi.fn(() => Promise.reject(new Error("must not be called")));
    const error = await client({ client_id: "pre-registered" }, fake, { onAuthorizationUrl })
      .connect()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).issues).toEqual([
      expect.objectContaining({ path: "authorization_endpoint", rule: "url.metadataHost" }),
    ]);
    expect((error as Error).message).toContain("the authorization endpoint (opened in the browser)");
    expect(onAuthorizationUrl).not.toHaveBeenCalled();
    expect(fake.hosts()).toEqual(["127.0.0.1"]);
  });

  it("every forbidden endpoint the flow uses is reported at once", async () => {
    const fake = fakeServer({
      token_endpoint: "https://10.0.0.1/token",
      registration_endpoint: "https://metadata.google.internal/register",
    });
    const error = (await client({}, fake, { onAuthorizationUrl: () => Promise.reject(new Error("no login")) })
      .connect()
      .catch((e: unknown) => e)) as MCPConfigurationError;
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect(error.issues.map((i) => [i.path, i.rule])).toEqual([
      ["token_endpoint", "url.privateAddress"],
      ["registration_endpoint", "url.metadataHost"],
    ]);
    expect(fake.hosts()).toEqual(["127.0.0.1"]);
  });

  it("endpoints the flow never uses are not held against it (client_credentials: no login, no registration)", async () => {
    const fake = fakeServer({
      authorization_endpoint: "https://169.254.169.254/authorize",
      registration_endpoint: "https://10.0.0.1/register",
    });
    await client(
      { flow: "client_credentials", client_id: "machine", client_secret: "${SECRET}" },
      fake,
    ).connect();
    expect(fake.seen).toContain(`POST ${ISSUER}/token`);
    expect(fake.hosts()).toEqual(["127.0.0.1"]);
  });

  it("a stored discovery result naming a forbidden endpoint is discovered again instead of used", async () => {
    const tokenStore = new MemoryTokenStore();
    await tokenStore.save(`secured ${MCP_URL}`, {
      discovery: {
        authorizationServerUrl: ISSUER,
        resourceMetadataUrl: `${ORIGIN}/.well-known/oauth-protected-resource/mcp`,
        resourceMetadata: { resource: MCP_URL, authorization_servers: [ISSUER] },
        authorizationServerMetadata: {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          token_endpoint: "https://169.254.169.254/token",
          response_types_supported: ["code"],
        },
      },
    });
    const fake = fakeServer();
    await client({ flow: "client_credentials", client_id: "machine", client_secret: "${SECRET}" }, fake, {
      tokenStore,
    }).connect();
    expect(fake.hosts()).toEqual(["127.0.0.1"]);
    expect(fake.seen).toContain(`POST ${ISSUER}/token`);
    expect(
      (await tokenStore.load(`secured ${MCP_URL}`))?.discovery?.authorizationServerMetadata?.token_endpoint,
    ).toBe(`${ISSUER}/token`);
  });
});

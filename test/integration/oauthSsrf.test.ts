// Every URL a server names goes through the address policy of the configured `url` (issue 11 item 2):
// OAuth discovery (WWW-Authenticate resource_metadata, authorization_servers, the authorization
// server's endpoints), the cross-app-access IdP, redirects and the legacy-SSE endpoint event. A
// hostile server on 127.0.0.1 (test/fixtures/hostileOAuthServer.ts) names forbidden addresses.
//
// Nothing here ever connects anywhere but 127.0.0.1. Tests that name IP literals pass a `fetch` spy
// that records every URL and refuses all but 127.0.0.1 itself, so even a client that would follow
// such a URL only shows up in the spy. Tests of host names inject the DNS lookup instead (the names
// map to 127.0.0.1) and use the transport's own connection pool.
import { Agent, fetch as undiciFetch } from "undici";
import { afterEach, describe, expect, it } from "vitest";

import { MCPClient } from "../../src/client/mcpClient.js";
import type { ServerConfigInput } from "../../src/config/types.js";
import { MCPConfigurationError } from "../../src/errors/errors.js";
import { type HostileServer, type Reply, startHostileServer } from "../fixtures/hostileOAuthServer.js";
import { within } from "../helpers/async.js";

// https, so that the SDK's own refusal of plain-http token endpoints is not what stops a request.
const METADATA_URL = "https://169.254.169.254/latest/meta-data/iam/security-credentials/role";
const SECRET = "s3cr3t-client-SECRET-9c1f";
const environment = { CLIENT_SECRET: SECRET, ID_TOKEN: "id-token-7f3a" };
const CLIENT_CREDENTIALS = {
  flow: "client_credentials",
  client_id: "client-1",
  client_secret: "${CLIENT_SECRET}",
} as const;

const servers: HostileServer[] = [];
const clients: MCPClient[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  try {
    await within(
      5_000,
      Promise.all(clients.splice(0).map((client) => client.disconnect())),
      "disconnecting every client",
    );
  } finally {
    await Promise.all(agents.splice(0).map((agent) => agent.destroy()));
    await Promise.all(servers.splice(0).map((server) => server.close()));
  }
});

async function hostile(routes: (origin: string) => Record<string, Reply>): Promise<HostileServer> {
  const server = await startHostileServer(routes);
  servers.push(server);
  return server;
}

/** A `fetch` that records every URL and connects only to 127.0.0.1 (its own pool, closed after the test). */
function loopbackOnlyFetch() {
  const agent = new Agent();
  agents.push(agent);
  const urls: URL[] = [];
  const fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    urls.push(url);
    if (url.hostname !== "127.0.0.1") throw new TypeError(`test spy: no connection to ${url.host}`);
    return undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
  };
  return { fetch, hosts: () => [...new Set(urls.map((u) => u.hostname))] };
}

function client(config: ServerConfigInput, options: ConstructorParameters<typeof MCPClient>[1] = {}) {
  const created = new MCPClient({ timeout: 5, connect_timeout: 5, ...config }, { environment, ...options });
  clients.push(created);
  return created;
}

async function refusal(connecting: Promise<unknown>): Promise<MCPConfigurationError> {
  const error = await connecting.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MCPConfigurationError);
  const refused = error as MCPConfigurationError;
  expect(refused.message).toContain("nothing was sent there");
  // Hosts only: the path and query of a named URL may carry codes or tokens.
  expect(JSON.stringify(refused.toJSON())).not.toContain("security-credentials");
  expect(JSON.stringify(refused.toJSON())).not.toContain(SECRET);
  return refused;
}

/** The hostile server's MCP endpoint with a client-credentials login, localhost allowed. */
function hostileConfig(server: HostileServer, overrides: Partial<ServerConfigInput> = {}): ServerConfigInput {
  return {
    name: "hostile",
    url: `${server.origin}/mcp`,
    security: { allow_localhost: true },
    auth: CLIENT_CREDENTIALS,
    ...overrides,
  };
}

/** Connects through a loopback-only fetch spy: the refusal, once no request went past 127.0.0.1. */
async function refusedBehindSpy(
  config: ServerConfigInput,
  options: ConstructorParameters<typeof MCPClient>[1] = {},
): Promise<MCPConfigurationError> {
  const spy = loopbackOnlyFetch();
  const error = await refusal(client(config, { fetch: spy.fetch, ...options }).connect());
  expect(spy.hosts()).toEqual(["127.0.0.1"]);
  return error;
}

function unauthorized(resourceMetadata: string): Reply {
  return {
    status: 401,
    json: { error: "invalid_token" },
    headers: { "www-authenticate": `Bearer resource_metadata="${resourceMetadata}"` },
  };
}

/** Protected-resource metadata pointing at `authorizationServer`, and that server's metadata. */
function discovery(origin: string, resource: string, metadata: Record<string, unknown> = {}) {
  return {
    "POST /mcp": unauthorized(`${origin}/.well-known/oauth-protected-resource/mcp`),
    "GET /.well-known/oauth-protected-resource/mcp": {
      json: { resource, authorization_servers: [`${origin}/auth`] },
    },
    "GET /.well-known/oauth-authorization-server/auth": {
      json: {
        issuer: `${origin}/auth`,
        authorization_endpoint: `${origin}/auth/authorize`,
        token_endpoint: `${origin}/auth/token`,
        registration_endpoint: `${origin}/auth/register`,
        response_types_supported: ["code"],
        code_challenge_methods_supported: ["S256"],
        grant_types_supported: [
          "authorization_code",
          "client_credentials",
          "urn:ietf:params:oauth:grant-type:jwt-bearer",
        ],
        ...metadata,
      },
    },
  } satisfies Record<string, Reply>;
}

function rulesOf(error: MCPConfigurationError): Array<string | undefined> {
  return error.issues.map((issue) => issue.rule);
}

describe("OAuth discovery names a forbidden address (IP literals; fetch spy)", () => {
  it("a 401 whose resource_metadata is the cloud metadata service is refused before any request to it", async () => {
    const server = await hostile(() => ({ "POST /mcp": unauthorized(METADATA_URL) }));
    const error = await refusedBehindSpy(hostileConfig(server));
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: "WWW-Authenticate resource_metadata", rule: "url.metadataHost" }),
    );
    expect(error.message).toContain("protected-resource metadata");
    expect(error.message).toContain('host "169.254.169.254"');
    expect(error.serverName).toBe("hostile");
    expect(server.seen()).toEqual(["POST /mcp"]);
  });

  it("a 401 whose resource_metadata is a private address is refused (url.privateAddress)", async () => {
    const server = await hostile(() => ({
      "POST /mcp": unauthorized("https://10.0.0.1/.well-known/oauth-protected-resource"),
    }));
    const error = await refusedBehindSpy(hostileConfig(server));
    expect(rulesOf(error)).toContain("url.privateAddress");
  });

  it("an authorization server at the metadata address (authorization_servers) is refused", async () => {
    const server = await hostile((origin) => ({
      ...discovery(origin, `${origin}/mcp`),
      "GET /.well-known/oauth-protected-resource/mcp": {
        json: { resource: `${origin}/mcp`, authorization_servers: ["http://169.254.169.254/"] },
      },
    }));
    const error = await refusedBehindSpy(hostileConfig(server));
    expect(rulesOf(error)).toContain("url.metadataHost");
    expect(error.message).toContain("authorization-server metadata");
  });

  it("a token_endpoint at the metadata address is refused before the client secret is sent", async () => {
    const server = await hostile((origin) =>
      discovery(origin, `${origin}/mcp`, { token_endpoint: "https://169.254.169.254/token" }),
    );
    const error = await refusedBehindSpy(hostileConfig(server));
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: "token_endpoint", rule: "url.metadataHost" }),
    );
    expect(error.message).toContain("the token endpoint named by the authorization-server metadata");
  });

  it("a registration_endpoint at a private address is refused before the client registers", async () => {
    const server = await hostile((origin) =>
      discovery(origin, `${origin}/mcp`, { registration_endpoint: "https://10.0.0.1/register" }),
    );
    const error = await refusedBehindSpy(hostileConfig(server, { auth: {} }), {
      auth: { onAuthorizationUrl: () => Promise.reject(new Error("no login expected")) },
    });
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: "registration_endpoint", rule: "url.privateAddress" }),
    );
  });

  it("the cross-app-access IdP's token endpoint at the metadata address is refused", async () => {
    const server = await hostile((origin) => ({
      ...discovery(origin, `${origin}/mcp`),
      "GET /.well-known/oauth-authorization-server/idp": {
        json: {
          issuer: `${origin}/idp`,
          authorization_endpoint: `${origin}/idp/authorize`,
          token_endpoint: "https://169.254.169.254/idp/token",
          response_types_supported: ["code"],
        },
      },
    }));
    const error = await refusedBehindSpy(
      hostileConfig(server, {
        auth: {
          flow: "cross_app_access",
          client_id: "client-1",
          client_secret: "${CLIENT_SECRET}",
          idp: { issuer: `${server.origin}/idp`, client_id: "idp-client", id_token: "${ID_TOKEN}" },
        },
      }),
    );
    expect(rulesOf(error)).toContain("url.metadataHost");
    expect(server.seen()).toContain("GET /.well-known/oauth-authorization-server/idp");
  });
});

describe("redirects are checked hop by hop", () => {
  it("a redirect from the loopback metadata URL to the cloud metadata service is refused, not followed", async () => {
    const server = await hostile((origin) => ({
      ...discovery(origin, `${origin}/mcp`),
      "GET /.well-known/oauth-protected-resource/mcp": { status: 302, headers: { location: METADATA_URL } },
    }));
    const error = await refusedBehindSpy(hostileConfig(server));
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: "Location", rule: "url.metadataHost" }),
    );
    expect(error.message).toContain(`the target of a redirect from host "127.0.0.1"`);
  });

  it("a redirect of the MCP request itself to a private address is refused (no auth section)", async () => {
    const server = await hostile(() => ({
      "POST /mcp": { status: 307, headers: { location: "http://10.0.0.1/mcp" } },
    }));
    const error = await refusedBehindSpy({
      name: "hostile",
      url: `${server.origin}/mcp`,
      security: { allow_localhost: true },
    });
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: "Location", rule: "url.privateAddress" }),
    );
  });
});

describe("allow_localhost off: the server on 127.0.0.1 is reachable only as the allow-listed literal", () => {
  // The configured host passes by allowed_hostnames; every other name of this machine stays forbidden.
  const REMOTE = { allowed_hostnames: ["127.0.0.1"] };

  it.each(["localhost", "[::1]", "127.1.2.3"])(
    "a 401 naming %s is refused (url.localhost) before any request to it",
    async (host) => {
      const server = await hostile((origin) => ({
        "POST /mcp": unauthorized(
          `http://${host}:${new URL(origin).port}/.well-known/oauth-protected-resource`,
        ),
      }));
      const error = await refusedBehindSpy({
        name: "remote",
        url: `${server.origin}/mcp`,
        security: REMOTE,
        auth: CLIENT_CREDENTIALS,
      });
      expect(error.issues).toContainEqual(
        expect.objectContaining({ path: "WWW-Authenticate resource_metadata", rule: "url.localhost" }),
      );
      expect(server.seen()).toEqual(["POST /mcp"]);
    },
  );

  /**
   * A server whose 401 names `rebind.test`, a public-looking name that the injected resolver answers
   * with 127.0.0.1 (it rebinds to this machine); the client's refusal must be `url.dns`.
   */
  async function rebindRefusal(options: {
    fetch?: (input: string | URL, init?: RequestInit) => Promise<Response>;
  }) {
    const asked: string[] = [];
    const lookup = (host: string) => {
      asked.push(host);
      return Promise.resolve([{ address: "127.0.0.1", family: 4 }]);
    };
    const server = await hostile((origin) => ({
      "POST /mcp": unauthorized(
        `http://rebind.test:${new URL(origin).port}/.well-known/oauth-protected-resource`,
      ),
    }));
    const error = await refusal(
      client(
        {
          name: "remote",
          url: `${server.origin}/mcp`,
          security: { ...REMOTE, allow_insecure_http: true },
          auth: CLIENT_CREDENTIALS,
        },
        { ...options, lookup },
      ).connect(),
    );
    expect(error.issues).toEqual([expect.objectContaining({ path: "host", rule: "url.dns" })]);
    expect(error.message).toContain('Host "rebind.test" resolved to 127.0.0.1 (a loopback address)');
    expect(asked).toEqual(["rebind.test"]);
    expect(server.seen()).toEqual(["POST /mcp"]);
  }

  it("a host name the server names has its DNS answers checked when connecting, resolve_dns or not (url.dns)", async () => {
    // The transport's own pool connects (no fetch spy).
    await rebindRefusal({});
  });

  it("with a caller's own fetch (a proxy), a host name the server names is DNS-checked before it is sent (url.dns)", async () => {
    // The caller's fetch resolves rebind.test like DNS would (to 127.0.0.1); it never sees it.
    const agent = new Agent();
    agents.push(agent);
    const sent: string[] = [];
    const fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
      const url = new URL(String(input));
      sent.push(url.hostname);
      if (url.hostname === "rebind.test") url.hostname = "127.0.0.1";
      if (url.hostname !== "127.0.0.1") throw new TypeError(`test spy: no connection to ${url.host}`);
      return undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>;
    };
    await rebindRefusal({ fetch });
    expect(sent).toEqual(["127.0.0.1"]);
  });

  it("legacy SSE: the login before the stream opens goes through the policy (it used the global fetch)", async () => {
    const server = await hostile((origin) => ({
      "GET /.well-known/oauth-protected-resource/sse": {
        json: {
          resource: `${origin}/sse`,
          authorization_servers: [`${origin.replace("127.0.0.1", "localhost")}/auth`],
        },
      },
    }));
    const error = await refusal(
      client(
        { name: "legacy", type: "sse", url: `${server.origin}/sse`, security: REMOTE, auth: {} },
        { auth: { onAuthorizationUrl: () => Promise.reject(new Error("no login expected")) } },
      ).connect(),
    );
    expect(rulesOf(error)).toContain("url.localhost");
    expect(error.message).toContain("authorization-server metadata");
    expect(server.seen()).toEqual(["GET /.well-known/oauth-protected-resource/sse"]);
  });
});

describe("the legacy-SSE endpoint event", () => {
  it("an endpoint at the cloud metadata service is refused by its rule; nothing is posted", async () => {
    const server = await hostile(() => ({
      "GET /sse": { events: [{ event: "endpoint", data: "http://169.254.169.254/messages?session=1" }] },
    }));
    const error = await refusedBehindSpy({
      name: "legacy",
      type: "sse",
      url: `${server.origin}/sse`,
      security: { allow_localhost: true },
    });
    expect(error.issues).toContainEqual(
      expect.objectContaining({ path: "endpoint event", rule: "url.metadataHost" }),
    );
    expect(server.seen()).toEqual(["GET /sse"]);
  });

  it("an endpoint on another origin is refused (url.endpointOrigin) even where the address is allowed", async () => {
    const other = await hostile(() => ({ "POST /messages": { status: 202 } }));
    const server = await hostile(() => ({
      "GET /sse": { events: [{ event: "endpoint", data: `${other.origin}/messages` }] },
    }));
    const error = await refusal(
      client({
        name: "legacy",
        type: "sse",
        url: `${server.origin}/sse`,
        security: { allow_localhost: true },
      }).connect(),
    );
    expect(error.issues).toEqual([
      expect.objectContaining({ path: "endpoint event", rule: "url.endpointOrigin" }),
    ]);
    expect(error.message).toContain(other.origin);
    expect(other.seen()).toEqual([]);
  });
});

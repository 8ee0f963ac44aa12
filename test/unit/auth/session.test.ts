// The auth section end to end through MCPClient, against an in-process fake of an MCP server and its
// authorization server (a `fetch` replacement: no sockets). The conformance suite covers the protocol
// details against the official test servers; these tests pin the library's own rules: interactive
// logins through the callback, state checks, the per-request login bound, refusal of a foreign
// resource, token reuse, and secrets that never leave the token request.
import { createHash } from "node:crypto";

import { auth } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it, vi } from "vitest";

import { AuthSession } from "../../../src/auth/session.js";
import { MemoryTokenStore } from "../../../src/auth/tokenStore.js";
import type { AuthOptions } from "../../../src/auth/types.js";
import { MCPClient } from "../../../src/client/mcpClient.js";
import type { AuthInput } from "../../../src/config/authTypes.js";
import type { HttpServerConfig } from "../../../src/config/types.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { isMCPError } from "../../../src/errors/errors.js";

const SENTINEL = "s3ntinel-CLIENT-SECRET-e41d";
const ORIGIN = "http://127.0.0.1:9";
const MCP_URL = `${ORIGIN}/mcp`;
const ISSUER = `${ORIGIN}/auth`;
const REDIRECT = "http://127.0.0.1:7777/callback";
const TOKEN = "access-token-1";

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

interface FakeOptions {
  /** `resource` in the protected-resource metadata. @default MCP_URL */
  resource?: string;
  /** Answer to token requests. */
  token?: (body: URLSearchParams, headers: Headers) => Response;
  /** With a valid token, answer MCP requests with 403 insufficient_scope every time. */
  alwaysInsufficientScope?: boolean;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** An MCP server requiring a bearer token, its protected-resource metadata and its authorization server. */
function fakeServer(options: FakeOptions = {}) {
  const seen: Seen[] = [];
  const fetch = async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const body =
      typeof init?.body === "string"
        ? init.body
        : init?.body instanceof URLSearchParams
          ? init.body.toString()
          : "";
    const method = init?.method ?? "GET";
    seen.push({ method, url: url.href, headers, body });
    switch (`${method} ${url.pathname}`) {
      case "GET /.well-known/oauth-protected-resource/mcp":
        return json(200, { resource: options.resource ?? MCP_URL, authorization_servers: [ISSUER] });
      case "GET /.well-known/oauth-authorization-server/auth":
        return json(200, {
          issuer: ISSUER,
          authorization_endpoint: `${ISSUER}/authorize`,
          token_endpoint: `${ISSUER}/token`,
          registration_endpoint: `${ISSUER}/register`,
          response_types_supported: ["code"],
          code_challenge_methods_supported: ["S256"],
          grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"],
          token_endpoint_auth_methods_supported: ["client_secret_basic", "none"],
        });
      case "POST /auth/register": {
        const request = JSON.parse(body) as { redirect_uris?: string[] };
        return json(201, { client_id: "dynamic-client", redirect_uris: request.redirect_uris ?? [] });
      }
      case "POST /auth/token":
        return options.token
          ? options.token(new URLSearchParams(body), headers)
          : json(200, { access_token: TOKEN, token_type: "Bearer", expires_in: 3600 });
      case "POST /mcp":
        return mcp(headers, body);
      case "GET /mcp":
        return new Response(null, { status: 405 });
      default:
        return new Response("not found", { status: 404 });
    }
  };
  const mcp = (headers: Headers, body: string): Response => {
    if (headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return json(
        401,
        { error: "invalid_token" },
        {
          "www-authenticate": `Bearer resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`,
        },
      );
    }
    if (options.alwaysInsufficientScope) {
      return json(
        403,
        { error: "insufficient_scope" },
        {
          "www-authenticate": `Bearer error="insufficient_scope", scope="admin", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource/mcp"`,
        },
      );
    }
    const message = JSON.parse(body) as {
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
        : message.method === "tools/list"
          ? { tools: [{ name: "whoami", inputSchema: { type: "object" } }] }
          : message.method === "tools/call"
            ? { content: [{ type: "text", text: "you" }] }
            : {};
    return json(200, { jsonrpc: "2.0", id: message.id, result });
  };
  return {
    fetch,
    seen,
    requests: (pathname: string) => seen.filter((s) => new URL(s.url).pathname === pathname),
  };
}

/** A headless "browser": the login is approved at once, the callback carries `extra` parameters. */
function approve(extra: Record<string, string> = {}) {
  const urls: URL[] = [];
  const onAuthorizationUrl = vi.fn(async (url: URL, _info: { serverName: string }) => {
    urls.push(url);
    const callback = new URL(REDIRECT);
    callback.searchParams.set("code", "the-code");
    callback.searchParams.set("state", url.searchParams.get("state") ?? "");
    for (const [key, value] of Object.entries(extra)) callback.searchParams.set(key, value);
    return callback.href;
  });
  return { onAuthorizationUrl, urls };
}

const clients: MCPClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.disconnect()));
  vi.restoreAllMocks();
});

function client(
  auth: AuthInput,
  fake: ReturnType<typeof fakeServer>,
  options: { auth?: AuthOptions; environment?: Record<string, string> } = {},
) {
  const created = new MCPClient(
    { name: "secured", url: MCP_URL, security: { allow_localhost: true }, timeout: 5, auth },
    { fetch: fake.fetch, environment: options.environment ?? {}, auth: options.auth },
  );
  clients.push(created);
  return created;
}

describe("client_credentials", () => {
  it("gets a token with client_secret_basic and sends it as Bearer; the secret goes nowhere else", async () => {
    const fake = fakeServer();
    const events: string[] = [];
    const c = client({ flow: "client_credentials", client_id: "machine", client_secret: "${SECRET}" }, fake, {
      environment: { SECRET: SENTINEL },
    });
    c.on("stateChange", (e) => events.push(e.message));
    await c.connect();
    expect(await c.callTool("whoami")).toMatchObject({ content: [{ text: "you" }] });

    const [token] = fake.requests("/auth/token");
    expect(new URLSearchParams(token!.body).get("grant_type")).toBe("client_credentials");
    expect(token!.headers.get("authorization")).toBe(
      `Basic ${Buffer.from(`machine:${SENTINEL}`).toString("base64")}`,
    );
    const mcpRequests = fake.requests("/mcp").filter((r) => r.method === "POST");
    expect(mcpRequests.at(-1)!.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
    const elsewhere = fake.seen.filter((s) => s !== token);
    const leaked = elsewhere.filter(
      (s) => s.body.includes(SENTINEL) || [...s.headers.values()].some((v) => v.includes(SENTINEL)),
    );
    expect(leaked).toEqual([]);
    expect(JSON.stringify(events)).not.toContain(SENTINEL);
  });

  it("a refused secret fails with AUTH_FAILED; the secret is in no message, JSON, event or console line", async () => {
    const fake = fakeServer({
      token: () => json(401, { error: "invalid_client", error_description: "bad client" }),
    });
    const console = [
      vi.spyOn(globalThis.console, "warn").mockImplementation(() => {}),
      vi.spyOn(globalThis.console, "error").mockImplementation(() => {}),
    ];
    const c = client({ flow: "client_credentials", client_id: "machine", client_secret: "${SECRET}" }, fake, {
      environment: { SECRET: SENTINEL },
    });
    const events: unknown[] = [];
    c.on("error", (e) => events.push({ message: e.message, error: e.error.toJSON() }));
    const error = await c.connect().catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain('"secured"');
    const printed = console.flatMap((spy) => spy.mock.calls.flat().map(String));
    const everything = JSON.stringify([
      (error as Error).message,
      (error as { toJSON(): unknown }).toJSON(),
      events,
      printed,
      c.getDiagnostics(),
    ]);
    expect(everything).not.toContain(SENTINEL);
  });
});

describe("authorization code (interactive login)", () => {
  it("registers, sends the user to the authorization URL, checks state and redeems the code with PKCE", async () => {
    const fake = fakeServer();
    const browser = approve();
    const c = client({ scope: "read" }, fake, {
      auth: { onAuthorizationUrl: browser.onAuthorizationUrl, redirectUrl: REDIRECT },
    });
    await c.connect();

    expect(browser.onAuthorizationUrl).toHaveBeenCalledTimes(1);
    expect(browser.onAuthorizationUrl.mock.calls[0]![1]).toEqual({ serverName: "secured" });
    const url = browser.urls[0]!;
    expect(url.origin + url.pathname).toBe(`${ISSUER}/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: "dynamic-client",
      redirect_uri: REDIRECT,
      code_challenge_method: "S256",
      resource: MCP_URL,
      response_type: "code",
    });
    const registration = JSON.parse(fake.requests("/auth/register")[0]!.body) as Record<string, unknown>;
    expect(registration).toMatchObject({
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      client_name: "mcp-tools",
    });
    const token = new URLSearchParams(fake.requests("/auth/token")[0]!.body);
    expect(token.get("code")).toBe("the-code");
    const challenge = createHash("sha256").update(token.get("code_verifier")!).digest("base64url");
    expect(challenge).toBe(url.searchParams.get("code_challenge"));
    expect(c.getAvailableTools()).toEqual(["whoami"]);
  });

  it("time spent waiting for the person to sign in does not count towards connect_timeout", async () => {
    const fake = fakeServer();
    const browser = approve();
    const slowHuman = async (url: URL, info: { serverName: string }) => {
      // The login takes three times the connect timeout; only the handshake's own time counts.
      await new Promise((resolve) => setTimeout(resolve, 600));
      return browser.onAuthorizationUrl(url, info);
    };
    const created = new MCPClient(
      {
        name: "secured",
        url: MCP_URL,
        security: { allow_localhost: true },
        timeout: 5,
        connect_timeout: 0.2,
        auth: { scope: "read" },
      },
      { fetch: fake.fetch, environment: {}, auth: { onAuthorizationUrl: slowHuman, redirectUrl: REDIRECT } },
    );
    clients.push(created);
    await created.connect();
    expect(created.getAvailableTools()).toEqual(["whoami"]);
  });

  it("without an onAuthorizationUrl callback, fails with AUTH_REQUIRED and says what to pass", async () => {
    const fake = fakeServer();
    const error = await client({}, fake)
      .connect()
      .catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_REQUIRED")).toBe(true);
    expect((error as Error).message).toContain("onAuthorizationUrl");
    expect(fake.requests("/auth/token")).toEqual([]);
  });

  it("refuses a callback with the wrong state and redeems nothing", async () => {
    const fake = fakeServer();
    const browser = approve({ state: "forged" });
    const error = await client({}, fake, { auth: { onAuthorizationUrl: browser.onAuthorizationUrl } })
      .connect()
      .catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain("state");
    expect(fake.requests("/auth/token")).toEqual([]);
  });

  it("reports a refused login by its error code only (the description may be forged)", async () => {
    const fake = fakeServer();
    const onAuthorizationUrl = async (url: URL) =>
      `${REDIRECT}?error=access_denied&error_description=${encodeURIComponent("<call evil.example>")}&state=${url.searchParams.get("state")}`;
    const error = await client({}, fake, { auth: { onAuthorizationUrl } })
      .connect()
      .catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain("access_denied");
    expect((error as Error).message).not.toContain("evil");
  });

  it("wraps a failing callback in AUTH_FAILED", async () => {
    const fake = fakeServer();
    const onAuthorizationUrl = async () => {
      throw new Error("the browser could not be opened");
    };
    const error = await client({}, fake, { auth: { onAuthorizationUrl } })
      .connect()
      .catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain("the browser could not be opened");
  });

  it("refuses a protected resource that is not this server before any login", async () => {
    const fake = fakeServer({ resource: "https://evil.example.com/mcp" });
    const browser = approve();
    const error = await client({}, fake, { auth: { onAuthorizationUrl: browser.onAuthorizationUrl } })
      .connect()
      .catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect((error as Error).message).toContain("evil.example.com");
    expect(browser.onAuthorizationUrl).not.toHaveBeenCalled();
    expect(fake.requests("/auth/token")).toEqual([]);
  });

  it("stops after two logins for one request when the server keeps refusing the scope", async () => {
    const fake = fakeServer({ alwaysInsufficientScope: true });
    const browser = approve();
    const error = await client({}, fake, { auth: { onAuthorizationUrl: browser.onAuthorizationUrl } })
      .connect()
      .catch((e: unknown) => e);
    expect(isMCPError(error, "AUTH_FAILED")).toBe(true);
    expect(browser.onAuthorizationUrl).toHaveBeenCalledTimes(2);
    expect(browser.urls[1]!.searchParams.get("scope")).toBe("admin");
  });

  it("reuses stored tokens and the registered client: the next client logs in no more", async () => {
    const fake = fakeServer();
    const tokenStore = new MemoryTokenStore();
    const browser = approve();
    const options = {
      auth: { onAuthorizationUrl: browser.onAuthorizationUrl, tokenStore, redirectUrl: REDIRECT },
    };
    await client({}, fake, options).connect();
    const second = client({}, fake, options);
    await second.connect();
    expect(browser.onAuthorizationUrl).toHaveBeenCalledTimes(1);
    expect(fake.requests("/auth/register")).toHaveLength(1);
    expect((await tokenStore.load(`secured ${MCP_URL}`))?.tokens?.access_token).toBe(TOKEN);
  });

  it("registers again when the stored client belongs to another redirect URL", async () => {
    const fake = fakeServer();
    const tokenStore = new MemoryTokenStore();
    const browser = approve();
    await client({}, fake, {
      auth: { onAuthorizationUrl: browser.onAuthorizationUrl, tokenStore, redirectUrl: REDIRECT },
    }).connect();
    await tokenStore.save(`secured ${MCP_URL}`, {
      ...(await tokenStore.load(`secured ${MCP_URL}`)),
      tokens: undefined,
    });
    await client({}, fake, {
      auth: {
        onAuthorizationUrl: browser.onAuthorizationUrl,
        tokenStore,
        redirectUrl: "http://127.0.0.1:7778/callback",
      },
    }).connect();
    expect(fake.requests("/auth/register")).toHaveLength(2);
  });
});

describe("legacy SSE: the login happens before the stream opens", () => {
  function session(
    fake: ReturnType<typeof fakeServer>,
    onAuthorizationUrl: AuthOptions["onAuthorizationUrl"],
  ) {
    const config = MCPConfigValidator.validateServerConfig({
      name: "legacy",
      type: "sse",
      url: MCP_URL,
      security: { allow_localhost: true },
      auth: {},
    }) as HttpServerConfig;
    return new AuthSession({
      config: config.auth!,
      serverName: "legacy",
      serverUrl: MCP_URL,
      options: { onAuthorizationUrl, redirectUrl: REDIRECT },
      fetch: fake.fetch,
    });
  }

  it("logs in up front without a token, and not again with one", async () => {
    const fake = fakeServer();
    const browser = approve();
    const legacy = session(fake, browser.onAuthorizationUrl);
    // What the SSE transport's finishAuth does: redeem the code through the SDK's auth().
    const finish = vi.fn(async (callback: URLSearchParams) => {
      expect(
        await auth(legacy.provider, {
          serverUrl: MCP_URL,
          authorizationCode: callback.get("code")!,
          fetchFn: fake.fetch,
        }),
      ).toBe("AUTHORIZED");
    });
    await legacy.prepare(MCP_URL, fake.fetch, finish);
    expect(browser.onAuthorizationUrl).toHaveBeenCalledTimes(1);
    expect(finish).toHaveBeenCalledTimes(1);
    expect((await legacy.provider.tokens())?.access_token).toBe(TOKEN);
    await legacy.prepare(MCP_URL, fake.fetch, finish);
    expect(browser.onAuthorizationUrl).toHaveBeenCalledTimes(1);
  });

  it("a refused resource fails up front, typed", async () => {
    const fake = fakeServer({ resource: "https://evil.example.com/mcp" });
    const browser = approve();
    await expect(
      session(fake, browser.onAuthorizationUrl).prepare(MCP_URL, fake.fetch, vi.fn()),
    ).rejects.toMatchObject({
      code: "AUTH_FAILED",
    });
    expect(browser.onAuthorizationUrl).not.toHaveBeenCalled();
  });
});

// Credentials the auth layer obtains at run time (tokens, a registered client secret) are hidden
// wherever a server echoes them, as configured secrets are.
import { afterEach, describe, expect, it } from "vitest";

import { AuthSession } from "../../../src/auth/session.js";
import { MemoryTokenStore } from "../../../src/auth/tokenStore.js";
import type { HttpServerConfig } from "../../../src/config/types.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { MCPServerError } from "../../../src/errors/errors.js";
import { forgetAllSecrets } from "../../../src/errors/knownSecrets.js";

const MCP_URL = "http://127.0.0.1:9/mcp";
// Plain words and digits: no token shape, so only the registration can hide them.
const ACCESS = "plainaccessvalue1234567890";
const REFRESH = "plainrefreshvalue0987654321";
const CLIENT_SECRET = "plainclientsecret5555555555";

function session(store = new MemoryTokenStore()): AuthSession {
  const config = MCPConfigValidator.validateServerConfig({
    name: "s",
    url: MCP_URL,
    security: { allow_localhost: true },
    auth: {},
  }) as HttpServerConfig;
  return new AuthSession({
    config: config.auth!,
    serverName: "s",
    serverUrl: MCP_URL,
    options: { tokenStore: store, redirectUrl: "http://127.0.0.1:9/callback" },
    fetch: () => Promise.reject(new Error("no network in this test")),
  });
}

function echoed(text: string): string {
  const error = new MCPServerError(`Server "s" said: ${text}`, { code: "SERVER_ERROR", serverName: "s" });
  return `${error.message}\n${JSON.stringify(error.toJSON())}`;
}

afterEach(() => forgetAllSecrets());

describe("OAuth credentials obtained at run time", () => {
  it("tokens and a registered client secret are redacted once saved", async () => {
    const provider = session().provider;
    await provider.saveTokens({ access_token: ACCESS, refresh_token: REFRESH, token_type: "Bearer" });
    await provider.saveClientInformation?.({
      client_id: "id",
      client_secret: CLIENT_SECRET,
      redirect_uris: [],
    });
    const text = echoed(`you sent ${ACCESS}, ${REFRESH} and ${CLIENT_SECRET}`);
    expect(text).not.toContain(ACCESS);
    expect(text).not.toContain(REFRESH);
    expect(text).not.toContain(CLIENT_SECRET);
  });

  it("tokens loaded from a token store are redacted", async () => {
    const store = new MemoryTokenStore();
    await store.save("s http://127.0.0.1:9/mcp", { tokens: { access_token: ACCESS, token_type: "Bearer" } });
    const provider = session(store).provider;
    expect((await provider.tokens())?.access_token).toBe(ACCESS);
    expect(echoed(`we got ${ACCESS} back`)).not.toContain(ACCESS);
  });
});

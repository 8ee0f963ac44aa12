import { generateKeyPairSync } from "node:crypto";

import { describe, expect, it } from "vitest";

import { prepareConnection } from "../../../src/client/prepare.js";
import { checkServerConfig } from "../../../src/config/serverConfig.js";
import type { HttpServerConfig } from "../../../src/config/types.js";
import { MCPConfigValidator } from "../../../src/config/validator.js";
import { isMCPError, MCPConfigurationError } from "../../../src/errors/errors.js";
import { redact } from "../../../src/errors/redact.js";

/** Never allowed to show up in any message, issue, warning, JSON or redacted dump. */
const SENTINEL = "s3ntinel-SECRET-7f3a9c";
const http = { name: "web", type: "streamable-http", url: "https://mcp.example.com/mcp" };

function check(auth: unknown, extra: Record<string, unknown> = {}) {
  return checkServerConfig({ ...http, ...extra, auth });
}

function authOf(auth: unknown) {
  const { config, issues } = check(auth);
  expect(issues).toEqual([]);
  return (config as HttpServerConfig).auth!;
}

function pathsOf(issues: ReadonlyArray<{ path: string }>) {
  return issues.map((i) => i.path);
}

describe("auth config: defaults and key spellings", () => {
  it("an empty section means an authorization-code login with every default", () => {
    expect(authOf({})).toEqual({
      flow: "authorization_code",
      clientId: undefined,
      clientSecret: undefined,
      clientName: "mcp-tools",
      clientMetadataUrl: undefined,
      redirectUrl: undefined,
      scope: undefined,
      tokenEndpointAuthMethod: undefined,
      privateKey: undefined,
      signingAlgorithm: undefined,
      expectedIssuer: undefined,
      skipIssuerCheck: false,
      offlineAccess: true,
      tokenStore: "memory",
      tokenFile: undefined,
      idp: undefined,
    });
  });

  it("HTTP configs without auth have none", () => {
    expect((checkServerConfig(http).config as HttpServerConfig).auth).toBeUndefined();
  });

  it("accepts snake_case and camelCase alike", () => {
    const snake = authOf({
      flow: "client_credentials",
      client_id: "c",
      client_secret: "${SECRET}",
      token_endpoint_auth_method: "client_secret_post",
      expected_issuer: "https://auth.example.com",
      skip_issuer_check: true,
      offline_access: false,
    });
    const camel = authOf({
      flow: "client_credentials",
      clientId: "c",
      clientSecret: "${SECRET}",
      tokenEndpointAuthMethod: "client_secret_post",
      expectedIssuer: "https://auth.example.com",
      skipIssuerCheck: true,
      offlineAccess: false,
    });
    expect(snake).toEqual(camel);
    expect(snake).toMatchObject({
      flow: "client_credentials",
      tokenEndpointAuthMethod: "client_secret_post",
    });
  });

  it("normalises scope lists and strings to one space-separated string without duplicates", () => {
    expect(authOf({ scope: ["read", "write", "read"] }).scope).toBe("read write");
    expect(authOf({ scope: "  read   write " }).scope).toBe("read write");
    expect(authOf({ scope: "" }).scope).toBeUndefined();
  });

  it("infers private_key_jwt from a private key, cross_app_access from an idp, the file store from a file", () => {
    expect(
      authOf({ flow: "client_credentials", client_id: "c", private_key: "${KEY}" }).tokenEndpointAuthMethod,
    ).toBe("private_key_jwt");
    expect(
      authOf({
        client_id: "c",
        client_secret: "${S}",
        idp: { issuer: "https://idp.example.com", client_id: "i", id_token: "${T}" },
      }).flow,
    ).toBe("cross_app_access");
    expect(authOf({ token_file: "/tmp/t.json" })).toMatchObject({
      tokenStore: "file",
      tokenFile: "/tmp/t.json",
    });
    expect(authOf({ token_store: "file" }).tokenFile).toBe("~/.mcp-tools/tokens.json");
  });

  it("warns about unknown keys with a typo suggestion", () => {
    const { warnings } = check({ client_secert: "${S}", client_id: "c" });
    expect(warnings).toContainEqual(
      expect.objectContaining({
        path: "auth.client_secert",
        rule: "config.unknownKey",
        message: expect.stringContaining('"client_secret"'),
      }),
    );
  });
});

describe("auth config: refusals", () => {
  it("auth on a stdio server is an error", () => {
    const { issues } = checkServerConfig({ name: "s", command: "node", args: ["x.js"], auth: {} });
    expect(issues).toContainEqual(
      expect.objectContaining({ path: "auth", rule: "config.transportMismatch" }),
    );
  });

  it.each([
    ["a value that is not a map", "nope", ["auth"]],
    ["an unknown flow", { flow: "password" }, ["auth.flow"]],
    [
      "an unknown token endpoint auth method",
      { token_endpoint_auth_method: "tls" },
      ["auth.token_endpoint_auth_method"],
    ],
    ["a symmetric signing algorithm", { signing_algorithm: "HS256" }, ["auth.signing_algorithm"]],
    ["a secret without a client id", { client_secret: "${S}" }, ["auth.client_id"]],
    [
      "private_key_jwt without a key",
      { client_id: "c", token_endpoint_auth_method: "private_key_jwt" },
      ["auth.private_key"],
    ],
    [
      "a key with another method",
      {
        client_id: "c",
        client_secret: "${S}",
        private_key: "${K}",
        token_endpoint_auth_method: "client_secret_basic",
      },
      ["auth.private_key"],
    ],
    [
      "client_secret_basic without a secret",
      { client_id: "c", token_endpoint_auth_method: "client_secret_basic" },
      ["auth.client_secret"],
    ],
    [
      "a secret that method none never sends",
      { client_id: "c", client_secret: "${S}", token_endpoint_auth_method: "none" },
      ["auth.client_secret"],
    ],
    [
      "client credentials without a client id",
      { flow: "client_credentials", client_secret: "x" },
      ["auth.client_id", "auth.client_id"],
    ],
    [
      "client credentials without a secret or key",
      { flow: "client_credentials", client_id: "c" },
      ["auth.client_secret"],
    ],
    [
      "cross-app access without an idp",
      { flow: "cross_app_access", client_id: "c", client_secret: "${S}" },
      ["auth.idp"],
    ],
    [
      "an idp without id token and endpoint",
      { flow: "cross_app_access", client_id: "c", client_secret: "${S}", idp: { client_id: "i" } },
      ["auth.idp.id_token", "auth.idp"],
    ],
    [
      "a client metadata URL without https",
      { client_metadata_url: "http://client.example.com/meta.json" },
      ["auth.client_metadata_url"],
    ],
    [
      "a client metadata URL without a path",
      { client_metadata_url: "https://client.example.com" },
      ["auth.client_metadata_url"],
    ],
    ["a redirect URL that is not a URL", { redirect_url: "callback" }, ["auth.redirect_url"]],
    [
      "an expected issuer that is not http(s)",
      { expected_issuer: "ftp://auth.example.com" },
      ["auth.expected_issuer"],
    ],
  ])("refuses %s", (_label, auth, paths) => {
    const { issues, config } = check(auth);
    expect(config).toBeUndefined();
    expect(pathsOf(issues).sort()).toEqual([...paths].sort());
  });

  it("reports every problem at once through MCPConfigValidator", () => {
    expect(() =>
      MCPConfigValidator.validateServerConfig({
        ...http,
        auth: { flow: "client_credentials", client_metadata_url: "x" },
      }),
    ).toThrow(MCPConfigurationError);
    try {
      MCPConfigValidator.validateServerConfig({ ...http, auth: { flow: "client_credentials" } });
    } catch (error) {
      expect((error as MCPConfigurationError).issues.map((i) => i.path).sort()).toEqual([
        "auth.client_id",
        "auth.client_secret",
      ]);
    }
  });

  it("ignores (with a warning) keys that do not apply to the flow", () => {
    const { warnings } = check({
      flow: "client_credentials",
      client_id: "c",
      client_secret: "${S}",
      redirect_url: "http://127.0.0.1:1/cb",
      idp: { issuer: "https://idp.example.com", client_id: "i", id_token: "${T}" },
      token_store: "memory",
      token_file: "/tmp/x.json",
    });
    expect(pathsOf(warnings).sort()).toEqual(["auth.idp", "auth.redirect_url", "auth.token_file"]);
  });
});

describe("auth config: secrets", () => {
  const literal = {
    client_id: "c",
    client_secret: SENTINEL,
    flow: "cross_app_access",
    idp: { issuer: "https://idp.example.com", client_id: "i", id_token: SENTINEL, client_secret: SENTINEL },
  };

  it("warns about secrets written into the config, naming the key only", () => {
    const { warnings } = check(literal);
    const secretWarnings = warnings.filter((w) => w.rule === "auth.literalSecret");
    expect(pathsOf(secretWarnings).sort()).toEqual([
      "auth.client_secret",
      "auth.idp.client_secret",
      "auth.idp.id_token",
    ]);
    expect(JSON.stringify(warnings)).not.toContain(SENTINEL);
  });

  it("does not warn about ${VAR} references", () => {
    const { warnings } = check({ client_id: "c", client_secret: "${MY_SECRET}" });
    expect(warnings.filter((w) => w.rule === "auth.literalSecret")).toEqual([]);
  });

  it("never puts a secret into a configuration error, its JSON, or a redacted dump of the config", () => {
    let error: unknown;
    try {
      MCPConfigValidator.validateServerConfig({
        ...http,
        headers: { Authorization: `Bearer ${SENTINEL}` },
        auth: { ...literal, flow: "bogus", private_key: SENTINEL, scope: 42 },
      });
    } catch (caught) {
      error = caught;
    }
    expect(isMCPError(error, "CONFIG_INVALID")).toBe(true);
    const configError = error as MCPConfigurationError;
    for (const text of [
      configError.message,
      JSON.stringify(configError.toJSON()),
      JSON.stringify(configError.warnings),
    ]) {
      expect(text).not.toContain(SENTINEL);
    }
    const valid = MCPConfigValidator.validateServerConfig({ ...http, auth: literal });
    expect(JSON.stringify(redact(valid))).not.toContain(SENTINEL);
  });
});

describe("auth config: ${VAR} expansion when connecting", () => {
  const { privateKey: rsaKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rsaPem = rsaKey.export({ type: "pkcs1", format: "pem" }).toString();
  const { privateKey: ecKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const ecPem = ecKey.export({ type: "pkcs8", format: "pem" }).toString();

  async function prepare(auth: unknown, environment: Record<string, string>) {
    const config = MCPConfigValidator.validateServerConfig({ ...http, auth }) as HttpServerConfig;
    const prepared = await prepareConnection(config, environment);
    if (prepared.kind !== "http") throw new Error("expected http");
    return prepared.auth!;
  }

  async function refusal(auth: unknown, environment: Record<string, string>) {
    const config = MCPConfigValidator.validateServerConfig({ ...http, auth }) as HttpServerConfig;
    return prepareConnection(config, environment).then(
      () => {
        throw new Error("expected a refusal");
      },
      (error: MCPConfigurationError) => error,
    );
  }

  it("expands every string of the section, the idp's included", async () => {
    const auth = await prepare(
      {
        client_id: "${CLIENT}",
        client_secret: "${SECRET}",
        flow: "cross_app_access",
        scope: "${SCOPES}",
        idp: { token_endpoint: "${IDP}/token", client_id: "idp-client", id_token: "${ID_TOKEN}" },
      },
      { CLIENT: "c1", SECRET: SENTINEL, SCOPES: "a b", IDP: "https://idp.example.com", ID_TOKEN: "tok" },
    );
    expect(auth).toMatchObject({
      clientId: "c1",
      clientSecret: SENTINEL,
      scope: "a b",
      idp: { tokenEndpoint: "https://idp.example.com/token", clientId: "idp-client", idToken: "tok" },
    });
  });

  it("names unset variables and their keys, never values", async () => {
    const error = await refusal(
      {
        client_id: "c",
        client_secret: "${MISSING_SECRET}",
        flow: "cross_app_access",
        idp: { issuer: "https://i.example", client_id: "i", id_token: "${MISSING_TOKEN}" },
      },
      { OTHER: SENTINEL },
    );
    expect(error.code).toBe("ENV_VAR_MISSING");
    expect(error.issues.map((i) => i.path).sort()).toEqual(["auth.client_secret", "auth.idp.id_token"]);
    expect(error.message).toContain("MISSING_SECRET");
    expect(error.message).not.toContain(SENTINEL);
  });

  it("checks values that came from variables: URLs and the private key", async () => {
    const badUrl = await refusal(
      { client_metadata_url: "${META}" },
      { META: "http://plain.example.com/m.json" },
    );
    expect(badUrl.issues.map((i) => i.path)).toEqual(["auth.client_metadata_url"]);
    const badKey = await refusal(
      { flow: "client_credentials", client_id: "c", private_key: "${KEY}" },
      { KEY: SENTINEL },
    );
    expect(badKey.issues).toEqual([
      expect.objectContaining({ path: "auth.private_key", rule: "auth.privateKey" }),
    ]);
    expect(JSON.stringify(badKey.toJSON())).not.toContain(SENTINEL);
  });

  it("accepts PKCS#1 and PKCS#8 keys and refuses an algorithm that does not fit the key", async () => {
    await expect(
      prepare({ flow: "client_credentials", client_id: "c", private_key: "${KEY}" }, { KEY: rsaPem }),
    ).resolves.toMatchObject({ tokenEndpointAuthMethod: "private_key_jwt" });
    await expect(
      prepare(
        { flow: "client_credentials", client_id: "c", private_key: "${KEY}", signing_algorithm: "ES256" },
        { KEY: ecPem },
      ),
    ).resolves.toMatchObject({ signingAlgorithm: "ES256" });
    const mismatch = await refusal(
      { flow: "client_credentials", client_id: "c", private_key: "${KEY}", signing_algorithm: "ES256" },
      { KEY: rsaPem },
    );
    expect(mismatch.issues).toEqual([expect.objectContaining({ path: "auth.signing_algorithm" })]);
  });

  it("expands ~ in the token file", async () => {
    const auth = await prepare({ token_file: "~/tokens/${NAME}.json" }, { NAME: "web" });
    expect(auth.tokenFile).toMatch(/\/tokens\/web\.json$/);
    expect(auth.tokenFile!.startsWith("~")).toBe(false);
  });
});

import { createPrivateKey } from "node:crypto";
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

import { isHttpsUrl } from "@modelcontextprotocol/client";
import { z } from "zod";

import type { ConfigIssue } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import type {
  AuthConfig,
  AuthFlow,
  IdpConfig,
  TokenEndpointAuthMethod,
  TokenStoreKind,
} from "./authTypes.js";
import { DEFAULT_AUTH_CLIENT_NAME, DEFAULT_AUTH_TOKEN_FILE } from "./defaults.js";
import { type Environment, expandAll, hasReference } from "./expandVariables.js";

export const AUTH_FLOWS: readonly AuthFlow[] = [
  "authorization_code",
  "client_credentials",
  "cross_app_access",
];
export const TOKEN_ENDPOINT_AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  "client_secret_basic",
  "client_secret_post",
  "private_key_jwt",
  "none",
];
/** JWS algorithms accepted for `private_key_jwt` assertions (asymmetric only). */
export const SIGNING_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
] as const;

/**
 * An enum whose input type is any string: `ServerConfigInput` describes what users write, and a
 * misspelled level is reported by validation (with the allowed values), not refused by the compiler
 * of a caller that builds configs from strings.
 */
export function spelledEnum<T extends string>(schema: z.ZodType<T>): z.ZodType<T, T | (string & {})> {
  return schema as unknown as z.ZodType<T, T | (string & {})>;
}

const text = (key: string) =>
  z.string({ error: `${key} must be a string` }).min(1, { error: `${key} must not be empty` });

const idpShape = z
  .object(
    {
      issuer: text("auth.idp.issuer").optional(),
      tokenEndpoint: text("auth.idp.token_endpoint").optional(),
      clientId: text("auth.idp.client_id").optional(),
      clientSecret: text("auth.idp.client_secret").optional(),
      idToken: text("auth.idp.id_token").optional(),
    },
    { error: "auth.idp must be a map of settings (issuer, client_id, id_token, …)" },
  )
  .loose();

/** Structural schema of the normalised (camelCase) `auth` section; `buildAuthConfig` checks the rest. */
export const authShape = z
  .object(
    {
      flow: spelledEnum(
        z.enum(AUTH_FLOWS as [AuthFlow, ...AuthFlow[]], {
          error: `auth.flow must be one of ${AUTH_FLOWS.map((f) => `"${f}"`).join(", ")}`,
        }),
      ).optional(),
      clientId: text("auth.client_id").optional(),
      clientSecret: text("auth.client_secret").optional(),
      clientName: text("auth.client_name").optional(),
      clientMetadataUrl: text("auth.client_metadata_url").optional(),
      redirectUrl: text("auth.redirect_url").optional(),
      scope: z
        .union([z.string(), z.array(z.string({ error: "auth.scope entries must be strings" }))], {
          error: "auth.scope must be a string of space-separated scopes or a list of scopes",
        })
        .optional(),
      tokenEndpointAuthMethod: spelledEnum(
        z.enum(TOKEN_ENDPOINT_AUTH_METHODS as [TokenEndpointAuthMethod, ...TokenEndpointAuthMethod[]], {
          error: `auth.token_endpoint_auth_method must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(", ")}`,
        }),
      ).optional(),
      privateKey: text("auth.private_key").optional(),
      signingAlgorithm: spelledEnum(
        z.enum(SIGNING_ALGORITHMS, {
          error: `auth.signing_algorithm must be one of ${SIGNING_ALGORITHMS.join(", ")}`,
        }),
      ).optional(),
      expectedIssuer: text("auth.expected_issuer").optional(),
      skipIssuerCheck: z.boolean({ error: "auth.skip_issuer_check must be true or false" }).optional(),
      offlineAccess: z.boolean({ error: "auth.offline_access must be true or false" }).optional(),
      tokenStore: spelledEnum(
        z.enum(["memory", "file"], { error: 'auth.token_store must be "memory" or "file"' }),
      ).optional(),
      tokenFile: text("auth.token_file").optional(),
      idp: idpShape.optional(),
    },
    { error: "auth must be a map of settings (flow, client_id, …)" },
  )
  .loose();

export type AuthShape = z.infer<typeof authShape>;

function checkUrl(
  value: string | undefined,
  path: string,
  issues: ConfigIssue[],
  rule: (url: URL) => string | undefined,
): void {
  if (value === undefined || hasReference(value)) return;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    issues.push(issue(path, "auth.url", `${path} is not a valid URL`));
    return;
  }
  const problem = rule(url);
  if (problem) issues.push(issue(path, "auth.url", problem));
}

const httpOnly = (path: string) => (url: URL) =>
  url.protocol === "https:" || url.protocol === "http:" ? undefined : `${path} must be an http(s) URL`;

function normaliseScope(scope: string | string[] | undefined): string | undefined {
  if (scope === undefined) return undefined;
  const parts = (Array.isArray(scope) ? scope : scope.split(/\s+/)).map((s) => s.trim()).filter(Boolean);
  return parts.length > 0 ? [...new Set(parts)].join(" ") : undefined;
}

/**
 * Applies the cross-field rules and defaults to a structurally valid `auth` section. Problems go to
 * `issues`, findings that do not block to `warnings`; messages name keys, never values.
 */
export function buildAuthConfig(
  input: AuthShape,
  issues: ConfigIssue[],
  warnings: ConfigIssue[],
): AuthConfig | undefined {
  const before = issues.length;
  const need = (path: string, message: string) => issues.push(issue(path, "auth.required", message));
  const conflict = (path: string, message: string) => issues.push(issue(path, "auth.conflict", message));
  const ignored = (path: string, flow: AuthFlow) =>
    warnings.push(issue(path, "config.ignoredKey", `${path} is only used by flow ${flow}; ignored`));
  const flow: AuthFlow = input.flow ?? (input.idp ? "cross_app_access" : "authorization_code");
  let method = input.tokenEndpointAuthMethod;
  if (input.privateKey !== undefined && method === undefined) method = "private_key_jwt";
  const hasSecret = input.clientSecret !== undefined;

  if (hasSecret && input.clientId === undefined) {
    need("auth.client_id", "auth.client_secret is given but auth.client_id is missing");
  }
  if (method === "private_key_jwt" && input.privateKey === undefined) {
    need("auth.private_key", "token_endpoint_auth_method private_key_jwt needs auth.private_key (a PEM key)");
  }
  if (input.privateKey !== undefined && method !== "private_key_jwt") {
    conflict(
      "auth.private_key",
      "auth.private_key is only used with token_endpoint_auth_method: private_key_jwt",
    );
  }
  if ((method === "client_secret_basic" || method === "client_secret_post") && !hasSecret) {
    need("auth.client_secret", `token_endpoint_auth_method ${method} needs auth.client_secret`);
  }
  if (method === "none" && hasSecret) {
    conflict(
      "auth.client_secret",
      "auth.client_secret is never sent with token_endpoint_auth_method: none; remove one of them",
    );
  }

  if (flow !== "authorization_code") {
    if (input.clientId === undefined)
      need("auth.client_id", `flow ${flow} needs a pre-registered auth.client_id`);
    if (method === "none") {
      conflict(
        "auth.token_endpoint_auth_method",
        `flow ${flow} needs a confidential client; "none" is not possible`,
      );
    }
    if (input.clientMetadataUrl !== undefined) ignored("auth.client_metadata_url", "authorization_code");
    if (input.redirectUrl !== undefined) ignored("auth.redirect_url", "authorization_code");
  }
  if (flow === "client_credentials" && !hasSecret && input.privateKey === undefined) {
    need("auth.client_secret", "flow client_credentials needs auth.client_secret or auth.private_key");
  }
  let idp: IdpConfig | undefined;
  if (flow === "cross_app_access") {
    if (!hasSecret && input.privateKey === undefined) {
      need("auth.client_secret", "flow cross_app_access needs auth.client_secret");
    }
    idp = buildIdp(input.idp, issues);
  } else if (input.idp !== undefined) {
    ignored("auth.idp", "cross_app_access");
  }

  checkUrl(input.clientMetadataUrl, "auth.client_metadata_url", issues, (url) =>
    isHttpsUrl(url.href)
      ? undefined
      : "auth.client_metadata_url must be an https URL with a path (the client-ID metadata document)",
  );
  checkUrl(input.redirectUrl, "auth.redirect_url", issues, () => undefined);
  checkUrl(input.expectedIssuer, "auth.expected_issuer", issues, httpOnly("auth.expected_issuer"));

  const secrets: Array<[string, string | undefined]> = [
    ["auth.client_secret", input.clientSecret],
    ["auth.private_key", input.privateKey],
    ["auth.idp.client_secret", input.idp?.clientSecret],
    ["auth.idp.id_token", input.idp?.idToken],
  ];
  for (const [path, value] of secrets) {
    if (value !== undefined && !hasReference(value)) {
      warnings.push(
        issue(
          path,
          "auth.literalSecret",
          `${path} is written into the config; prefer \${VAR} so the secret stays out of files`,
        ),
      );
    }
  }

  const tokenStore: TokenStoreKind = input.tokenStore ?? (input.tokenFile !== undefined ? "file" : "memory");
  if (tokenStore === "memory" && input.tokenFile !== undefined) {
    warnings.push(
      issue(
        "auth.token_file",
        "config.ignoredKey",
        'auth.token_file is only used with token_store: "file"; ignored',
      ),
    );
  }
  if (issues.length > before) return undefined;
  return {
    flow,
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    clientName: input.clientName ?? DEFAULT_AUTH_CLIENT_NAME,
    clientMetadataUrl: input.clientMetadataUrl,
    redirectUrl: input.redirectUrl,
    scope: normaliseScope(input.scope),
    tokenEndpointAuthMethod: method,
    privateKey: input.privateKey,
    signingAlgorithm: input.signingAlgorithm,
    expectedIssuer: input.expectedIssuer,
    skipIssuerCheck: input.skipIssuerCheck ?? false,
    offlineAccess: input.offlineAccess ?? true,
    tokenStore,
    tokenFile: tokenStore === "file" ? (input.tokenFile ?? DEFAULT_AUTH_TOKEN_FILE) : undefined,
    idp,
  };
}

function buildIdp(input: AuthShape["idp"], issues: ConfigIssue[]): IdpConfig | undefined {
  if (input === undefined) {
    issues.push(
      issue(
        "auth.idp",
        "auth.required",
        "flow cross_app_access needs auth.idp (issuer or token_endpoint, client_id, id_token)",
      ),
    );
    return undefined;
  }
  const before = issues.length;
  if (input.clientId === undefined) {
    issues.push(issue("auth.idp.client_id", "auth.required", "auth.idp.client_id is required"));
  }
  if (input.idToken === undefined) {
    issues.push(
      issue("auth.idp.id_token", "auth.required", "auth.idp.id_token is required (usually ${VAR})"),
    );
  }
  if (input.issuer === undefined && input.tokenEndpoint === undefined) {
    issues.push(issue("auth.idp", "auth.required", "auth.idp needs issuer or token_endpoint"));
  }
  checkUrl(input.issuer, "auth.idp.issuer", issues, httpOnly("auth.idp.issuer"));
  checkUrl(input.tokenEndpoint, "auth.idp.token_endpoint", issues, httpOnly("auth.idp.token_endpoint"));
  if (issues.length > before) return undefined;
  return {
    issuer: input.issuer,
    tokenEndpoint: input.tokenEndpoint,
    clientId: input.clientId!,
    clientSecret: input.clientSecret,
    idToken: input.idToken!,
  };
}

/**
 * Expands `${VAR}` references in every string of the `auth` section (at connect time, like headers)
 * and checks what could not be checked before: URLs and the private key that came from variables.
 * Missing variables and bad values become issues that name the key, never the value.
 */
export function resolveAuthConfig(
  auth: AuthConfig,
  environment: Environment,
  issues: ConfigIssue[],
): AuthConfig {
  const before = issues.length;
  const strings = definedStrings({
    client_id: auth.clientId,
    client_secret: auth.clientSecret,
    client_name: auth.clientName,
    client_metadata_url: auth.clientMetadataUrl,
    redirect_url: auth.redirectUrl,
    scope: auth.scope,
    private_key: auth.privateKey,
    expected_issuer: auth.expectedIssuer,
    token_file: auth.tokenFile,
  });
  const expanded = expandAll(strings, "auth", issues, environment);
  let idp: IdpConfig | undefined;
  if (auth.idp) {
    const idpStrings = expandAll(
      definedStrings({
        issuer: auth.idp.issuer,
        token_endpoint: auth.idp.tokenEndpoint,
        client_id: auth.idp.clientId,
        client_secret: auth.idp.clientSecret,
        id_token: auth.idp.idToken,
      }),
      "auth.idp",
      issues,
      environment,
    );
    idp = {
      issuer: idpStrings.issuer,
      tokenEndpoint: idpStrings.token_endpoint,
      clientId: idpStrings.client_id ?? "",
      clientSecret: idpStrings.client_secret,
      idToken: idpStrings.id_token ?? "",
    };
  }
  if (issues.length > before) return auth;
  const resolved: AuthConfig = {
    ...auth,
    clientId: expanded.client_id,
    clientSecret: expanded.client_secret,
    clientName: expanded.client_name ?? auth.clientName,
    clientMetadataUrl: expanded.client_metadata_url,
    redirectUrl: expanded.redirect_url,
    scope: normaliseScope(expanded.scope),
    privateKey: expanded.private_key,
    expectedIssuer: expanded.expected_issuer,
    tokenFile: expanded.token_file === undefined ? undefined : expandHome(expanded.token_file),
    idp,
  };
  // The same rules again, now that references are replaced by their values.
  const recheck: ConfigIssue[] = [];
  // AuthConfig has AuthShape's fields, with the defaults filled in.
  buildAuthConfig(resolved as unknown as AuthShape, recheck, []);
  issues.push(...recheck);
  if (resolved.privateKey !== undefined && recheck.length === 0) {
    try {
      const type = createPrivateKey(resolved.privateKey).asymmetricKeyType;
      const family = resolved.signingAlgorithm?.slice(0, 2);
      const fits =
        family === undefined || (type === "ec" ? family === "ES" : family === "RS" || family === "PS");
      if (!fits) {
        issues.push(
          issue(
            "auth.signing_algorithm",
            "auth.privateKey",
            `auth.signing_algorithm ${resolved.signingAlgorithm} does not fit the ${type?.toUpperCase() ?? "given"} key in auth.private_key`,
          ),
        );
      }
    } catch {
      issues.push(
        issue(
          "auth.private_key",
          "auth.privateKey",
          "auth.private_key is not a readable private key (PEM, PKCS#8 or PKCS#1)",
        ),
      );
    }
  }
  return resolved;
}

function definedStrings(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

function expandHome(path: string): string {
  if (path === "~") return homedir();
  if (path.startsWith("~/")) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(path);
}

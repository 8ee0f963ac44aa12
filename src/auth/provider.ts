import { createHash, createPrivateKey, randomBytes } from "node:crypto";

import type {
  AddClientAuthentication,
  FetchLike,
  OAuthClientInformationContext,
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";
import {
  createPrivateKeyJwtAuth,
  discoverAndRequestJwtAuthGrant,
  requestJwtAuthorizationGrant,
  resourceUrlFromServerUrl,
} from "@modelcontextprotocol/client";

import type { AuthConfig } from "../config/authTypes.js";
import { DEFAULT_AUTH_SIGNING_ALGORITHM } from "../config/defaults.js";
import { registerSecret } from "../errors/knownSecrets.js";
import type { NamedUrl } from "../security/url.js";
import type { StoredAuthState, TokenStore } from "./types.js";

const JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/** An authorization the SDK started (it "redirected"): the URL to open and its PKCE verifier. */
export interface PendingAuthorization {
  url: URL;
  /** The `state` sent in the URL; the callback must carry the same value. */
  state: string | undefined;
  verifier: string | undefined;
}

export interface OAuthProviderOptions {
  /** The resolved (`${VAR}`-expanded) auth section. */
  config: AuthConfig;
  serverUrl: string;
  store: TokenStore;
  /** Identifies this server's entry in the store. */
  storeKey: string;
  /** Redirect URL of interactive logins (authorization_code only). */
  redirectUrl: string;
  /** `fetch` for the IdP of the cross-app-access flow. */
  fetch: FetchLike;
  /**
   * The address policy's refusal of URLs discovery found, or `undefined` when all are allowed.
   * @default allows everything
   */
  refuse?: ((urls: readonly NamedUrl[]) => Error | undefined) | undefined;
}

/**
 * The URLs of a discovery result that this client fetches or opens (the SDK falls back to paths on
 * the authorization server when metadata has no endpoint), each with the field that named it. The
 * registration endpoint counts only for a client that registers, the authorization endpoint only
 * for interactive logins.
 */
function discoveredUrls(
  discovery: OAuthDiscoveryState,
  uses: { registration: boolean; authorization: boolean },
): NamedUrl[] {
  const metadata = discovery.authorizationServerMetadata;
  const named = "named by the authorization-server metadata";
  return [
    {
      url: discovery.resourceMetadataUrl,
      role: { field: "resource_metadata", what: "the OAuth protected-resource metadata" },
    },
    {
      url: discovery.authorizationServerUrl,
      role: {
        field: "authorization_servers",
        what: "the authorization server named by the protected-resource metadata",
      },
    },
    { url: metadata?.token_endpoint, role: { field: "token_endpoint", what: `the token endpoint ${named}` } },
    {
      url: uses.registration ? metadata?.registration_endpoint : undefined,
      role: { field: "registration_endpoint", what: `the client registration endpoint ${named}` },
    },
    {
      url: uses.authorization ? metadata?.authorization_endpoint : undefined,
      role: {
        field: "authorization_endpoint",
        what: `the authorization endpoint (opened in the browser) ${named}`,
      },
    },
  ].flatMap(({ url, role }) => (typeof url === "string" ? [{ url, role }] : []));
}

/**
 * The `OAuthClientProvider` behind every flow of the `auth` section. The SDK's `auth()` orchestrator
 * and transports do the OAuth work (discovery with all fallbacks, registration, PKCE, scope selection,
 * step-up, resource checks, token requests); this class supplies the client's identity, keeps its
 * state in a `TokenStore`, and records the authorization URL of an interactive login instead of
 * "redirecting", so that the session can hand it to the user's callback.
 */
export class OAuthProvider implements OAuthClientProvider {
  // Optional members are only defined when they apply: the SDK tests for their presence.
  declare readonly clientMetadataUrl?: string;
  declare readonly addClientAuthentication?: AddClientAuthentication;
  /** Present only for clients that are registered at run time (DCR or a metadata document). */
  declare readonly saveClientInformation?: (
    info: StoredOAuthClientInformation,
    ctx?: OAuthClientInformationContext,
  ) => Promise<void>;

  private readonly config: AuthConfig;
  private readonly options: OAuthProviderOptions;
  private stored: StoredAuthState | undefined;
  private loading: Promise<StoredAuthState> | undefined;
  /** PKCE verifiers by their S256 challenge, so a URL always finds its own verifier. */
  private readonly verifiers = new Map<string, string>();
  private pending: PendingAuthorization | undefined;
  /** The verifier of the login being completed right now. */
  private activeVerifier: string | undefined;
  private interacting = false;
  private authorizationServer: string | undefined;
  private resource: string | undefined;

  constructor(options: OAuthProviderOptions) {
    this.options = options;
    this.config = options.config;
    const dynamic = this.config.flow === "authorization_code" && this.config.clientId === undefined;
    if (dynamic && this.config.clientMetadataUrl !== undefined) {
      this.clientMetadataUrl = this.config.clientMetadataUrl;
    }
    if (dynamic) {
      this.saveClientInformation = async (info) => {
        await this.update({ clientInformation: info });
      };
    }
    if (this.config.tokenEndpointAuthMethod === "private_key_jwt" && this.config.privateKey !== undefined) {
      this.addClientAuthentication = createPrivateKeyJwtAuth({
        issuer: this.config.clientId ?? "",
        subject: this.config.clientId ?? "",
        // jose reads PKCS#8 only; a PKCS#1 or SEC1 key is converted once here.
        privateKey: createPrivateKey(this.config.privateKey).export({
          type: "pkcs8",
          format: "pem",
        }) as string,
        alg: this.config.signingAlgorithm ?? signingAlgorithmFor(this.config.privateKey),
      });
    }
  }

  get redirectUrl(): string | undefined {
    return this.config.flow === "authorization_code" ? this.options.redirectUrl : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    const config = this.config;
    const base = {
      client_name: config.clientName,
      ...(config.scope === undefined ? {} : { scope: config.scope }),
    };
    if (config.flow === "client_credentials") {
      return { ...base, redirect_uris: [], grant_types: ["client_credentials"] };
    }
    if (config.flow === "cross_app_access") {
      return { ...base, redirect_uris: [], grant_types: [JWT_BEARER_GRANT] };
    }
    return {
      ...base,
      redirect_uris: [this.options.redirectUrl],
      response_types: ["code"],
      // Listing refresh_token is what makes the SDK ask for offline_access, and only where the
      // authorization server lists that scope (SEP-2207).
      grant_types: config.offlineAccess ? ["authorization_code", "refresh_token"] : ["authorization_code"],
      ...(config.tokenEndpointAuthMethod === undefined
        ? {}
        : { token_endpoint_auth_method: config.tokenEndpointAuthMethod }),
    };
  }

  /** A fresh, unguessable `state` per authorization request (checked against the callback). */
  state(): string {
    return randomBytes(24).toString("base64url");
  }

  async clientInformation(): Promise<StoredOAuthClientInformation | undefined> {
    const config = this.config;
    if (config.clientId !== undefined) {
      const method = config.tokenEndpointAuthMethod;
      return {
        client_id: config.clientId,
        ...(config.clientSecret === undefined ? {} : { client_secret: config.clientSecret }),
        // private_key_jwt is applied by addClientAuthentication; the others steer the SDK's choice.
        ...(method === undefined || method === "private_key_jwt"
          ? {}
          : { token_endpoint_auth_method: method }),
        ...(config.expectedIssuer === undefined ? {} : { issuer: config.expectedIssuer }),
      } as StoredOAuthClientInformation;
    }
    const stored = (await this.load()).clientInformation;
    if (!stored) return undefined;
    // A client registered for another redirect URL (another loopback port) cannot complete a login.
    const uris = (stored as { redirect_uris?: unknown }).redirect_uris;
    if (Array.isArray(uris) && uris.length > 0 && !uris.includes(this.options.redirectUrl)) return undefined;
    return stored;
  }

  async tokens(): Promise<StoredOAuthTokens | undefined> {
    return (await this.load()).tokens;
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    await this.update({ tokens });
  }

  async discoveryState(): Promise<OAuthDiscoveryState | undefined> {
    const discovery = (await this.load()).discovery;
    // Stored under another policy (or by an older version): discovered again, and checked then.
    if (discovery && this.options.refuse?.(this.urlsOf(discovery))) return undefined;
    return discovery;
  }

  /**
   * Checked before it is kept: the SDK saves the discovery result before it registers, asks for a
   * token or builds the login URL, so a URL the policy forbids is refused here, typed and named by its
   * field, before anything is sent to it.
   */
  async saveDiscoveryState(discovery: OAuthDiscoveryState): Promise<void> {
    const refused = this.options.refuse?.(this.urlsOf(discovery));
    if (refused) throw refused;
    await this.update({ discovery });
  }

  private urlsOf(discovery: OAuthDiscoveryState): NamedUrl[] {
    return discoveredUrls(discovery, {
      registration: this.saveClientInformation !== undefined,
      authorization: this.redirectUrl !== undefined,
    });
  }

  saveAuthorizationServerUrl(url: string): void {
    this.authorizationServer = url;
  }

  saveResourceUrl(url: string): void {
    this.resource = url;
  }

  saveCodeVerifier(verifier: string): void {
    this.verifiers.set(createHash("sha256").update(verifier).digest("base64url"), verifier);
  }

  codeVerifier(): string {
    if (this.activeVerifier === undefined) {
      throw new Error("no PKCE code verifier: no login is being completed");
    }
    return this.activeVerifier;
  }

  /**
   * Records the login URL instead of navigating: the session passes it to `onAuthorizationUrl`.
   * While a login is being completed, further "redirects" (from requests that failed meanwhile) are
   * dropped: those requests wait for the running login and retry.
   */
  redirectToAuthorization(url: URL): void {
    if (this.interacting) return;
    const challenge = url.searchParams.get("code_challenge");
    this.pending = {
      url,
      state: url.searchParams.get("state") ?? undefined,
      verifier: challenge === null ? undefined : this.verifiers.get(challenge),
    };
  }

  /** Takes the recorded login URL, if any, and marks the login as running. */
  beginInteraction(): PendingAuthorization | undefined {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return undefined;
    this.interacting = true;
    this.activeVerifier = pending.verifier;
    return pending;
  }

  endInteraction(): void {
    this.interacting = false;
    this.activeVerifier = undefined;
    this.verifiers.clear();
  }

  /** Drops a recorded login URL that will not be used. */
  discardPending(): void {
    this.pending = undefined;
  }

  async invalidateCredentials(scope: "all" | "client" | "tokens" | "verifier" | "discovery"): Promise<void> {
    if (scope === "verifier") {
      this.verifiers.clear();
      return;
    }
    const change: StoredAuthState = {};
    if (scope === "all" || scope === "tokens") change.tokens = undefined;
    if (scope === "all" || scope === "discovery") change.discovery = undefined;
    if ((scope === "all" || scope === "client") && this.saveClientInformation)
      change.clientInformation = undefined;
    await this.update(change);
  }

  /** Builds the grant of the non-interactive flows; `undefined` leaves the authorization code default. */
  async prepareTokenRequest(scope?: string): Promise<URLSearchParams | undefined> {
    const config = this.config;
    if (config.flow === "client_credentials") {
      const params = new URLSearchParams({ grant_type: "client_credentials" });
      if (scope) params.set("scope", scope);
      return params;
    }
    if (config.flow !== "cross_app_access" || !config.idp) return undefined;
    const idp = config.idp;
    const request = {
      // The ID-JAG is minted for the MCP server's authorization server and the MCP server itself.
      audience: this.authorizationServer ?? new URL(this.options.serverUrl).origin,
      resource: this.resource ?? resourceUrlFromServerUrl(this.options.serverUrl).href,
      idToken: idp.idToken,
      clientId: idp.clientId,
      ...(idp.clientSecret === undefined ? {} : { clientSecret: idp.clientSecret }),
      ...(scope ? { scope } : {}),
      fetchFn: this.options.fetch,
    };
    const grant = idp.tokenEndpoint
      ? await requestJwtAuthorizationGrant({ ...request, tokenEndpoint: idp.tokenEndpoint })
      : await discoverAndRequestJwtAuthGrant({ ...request, idpUrl: idp.issuer! });
    registerSecret(grant.jwtAuthGrant);
    const params = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: grant.jwtAuthGrant });
    if (scope) params.set("scope", scope);
    return params;
  }

  private load(): Promise<StoredAuthState> {
    if (this.stored) return Promise.resolve(this.stored);
    this.loading ??= this.options.store.load(this.options.storeKey).then(
      (loaded) => {
        this.stored ??= loaded ?? {};
        rememberSecrets(this.stored);
        return this.stored;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  private async update(change: StoredAuthState): Promise<void> {
    const current = await this.load();
    this.stored = { ...current, ...change };
    rememberSecrets(change);
    await this.options.store.save(this.options.storeKey, this.stored);
  }
}

/** The JWS algorithm that fits a private key: ES256/384/512 by curve for EC keys, RS256 otherwise. */
export function signingAlgorithmFor(pem: string): string {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : "ES256";
  }
  return key.asymmetricKeyType === "rsa-pss" ? "PS256" : DEFAULT_AUTH_SIGNING_ALGORITHM;
}

/**
 * Registers the credentials of an auth state (tokens obtained or loaded, a client secret from dynamic
 * registration) with the redaction of error text, so a server that echoes one never shows it.
 */
function rememberSecrets(state: StoredAuthState): void {
  const { tokens, clientInformation } = state;
  for (const value of [
    tokens?.access_token,
    tokens?.refresh_token,
    (tokens as { id_token?: unknown } | undefined)?.id_token,
    clientInformation?.client_secret,
  ]) {
    if (typeof value === "string") registerSecret(value);
  }
}

import type { FetchLike, OAuthClientProvider } from "@modelcontextprotocol/client";
import {
  auth,
  AuthorizationServerMismatchError,
  InsecureTokenEndpointError,
  InsufficientScopeError,
  IssuerMismatchError,
  OAuthClientFlowError,
  OAuthError,
  RegistrationRejectedError,
  SdkError,
  SdkErrorCode,
  UnauthorizedError,
} from "@modelcontextprotocol/client";

import { findCause } from "../common/causes.js";
import type { AuthConfig } from "../config/authTypes.js";
import { DEFAULT_AUTH_REDIRECT_URL, MAX_AUTHORIZATIONS_PER_REQUEST } from "../config/defaults.js";
import type { MCPError } from "../errors/errors.js";
import { isMCPError, MCPAuthenticationError } from "../errors/errors.js";
import { redactUrl } from "../errors/redactUrl.js";
import type { ConfiguredUrl, NamedUrl } from "../security/url.js";
import { OAuthProvider } from "./provider.js";
import { FileTokenStore, MemoryTokenStore } from "./tokenStore.js";
import type { AuthOptions, AuthorizationCallback } from "./types.js";

/** The SDK marks errors that escaped from its OAuth code paths with this registry symbol. */
const AUTH_SEAM = Symbol.for("mcp.authSeamEscape");

/** What each new HTTP transport gives the auth layer: its connection's policy and pool. */
export interface TransportGuard {
  /** `fetch` through the server's address policy and connection pool. */
  readonly fetch: FetchLike;
  /** The address policy's refusal of these URLs, as one typed error, or `undefined` when all are allowed. */
  refuse(urls: readonly NamedUrl[]): Error | undefined;
}

/** What the HTTP transport needs from the auth layer. */
export interface TransportAuthorization {
  /** Given to the SDK transport as its `authProvider`. */
  readonly provider: OAuthClientProvider;
  /** Accept authorization-server metadata with a mismatched issuer (`auth.skip_issuer_check`). */
  readonly skipIssuerMetadataValidation: boolean;
  /**
   * URLs of the `auth` section (`auth.idp.*`, `auth.expected_issuer`) by config key: hosts the user
   * named, not the server, which the transport's DNS check treats like the server's own.
   */
  readonly configuredUrls: readonly ConfiguredUrl[];
  /**
   * Called by each new transport before any request: the provider's own requests (the cross-app-access
   * IdP) go through `guard.fetch`, and URLs from OAuth discovery are checked with `guard.refuse`
   * before they are used.
   */
  bind(guard: TransportGuard): void;
  /**
   * Called when sending failed. Resolves `true` when the request should be sent again (an interactive
   * login completed through `finish`, or another request's login did), `false` when the failure has
   * nothing to do with authorization. Rejects with `MCPAuthenticationError` otherwise.
   * @param authorizations logins this request already went through (bounded).
   */
  recover(
    error: unknown,
    authorizations: number,
    finish: (callback: URLSearchParams) => Promise<void>,
  ): Promise<boolean>;
  /**
   * Called before a legacy SSE stream opens. That transport cannot send its opening request again
   * after an interactive login, so without a token the login happens here, up front.
   */
  prepare(
    serverUrl: string,
    fetchFn: FetchLike,
    finish: (callback: URLSearchParams) => Promise<void>,
  ): Promise<void>;
}

export interface AuthSessionOptions {
  /** The resolved auth section (`${VAR}` expanded). */
  config: AuthConfig;
  serverName: string;
  serverUrl: string;
  options?: AuthOptions | undefined;
  /**
   * `fetch` for requests the provider makes itself (the cross-app-access IdP) until a transport
   * binds its own (`bind`), which goes through the server's address policy.
   */
  fetch?: FetchLike | undefined;
}

/**
 * The authorization state of one server connection, kept across reconnects: the provider with its
 * token store, the interactive login (one at a time, bounded per request), and the translation of
 * the SDK's OAuth failures into `MCPAuthenticationError`s that say what to do.
 */
export class AuthSession implements TransportAuthorization {
  readonly provider: OAuthProvider;
  readonly skipIssuerMetadataValidation: boolean;
  readonly configuredUrls: readonly ConfiguredUrl[];
  /** Until a transport binds its own: the given `fetch`, and no address checks (unit tests). */
  private guard: TransportGuard;
  private readonly serverName: string;
  private readonly onAuthorizationUrl: AuthOptions["onAuthorizationUrl"];
  private login: Promise<void> | undefined;

  constructor(options: AuthSessionOptions) {
    const { config, serverName, serverUrl } = options;
    this.serverName = serverName;
    this.skipIssuerMetadataValidation = config.skipIssuerCheck;
    this.configuredUrls = [
      { field: "auth.idp.issuer", url: config.idp?.issuer },
      { field: "auth.idp.token_endpoint", url: config.idp?.tokenEndpoint },
      { field: "auth.expected_issuer", url: config.expectedIssuer },
    ].flatMap(({ field, url }) => (url === undefined ? [] : [{ field, url }]));
    const given = options.fetch ?? ((url, init) => fetch(url, init));
    this.guard = { fetch: given, refuse: () => undefined };
    this.onAuthorizationUrl = options.options?.onAuthorizationUrl;
    const store =
      options.options?.tokenStore ??
      (config.tokenStore === "file" && config.tokenFile !== undefined
        ? new FileTokenStore(config.tokenFile)
        : new MemoryTokenStore());
    const redirectUrl =
      config.redirectUrl ?? options.options?.redirectUrl?.toString() ?? DEFAULT_AUTH_REDIRECT_URL;
    this.provider = new OAuthProvider({
      config,
      serverUrl,
      store,
      storeKey: `${serverName} ${serverUrl}`,
      redirectUrl,
      fetch: (url, init) => this.guard.fetch(url, init),
      refuse: (urls) => this.guard.refuse(urls),
    });
  }

  bind(guard: TransportGuard): void {
    this.guard = guard;
  }

  async recover(
    error: unknown,
    authorizations: number,
    finish: (callback: URLSearchParams) => Promise<void>,
  ): Promise<boolean> {
    if (!(error instanceof UnauthorizedError)) {
      const typed = this.describe(error);
      if (typed) throw typed;
      return false;
    }
    if (this.login) {
      // Another request is completing a login; this one retries with its token.
      this.provider.discardPending();
      await this.login;
      return true;
    }
    const pending = this.provider.beginInteraction();
    if (!pending) throw this.describe(error) ?? error;
    if (authorizations >= MAX_AUTHORIZATIONS_PER_REQUEST) {
      this.provider.endInteraction();
      throw new MCPAuthenticationError(
        `Server "${this.serverName}" still refused the request after ${authorizations} authorizations; stopped instead of asking again. The account may lack the required permission or scope.`,
        { code: "AUTH_FAILED", serverName: this.serverName, cause: error, httpStatus: 403 },
      );
    }
    this.login = this.runLogin(pending.url, pending.state, finish).finally(() => {
      this.provider.endInteraction();
      this.login = undefined;
    });
    await this.login;
    return true;
  }

  async prepare(
    serverUrl: string,
    fetchFn: FetchLike,
    finish: (callback: URLSearchParams) => Promise<void>,
  ): Promise<void> {
    // Non-interactive flows get their token inside the SDK's own 401 handling, which SSE retries.
    if (this.provider.redirectUrl === undefined || (await this.provider.tokens())) return;
    let result: string;
    try {
      result = await auth(this.provider, {
        serverUrl,
        fetchFn,
        ...(this.skipIssuerMetadataValidation ? { skipIssuerMetadataValidation: true } : {}),
      });
    } catch (error) {
      // Everything auth() throws is about authorization, marked as such by the SDK or not.
      throw this.describe(error, true) ?? error;
    }
    if (result !== "AUTHORIZED") await this.recover(new UnauthorizedError(), 0, finish);
  }

  private async runLogin(
    url: URL,
    state: string | undefined,
    finish: (callback: URLSearchParams) => Promise<void>,
  ): Promise<void> {
    const callback = this.onAuthorizationUrl;
    if (!callback) {
      throw new MCPAuthenticationError(
        `Server "${this.serverName}" requires a login in a browser (OAuth authorization code), but no onAuthorizationUrl callback was given. Pass { auth: { onAuthorizationUrl } } to the client (the CLI does this for you), or configure a non-interactive auth flow.`,
        { code: "AUTH_REQUIRED", serverName: this.serverName, httpStatus: 401 },
      );
    }
    let params: URLSearchParams;
    try {
      params = toSearchParams(await callback(url, { serverName: this.serverName }));
    } catch (error) {
      if (isMCPError(error)) throw error;
      throw new MCPAuthenticationError(
        `The login for server "${this.serverName}" failed in the onAuthorizationUrl callback: ${(error as Error)?.message ?? String(error)}`,
        { code: "AUTH_FAILED", serverName: this.serverName, cause: error },
      );
    }
    if (state !== undefined && params.get("state") !== state) {
      throw new MCPAuthenticationError(
        `The login callback for server "${this.serverName}" carried the wrong state parameter; it was refused (it may be forged or from an older login). Log in again.`,
        { code: "AUTH_FAILED", serverName: this.serverName },
      );
    }
    const refusal = params.get("error");
    if (refusal !== null && !params.has("code")) {
      // Only the standard error code is shown: the description comes from the redirect and may be forged.
      const code = /^[a-z_]{1,64}$/.test(refusal) ? refusal : "unknown_error";
      throw new MCPAuthenticationError(
        `The authorization server refused the login for server "${this.serverName}" (${code}).`,
        { code: "AUTH_FAILED", serverName: this.serverName },
      );
    }
    try {
      await finish(params);
    } catch (error) {
      throw this.describe(error, true) ?? error;
    }
  }

  /**
   * Translates an OAuth failure from the SDK; `undefined` when the error is not about authorization.
   * @param fromAuth the error came out of `auth()` itself, so even a plain error is an authorization failure.
   */
  describe(error: unknown, fromAuth = false): MCPError | undefined {
    // Our own refusals raised below the SDK (the transport's address policy) arrive wrapped, as fetch
    // wraps a failed request: `TypeError(…, { cause })`.
    const ours = findCause(error, isMCPError);
    if (ours) return ours;
    const name = this.serverName;
    const fail = (
      message: string,
      httpStatus?: number,
      code: "AUTH_FAILED" | "AUTH_REQUIRED" = "AUTH_FAILED",
    ) => new MCPAuthenticationError(message, { code, serverName: name, cause: error, httpStatus });
    if (error instanceof UnauthorizedError) {
      return fail(
        `Server "${name}" requires authorization and no access token could be obtained. Check the auth section of its config.`,
        401,
        "AUTH_REQUIRED",
      );
    }
    if (error instanceof InsufficientScopeError) {
      return fail(
        `Server "${name}" requires more scope (${error.requiredScope ?? "not named"}) than this client may request.`,
        403,
      );
    }
    if (error instanceof IssuerMismatchError || error instanceof AuthorizationServerMismatchError) {
      return fail(
        `The authorization server of server "${name}" is not the one its credentials belong to (issuer mismatch); nothing was sent to it. Check auth.expected_issuer and the server's metadata.`,
      );
    }
    if (error instanceof InsecureTokenEndpointError) {
      return fail(
        `The authorization server of server "${name}" has a token endpoint without https (${redactUrl(error.tokenEndpoint)}); credentials are never sent there.`,
      );
    }
    if (error instanceof RegistrationRejectedError) {
      return fail(
        `The authorization server of server "${name}" refused to register this client (HTTP ${error.status}). Use a pre-registered auth.client_id or auth.client_metadata_url.`,
      );
    }
    if (error instanceof OAuthError) {
      return fail(
        `The authorization server of server "${name}" answered with OAuth error "${error.code}". Check the client credentials and scopes in the auth section.`,
      );
    }
    if (error instanceof OAuthClientFlowError) {
      return fail(`Authorizing with server "${name}" failed: ${error.message}`);
    }
    if (error instanceof SdkError) {
      if (error.code === SdkErrorCode.ClientHttpForbidden) {
        return fail(
          `Server "${name}" kept refusing the request for insufficient scope after re-authorization; stopped instead of asking again.`,
          403,
        );
      }
      if (error.code === SdkErrorCode.ClientHttpAuthentication) {
        return fail(
          `Server "${name}" rejected the new access token (HTTP 401 right after authorizing). Check that the token is meant for this server.`,
          401,
        );
      }
      return undefined;
    }
    const seam = (error as { [AUTH_SEAM]?: unknown } | null)?.[AUTH_SEAM] === true;
    if ((seam || fromAuth) && error instanceof Error) {
      // Discovery and resource checks fail with plain errors (e.g. a protected resource that is not
      // this server: a token for it must never be requested).
      return fail(`Authorizing with server "${name}" was refused: ${redactUrlsIn(error.message)}`);
    }
    return undefined;
  }
}

function toSearchParams(callback: AuthorizationCallback): URLSearchParams {
  if (callback instanceof URLSearchParams) return callback;
  if (callback instanceof URL) return callback.searchParams;
  const text = callback.trim();
  try {
    return new URL(text).searchParams;
  } catch {
    return new URLSearchParams(text.startsWith("?") ? text.slice(1) : text);
  }
}

function redactUrlsIn(text: string): string {
  return text.replace(/https?:\/\/[^\s)"']+/g, (url) => redactUrl(url));
}

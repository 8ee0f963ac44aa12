import type {
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from "@modelcontextprotocol/client";

/** What a token store keeps per server: tokens, the registered client, and discovery results. */
export interface StoredAuthState {
  tokens?: StoredOAuthTokens | undefined;
  clientInformation?: StoredOAuthClientInformation | undefined;
  discovery?: OAuthDiscoveryState | undefined;
}

/**
 * Pluggable storage of OAuth state. `key` identifies one server (its name and URL). Implementations
 * must keep values private to the user: they hold access and refresh tokens and client secrets.
 */
export interface TokenStore {
  load(key: string): Promise<StoredAuthState | undefined>;
  save(key: string, state: StoredAuthState): Promise<void>;
  clear(key: string): Promise<void>;
}

/** What `onAuthorizationUrl` may resolve with: the URL the browser was redirected to, or its query. */
export type AuthorizationCallback = string | URL | URLSearchParams;

/** Runtime options of authorization, given to `MCPClient` (functions cannot live in config files). */
export interface AuthOptions {
  /**
   * Interactive logins (`authorization_code`): receives the authorization URL to open in a browser and
   * resolves with the redirect the browser landed on (the full callback URL or its query string).
   * Without it, a server that needs a login fails to connect with `AUTH_REQUIRED`.
   */
  onAuthorizationUrl?:
    ((url: URL, info: { serverName: string }) => Promise<AuthorizationCallback>) | undefined;
  /** Redirect URL of interactive logins when the config has no `redirect_url` (a loopback listener's). */
  redirectUrl?: string | URL | undefined;
  /** Replaces the configured token store. */
  tokenStore?: TokenStore | undefined;
}

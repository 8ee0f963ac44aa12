import type { z } from "zod";

import type { authShape } from "./authSchema.js";
import type { KeyTwins } from "./keys.js";

/**
 * How the client obtains its access token:
 * - `authorization_code`: OAuth 2.1 authorization code with PKCE, with dynamic client registration,
 *   a client-ID metadata document or a pre-registered client (the user logs in through a browser);
 * - `client_credentials`: machine-to-machine, with `client_secret_basic`/`client_secret_post` or
 *   `private_key_jwt`;
 * - `cross_app_access`: enterprise-managed authorization (SEP-990): the IdP's ID token is exchanged
 *   for an ID-JAG (RFC 8693), which is then redeemed at the server's authorization server (RFC 7523).
 */
export type AuthFlow = "authorization_code" | "client_credentials" | "cross_app_access";

/** How the client authenticates itself at the token endpoint. */
export type TokenEndpointAuthMethod =
  "client_secret_basic" | "client_secret_post" | "private_key_jwt" | "none";

/** Where tokens and registered client information are kept between connections (and runs). */
export type TokenStoreKind = "memory" | "file";

/** The identity provider of the cross-app-access flow. */
export interface IdpConfig {
  /** The IdP's issuer; its token endpoint is discovered from its metadata unless `tokenEndpoint` is given. */
  readonly issuer: string | undefined;
  /** The IdP's token endpoint (RFC 8693 token exchange). */
  readonly tokenEndpoint: string | undefined;
  /** This client's id at the IdP. */
  readonly clientId: string;
  /** This client's secret at the IdP (omit for a public client). */
  readonly clientSecret: string | undefined;
  /** The user's OpenID Connect ID token from the IdP. Usually `${VAR}`. */
  readonly idToken: string;
}

/**
 * The validated `auth` section of an HTTP server config. String values may still hold `${VAR}`
 * references; they are expanded when connecting.
 */
export interface AuthConfig {
  /** @default "authorization_code" */
  readonly flow: AuthFlow;
  /**
   * A pre-registered client id. Without it, `authorization_code` uses a client-ID metadata document
   * or registers dynamically.
   */
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Name shown by the authorization server. @default "mcp-tools" */
  readonly clientName: string;
  /** HTTPS URL of this client's metadata document, the `client_id` where the server supports it (SEP-991). */
  readonly clientMetadataUrl: string | undefined;
  /**
   * Where the browser is sent after login (`authorization_code`).
   * @default the `redirectUrl` option, else http://127.0.0.1:8765/callback
   */
  readonly redirectUrl: string | undefined;
  /** Scopes to request (space-separated). Without it the server's challenge or metadata decides. */
  readonly scope: string | undefined;
  /** @default chosen from the credentials and what the server supports */
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod | undefined;
  /** PEM private key for `private_key_jwt`. Usually `${VAR}`. */
  readonly privateKey: string | undefined;
  /**
   * JWS algorithm of the `private_key_jwt` assertion.
   * @default from the key: ES256/ES384/ES512 by curve for EC keys, RS256 for RSA keys
   */
  readonly signingAlgorithm: string | undefined;
  /** The authorization server the credentials belong to; they are never sent to another one. */
  readonly expectedIssuer: string | undefined;
  /**
   * Accept authorization-server metadata whose `issuer` differs from the URL it was found at (turns
   * the RFC 8414 §3.3 check off). Security-weakening: only for 2025-03-26-era servers that publish
   * such metadata. @default false
   */
  readonly skipIssuerCheck: boolean;
  /** Ask for a refresh token (`offline_access`, only where the server lists it). @default true */
  readonly offlineAccess: boolean;
  /** @default "memory" */
  readonly tokenStore: TokenStoreKind;
  /** File of the `file` token store. @default ~/.mcp-tools/tokens.json */
  readonly tokenFile: string | undefined;
  /** Required for `cross_app_access`. */
  readonly idp: IdpConfig | undefined;
}

/** The `idp` section as users write it (snake_case or camelCase), derived from its zod schema. */
export type IdpInput = KeyTwins<NonNullable<z.input<typeof authShape>["idp"]>>;

/** The `auth` section as users write it (snake_case or camelCase), derived from its zod schema. */
export interface AuthInput extends KeyTwins<z.input<typeof authShape>> {
  [key: string]: unknown;
}

/**
 * The address policy for every request of one HTTP server, not only for its configured `url`.
 *
 * A server names URLs that the client then fetches: the protected-resource metadata in a 401's
 * `WWW-Authenticate`, the authorization server and its endpoints in that metadata, the target of a
 * redirect, the POST endpoint of a legacy-SSE stream. Each of them could point at a cloud metadata
 * service, a private network or this machine. `UrlGuard` applies the rules the configured `url` was
 * checked with (`checkNamedUrl`, the same `checkUrl` rules) to every such URL before a request
 * leaves, and the DNS rules (`refusedAddresses`, the same `url.dns` rule) to every host name when a
 * connection is made. A refusal is an `MCPConfigurationError` naming the rule and where the URL came
 * from; nothing is sent to a refused address.
 */
import { lookup as dnsLookup, promises as dns } from "node:dns";
import { isIP, type LookupFunction } from "node:net";

import type { FetchLike } from "@modelcontextprotocol/client";
import { extractWWWAuthenticateParams } from "@modelcontextprotocol/client";

import { findCause } from "../common/causes.js";
import { formatIssues } from "../config/issues.js";
import type { ConfigIssue } from "../errors/errors.js";
import { isMCPError, MCPConfigurationError } from "../errors/errors.js";
import { MAX_URL_LENGTH } from "../security/defaults.js";
import type { SecurityPolicy } from "../security/types.js";
import {
  checkNamedUrl,
  type ConfiguredUrl,
  describeAddresses,
  describeFixes,
  type HostLookup,
  type NamedUrl,
  normaliseHost,
  type RefusedAddress,
  refusedAddresses,
  type UrlRole,
} from "../security/url.js";

/** Redirects followed for a caller that asks `fetch` to follow them (the SDK follows as many). */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * The only request headers that follow a redirect to another origin. Every other one is dropped:
 * the configured `headers` (an `X-Api-Key` is as secret as an `Authorization`) were configured for
 * the server's origin, and so were the credentials and the `Mcp-Session-Id` added on the way
 * (fetch itself drops only `Authorization`, `Cookie` and `Proxy-Authorization`).
 */
const HEADERS_KEPT_ACROSS_ORIGINS = new Set([
  "accept",
  "accept-language",
  "content-language",
  "content-type",
  "mcp-protocol-version",
  "user-agent",
]);
/**
 * Refusals kept so that a legacy-SSE start failure, which the `eventsource` package flattens into
 * text, can still be reported as the typed refusal behind it.
 */
const REMEMBERED_REFUSALS = 4;
/** Origins remembered as allowed; a connection's requests go to one or a few. */
const REMEMBERED_ORIGINS = 32;
/** The SDK's own refusal of a legacy-SSE endpoint on another origin (SSEClientTransport). */
const SDK_FOREIGN_ENDPOINT = /Endpoint origin does not match connection origin: (\S+)/;

/** Where the URLs the guard sees come from, for refusal messages. */
export const URL_ROLES = {
  server: { field: "url", what: "the configured server URL" },
  resourceMetadataHeader: {
    field: "WWW-Authenticate resource_metadata",
    what: "the OAuth protected-resource metadata the server named in its WWW-Authenticate header",
  },
  resourceMetadata: {
    field: "protected-resource metadata URL",
    what: "the OAuth protected-resource metadata",
  },
  authorizationServerMetadata: {
    field: "authorization-server metadata URL",
    what: "the OAuth authorization-server metadata",
  },
  sseEndpoint: {
    field: "endpoint event",
    what: "the POST endpoint the legacy-SSE server named in its endpoint event",
  },
  named: {
    field: "request URL",
    what: "a URL named by the server, its authorization server or identity provider",
  },
  host: { field: "host", what: "a host named by the server (not in the config)" },
} as const satisfies Record<string, UrlRole>;

function redirectRole(from: URL): UrlRole {
  return { field: "Location", what: `the target of a redirect from host "${normaliseHost(from.hostname)}"` };
}

export interface UrlGuardOptions {
  serverName: string;
  /** The configured server `url`. */
  serverUrl: string;
  policy: SecurityPolicy;
  /**
   * Other URLs from the config (`auth.idp.issuer`, …): a refusal names their key, and their hosts
   * are trusted for DNS like the server's own (see `connectLookup`).
   */
  configuredUrls?: readonly ConfiguredUrl[] | undefined;
  /**
   * Resolver of the DNS checks: at connect time, and before a request through a `fetch` that is not
   * the transport's own (tests inject one). @default dns.lookup with all addresses
   */
  lookup?: HostLookup | undefined;
}

export interface GuardedFetchOptions {
  /**
   * `base` connects through this guard's `connectLookup` (the transport's own pool), so every DNS
   * answer is checked when the socket is made. Without it (a caller's `fetch`: a proxy, tracing,
   * tests), a host name the server named is resolved and checked here before the request is sent;
   * that cannot stop a name that changes its answer between this check and the caller's own
   * lookup (DNS rebinding), which only the connect-time check can. @default false
   */
  checksDnsOnConnect?: boolean | undefined;
}

/** The address policy of one server, for every request its connection makes. */
export class UrlGuard {
  private readonly serverName: string;
  private readonly policy: SecurityPolicy;
  private readonly resolve: HostLookup | undefined;
  /** Configured URLs (without fragment) and the config key each one is. */
  private readonly configured = new Map<string, UrlRole>();
  private readonly configuredHosts = new Set<string>();
  private readonly allowlisted: Set<string>;
  private readonly refusals: MCPConfigurationError[] = [];
  /**
   * `scheme://host:port` of URLs found allowed: the rules depend on nothing else once the URL has no
   * credentials and is within the length limit, and checking every MCP message in full costs ~10 µs.
   */
  private readonly allowedOrigins = new Set<string>();

  constructor(options: UrlGuardOptions) {
    this.serverName = options.serverName;
    this.policy = options.policy;
    this.resolve = options.lookup;
    this.allowlisted = new Set(options.policy.allowedHostnames.map(normaliseHost));
    const configured = [{ field: "url", url: options.serverUrl }, ...(options.configuredUrls ?? [])];
    for (const { field, url } of configured) {
      const parsed = parseUrl(url);
      if (!parsed) continue;
      parsed.hash = "";
      const role = field === "url" ? URL_ROLES.server : { field, what: `the configured ${field}` };
      this.configured.set(parsed.href, role);
      this.configuredHosts.add(normaliseHost(parsed.hostname));
    }
  }

  /**
   * The policy's refusal of `urls` (scheme, host, address and port rules; DNS answers are checked
   * when connecting), as one error listing every problem, or `undefined` when all are allowed.
   */
  refuse(urls: readonly NamedUrl[]): MCPConfigurationError | undefined {
    const found = urls.flatMap(({ url, role }) => {
      const issues = checkNamedUrl(url, this.policy, role);
      return issues.length === 0 ? [] : [{ role, host: hostOf(url), issues }];
    });
    return found.length === 0 ? undefined : this.refusal(found);
  }

  /**
   * `base` behind the policy. Before a request leaves, its URL is checked; a redirect's `Location`
   * and a `WWW-Authenticate` `resource_metadata` are checked as soon as the answer names them. A
   * caller that asks `fetch` to follow redirects gets them followed here, hop by hop, each hop
   * checked (only when the method stays, at most `MAX_REDIRECTS`; credentials are dropped on a change
   * of origin), because `fetch` would follow them without asking.
   *
   * A refusal rejects like a request `fetch` cannot make: a `TypeError` whose `cause` is the
   * `MCPConfigurationError`. The SDK's OAuth discovery passes network failures (`TypeError`s) on but
   * falls back silently on any other error; undici reports the connect-time check the same way.
   *
   * Unless `base` checks DNS answers when it connects (`checksDnsOnConnect`), each hop's host name
   * is resolved and checked before the request leaves (see `GuardedFetchOptions`).
   */
  fetch(base: FetchLike, options: GuardedFetchOptions = {}): FetchLike {
    const checkDns = options.checksDnsOnConnect !== true;
    return async (input, init) => {
      let url = input instanceof URL ? input : new URL(input);
      let role: UrlRole | undefined;
      let requestInit = init;
      const follow = init?.redirect === undefined || init.redirect === "follow";
      for (let hops = 0; ; hops++) {
        const current = url;
        const refused = this.check(current, () => role ?? this.roleOf(current));
        if (refused) throw this.networkError(refused);
        if (checkDns) await this.checkResolved(current);
        const request = follow ? { ...requestInit, redirect: "manual" as const } : requestInit;
        const response = await base(hops === 0 ? input : url, request);
        const target = redirectTarget(url, response);
        const named: NamedUrl[] = target ? [{ url: target, role: redirectRole(url) }] : [];
        const resourceMetadata = response.headers.has("www-authenticate")
          ? extractWWWAuthenticateParams(response).resourceMetadataUrl
          : undefined;
        if (resourceMetadata) named.push({ url: resourceMetadata, role: URL_ROLES.resourceMetadataHeader });
        const refusedNamed = named.length === 0 ? undefined : this.refuse(named);
        if (refusedNamed) {
          await response.body?.cancel().catch(() => undefined);
          throw this.networkError(refusedNamed);
        }
        if (
          !follow ||
          !target ||
          hops === MAX_REDIRECTS ||
          !keepsMethod(requestInit?.method, response.status)
        ) {
          return response;
        }
        await response.body?.cancel().catch(() => undefined);
        if (target.origin !== url.origin) requestInit = forAnotherOrigin(requestInit);
        role = redirectRole(url);
        url = target;
      }
    };
  }

  /**
   * A connect-time `lookup` for the server's sockets (IP literals never reach one: `fetch` checked
   * them). A name resolving to an address the policy forbids refuses the connection (`url.dns`), so a
   * name cannot pass a check and then rebind. Names in the config (the server's `url`, `auth.idp.*`)
   * are checked when `security.resolve_dns` is set, as at config time; every other name — one the
   * server, its authorization server or identity provider sent — is checked always: nobody vouched
   * for it. Hosts in `allowed_hostnames` skip the check, as they skip the config-time one.
   */
  readonly connectLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    const host = normaliseHost(hostname);
    const configured = this.configuredHosts.has(host);
    const check = !this.allowlisted.has(host) && (!configured || this.policy.resolveDns);
    if (!check && !this.resolve) {
      dnsLookup(hostname, lookupOptions, callback);
      return;
    }
    const resolve = this.resolver();
    const family =
      lookupOptions.family === "IPv4" ? 4 : lookupOptions.family === "IPv6" ? 6 : lookupOptions.family;
    resolve(hostname).then(
      (results) => {
        const addresses = results.filter((r) => !family || r.family === family);
        const refused = check ? refusedAddresses(addresses, this.policy) : [];
        if (refused.length > 0) {
          callback(this.dnsRefusal(hostname, configured, refused), "");
          return;
        }
        const first = addresses[0];
        if (!first) {
          callback(
            Object.assign(new Error(`${hostname} resolved to no usable address`), { code: "ENOTFOUND" }),
            "",
          );
        } else if (lookupOptions.all) {
          callback(null, addresses);
        } else {
          callback(null, first.address, first.family);
        }
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };

  /**
   * The typed error behind a failure of the SDK's legacy-SSE start: a refusal of ours (also when the
   * `eventsource` package flattened it into its message), or the SDK's refusal of an endpoint on
   * another origin, checked against the policy so that a forbidden address is named by its rule.
   * Anything else is returned as it is.
   */
  explain(error: unknown): unknown {
    const ours = findCause(error, isMCPError);
    if (ours) return ours;
    const text = error instanceof Error ? error.message : String(error);
    const origin = SDK_FOREIGN_ENDPOINT.exec(text)?.[1];
    if (origin !== undefined && parseUrl(origin)) {
      return (
        this.refuse([{ url: origin, role: URL_ROLES.sseEndpoint }]) ??
        this.refusal([
          {
            role: URL_ROLES.sseEndpoint,
            host: hostOf(origin),
            issues: [
              {
                path: URL_ROLES.sseEndpoint.field,
                rule: "url.endpointOrigin",
                message:
                  `The server named a POST endpoint on another origin (${origin}); messages go only to the ` +
                  "origin of the configured url (rule url.endpointOrigin). If that server is intended, configure its URL instead.",
              },
            ],
          },
        ])
      );
    }
    return this.refusals.find((refusal) => text.includes(refusal.message)) ?? error;
  }

  /**
   * The DNS rule for a request through a `fetch` that is not ours, before it is sent: a host name
   * (not an IP literal, which `check` decided) that is neither in the config nor in
   * `allowed_hostnames` is resolved, and refused (`url.dns`) when an answer is a forbidden address.
   * A name that does not resolve here is not sent either: it could not be checked.
   */
  private async checkResolved(url: URL): Promise<void> {
    const host = normaliseHost(url.hostname);
    if (isIP(host) !== 0 || this.configuredHosts.has(host) || this.allowlisted.has(host)) return;
    let addresses: Array<{ address: string; family: number }>;
    try {
      addresses = await this.resolver()(url.hostname);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "an error";
      throw new TypeError(
        `Host "${host}" could not be resolved for the address check (${code}), so nothing was sent there; ` +
          "list it in security.allowed_hostnames if only the fetch given to the client can resolve it.",
        { cause: error },
      );
    }
    const refused = refusedAddresses(addresses, this.policy);
    if (refused.length > 0) throw this.networkError(this.dnsRefusal(url.hostname, false, refused));
  }

  private resolver(): HostLookup {
    return this.resolve ?? ((name: string) => dns.lookup(name, { all: true }));
  }

  /** `refuse` for one URL, skipped for an origin already found allowed; `role` is only needed for a refusal. */
  private check(url: URL, role: () => UrlRole): MCPConfigurationError | undefined {
    const key =
      url.username === "" && url.password === "" && url.href.length <= MAX_URL_LENGTH
        ? `${url.protocol}//${url.host}`
        : undefined;
    if (key !== undefined && this.allowedOrigins.has(key)) return undefined;
    const refused = this.refuse([{ url, role: role() }]);
    if (!refused && key !== undefined) {
      if (this.allowedOrigins.size >= REMEMBERED_ORIGINS) this.allowedOrigins.clear();
      this.allowedOrigins.add(key);
    }
    return refused;
  }

  private roleOf(url: URL): UrlRole {
    const bare = new URL(url);
    bare.hash = "";
    const configured = this.configured.get(bare.href);
    if (configured) return configured;
    if (url.pathname.startsWith("/.well-known/oauth-protected-resource")) return URL_ROLES.resourceMetadata;
    if (
      url.pathname.startsWith("/.well-known/oauth-authorization-server") ||
      url.pathname.includes("/.well-known/openid-configuration")
    ) {
      return URL_ROLES.authorizationServerMetadata;
    }
    return URL_ROLES.named;
  }

  private dnsRefusal(
    hostname: string,
    configured: boolean,
    refused: RefusedAddress[],
  ): MCPConfigurationError {
    const role = configured ? URL_ROLES.server : URL_ROLES.host;
    const why = configured
      ? "its addresses changed since they were checked, or the name points at a forbidden address"
      : "a name that is not in the config is checked on every connection";
    return this.refusal([
      {
        role,
        host: normaliseHost(hostname),
        issues: [
          {
            path: role.field,
            rule: "url.dns",
            message:
              `Host "${hostname}" resolved to ${describeAddresses(refused)} when connecting (rule url.dns); ${why}. ` +
              `Allow such addresses (${describeFixes(refused)}), or list the host in security.allowed_hostnames.`,
          },
        ],
      },
    ]);
  }

  private refusal(
    found: ReadonlyArray<{ role: UrlRole; host: string; issues: ConfigIssue[] }>,
  ): MCPConfigurationError {
    const subjects = found.map(({ role, host }) => (host ? `${role.what} (host "${host}")` : role.what));
    const issues = found.flatMap((f) => f.issues);
    const error = new MCPConfigurationError(
      `Server "${this.serverName}": refused ${subjects.join("; ")} by the security policy; nothing was sent there.\n${formatIssues(issues)}`,
      {
        issues,
        serverName: this.serverName,
        code: "CONFIG_INVALID",
        context: {
          rules: [...new Set(issues.map((i) => i.rule).filter(Boolean))],
          fields: found.map((f) => f.role.field),
        },
      },
    );
    this.refusals.unshift(error);
    this.refusals.length = Math.min(this.refusals.length, REMEMBERED_REFUSALS);
    return error;
  }

  private networkError(refusal: MCPConfigurationError): TypeError {
    return new TypeError(refusal.message, { cause: refusal });
  }
}

/** The host of a URL for messages (never its path or query), or "" when it does not parse. */
function hostOf(url: string | URL): string {
  const parsed = typeof url === "string" ? parseUrl(url) : url;
  return parsed ? normaliseHost(parsed.hostname) : "";
}

/** The URL a redirect answer points at, if it is one and names a valid one. */
function redirectTarget(url: URL, response: Response): URL | undefined {
  if (!REDIRECT_STATUSES.has(response.status)) return undefined;
  const location = response.headers.get("location");
  return location ? parseUrl(location, url) : undefined;
}

/** `new URL()` without the throw (`URL.parse` needs Node 22). */
function parseUrl(text: string, base?: URL): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

/** Whether following the redirect keeps the method (fetch turns other redirects of a POST into a GET). */
function keepsMethod(method: string | undefined, status: number): boolean {
  const upper = (method ?? "GET").toUpperCase();
  return upper === "GET" || upper === "HEAD" || status === 307 || status === 308;
}

/** The request init for a hop to another origin: only `HEADERS_KEPT_ACROSS_ORIGINS` go along. */
function forAnotherOrigin(init: RequestInit | undefined): RequestInit | undefined {
  if (!init?.headers) return init;
  const headers = new Headers();
  for (const [name, value] of new Headers(init.headers)) {
    if (HEADERS_KEPT_ACROSS_ORIGINS.has(name)) headers.set(name, value);
  }
  return { ...init, headers };
}

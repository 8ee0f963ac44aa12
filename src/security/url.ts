/**
 * Config-time checks of an HTTP server's `url`, stricter than MassGen's `security.py` where its
 * checks let requests through: `allow_private_ips` does not allow loopback (this machine is not a
 * private network; that takes `allow_localhost`), DNS answers are really checked when `resolve_dns`
 * is set (MassGen's check swallowed its own refusal), cloud metadata hosts are refused, and
 * plain `http://` to a remote host needs `allow_insecure_http`.
 *
 * Issues name the host (and resolved addresses) but never the whole URL, whose path or query may
 * carry secrets.
 */
import { promises as dns } from "node:dns";
import { isIP } from "node:net";

import type { ConfigIssue } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import { BLOCKED_PORTS, MAX_URL_LENGTH } from "./defaults.js";
import type { SecurityPolicy } from "./types.js";

/** What kind of address an IP literal is, for the SSRF rules. */
export type AddressKind =
  | "public"
  | "loopback"
  | "unspecified"
  | "private"
  | "shared"
  | "linkLocal"
  | "multicast"
  | "documentation"
  | "reserved";

/** Resolves a host name to all its addresses (the shape of `dns.promises.lookup(host, { all: true })`). */
export type HostLookup = (host: string) => Promise<Array<{ address: string; family: number }>>;

/** Host names of cloud metadata services; refused unless listed in `security.allowed_hostnames`. */
export const METADATA_HOSTNAMES: readonly string[] = Object.freeze([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
]);

/**
 * Addresses of cloud metadata and credential services: the instance metadata of AWS, GCP, Azure
 * and OCI (and AWS over IPv6), Alibaba's, the AWS ECS task metadata and credentials endpoint, and
 * the EKS Pod Identity agent (IPv4 and IPv6). Each hands out the machine's or the pod's cloud
 * credentials to whoever asks, so a server naming one is never followed, whatever
 * `allow_private_ips` says.
 */
export const METADATA_ADDRESSES: readonly string[] = Object.freeze([
  "169.254.169.254",
  "fd00:ec2::254",
  "100.100.100.200",
  "169.254.170.2",
  "169.254.170.23",
  "fd00:ec2::23",
]);

const LOCALHOST_NAMES = new Set(["localhost", "ip6-localhost", "ip6-loopback"]);
const BLOCKED = new Set(BLOCKED_PORTS);

// ---------------------------------------------------------------------------------------------
// IP parsing and classification

type ParsedIp = { v4: number } | { v6: number[] };

function parseIPv4(text: string): number | undefined {
  if (isIP(text) !== 4) return undefined;
  let value = 0;
  for (const part of text.split(".")) value = value * 256 + Number(part);
  return value;
}

function parseIPv6(input: string): number[] | undefined {
  const zone = input.indexOf("%");
  let text = zone === -1 ? input : input.slice(0, zone);
  if (isIP(text) !== 6) return undefined;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const v4 = parseIPv4(tail);
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const groups = (s: string): number[] => (s === "" ? [] : s.split(":").map((h) => Number.parseInt(h, 16)));
  const halves = text.split("::");
  if (halves.length === 1) return groups(text);
  const left = groups(halves[0]!);
  const right = groups(halves[1]!);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

function parseIp(address: string): ParsedIp | undefined {
  const bare = address.startsWith("[") && address.endsWith("]") ? address.slice(1, -1) : address;
  const v4 = parseIPv4(bare);
  if (v4 !== undefined) return { v4 };
  const v6 = parseIPv6(bare);
  return v6 === undefined ? undefined : { v6 };
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) address. */
function embeddedIPv4(g: readonly number[]): number | undefined {
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  const mapped = zero(0, 5) && g[5] === 0xffff;
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6);
  return mapped || nat64 ? g[6]! * 0x10000 + g[7]! : undefined;
}

function inV4(value: number, base: string, bits: number): boolean {
  const start = parseIPv4(base)!;
  const size = 2 ** (32 - bits);
  return value >= start && value < start + size;
}

function classifyV4(n: number): AddressKind {
  if (n === 0) return "unspecified";
  if (inV4(n, "0.0.0.0", 8)) return "reserved";
  if (inV4(n, "10.0.0.0", 8)) return "private";
  if (inV4(n, "100.64.0.0", 10)) return "shared";
  if (inV4(n, "127.0.0.0", 8)) return "loopback";
  if (inV4(n, "169.254.0.0", 16)) return "linkLocal";
  if (inV4(n, "172.16.0.0", 12)) return "private";
  if (inV4(n, "192.0.0.0", 24)) return "reserved";
  if (inV4(n, "192.0.2.0", 24)) return "documentation";
  if (inV4(n, "192.88.99.0", 24)) return "reserved";
  if (inV4(n, "192.168.0.0", 16)) return "private";
  if (inV4(n, "198.18.0.0", 15)) return "reserved";
  if (inV4(n, "198.51.100.0", 24)) return "documentation";
  if (inV4(n, "203.0.113.0", 24)) return "documentation";
  if (inV4(n, "224.0.0.0", 4)) return "multicast";
  if (inV4(n, "240.0.0.0", 4)) return "reserved";
  return "public";
}

function classifyV6(g: readonly number[]): AddressKind {
  const [g0 = 0, g1 = 0] = g;
  if (g.every((x) => x === 0)) return "unspecified";
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return "loopback";
  const v4 = embeddedIPv4(g);
  if (v4 !== undefined) return classifyV4(v4);
  if (g0 === 0x64 && g1 === 0xff9b && g[2] === 1) return "private"; // 64:ff9b:1::/48 local NAT64
  if (g0 < 0x100) return "reserved"; // ::/8, including IPv4-compatible and SIIT forms
  if (g0 === 0x100 && g1 === 0 && g[2] === 0 && g[3] === 0) return "reserved"; // 100::/64 discard
  if (g0 === 0x2001 && g1 === 0xdb8) return "documentation";
  if (g0 === 0x2001 && g1 < 0x200) return "reserved"; // 2001::/23 IETF protocol assignments
  if (g0 === 0x2002) return "reserved"; // 6to4
  if (g0 === 0x3fff && g1 < 0x1000) return "documentation"; // 3fff::/20
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return "linkLocal";
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  if ((g0 & 0xe000) === 0x2000) return "public"; // 2000::/3 global unicast
  return "reserved";
}

/**
 * Classifies an IP address literal (IPv4 dotted-quad, IPv6 with or without brackets or a zone id).
 * IPv4-mapped and NAT64 IPv6 addresses are classified by the IPv4 address they carry.
 * Returns `undefined` when `address` is not an IP literal.
 */
export function classifyIp(address: string): AddressKind | undefined {
  const ip = parseIp(address);
  if (!ip) return undefined;
  return "v4" in ip ? classifyV4(ip.v4) : classifyV6(ip.v6);
}

const METADATA_PARSED = METADATA_ADDRESSES.map((a) => parseIp(a)!);

function sameIp(a: ParsedIp, b: ParsedIp): boolean {
  if ("v4" in a || "v4" in b) return "v4" in a && "v4" in b && a.v4 === b.v4;
  return a.v6.every((x, i) => x === b.v6[i]);
}

/**
 * True for a cloud metadata service address, also in IPv4-mapped, NAT64 or the deprecated
 * IPv4-compatible form (`::169.254.169.254`, which some stacks still hand to IPv4).
 */
export function isMetadataAddress(address: string): boolean {
  let ip = parseIp(address);
  if (!ip) return false;
  if ("v6" in ip) {
    const g = ip.v6;
    const compatible = g.slice(0, 6).every((x) => x === 0) && g[6] !== 0;
    const v4 = embeddedIPv4(g) ?? (compatible ? g[6]! * 0x10000 + g[7]! : undefined);
    if (v4 !== undefined) ip = { v4 };
  }
  const parsed = ip;
  return METADATA_PARSED.some((m) => sameIp(m, parsed));
}

/** A host name as the rules compare it: lower case, without IPv6 brackets or a trailing dot. */
export function normaliseHost(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith("[") && name.endsWith("]")) name = name.slice(1, -1);
  if (name.endsWith(".")) name = name.slice(0, -1);
  return name;
}

/** `localhost`, `*.localhost` (RFC 6761), `ip6-localhost`, `ip6-loopback` (a trailing dot is ignored). */
export function isLocalhostName(host: string): boolean {
  const name = normaliseHost(host);
  return LOCALHOST_NAMES.has(name) || name.endsWith(".localhost");
}

const KIND_TEXT: Record<AddressKind, string> = {
  public: "a public address",
  loopback: "a loopback address",
  unspecified: "the unspecified address (it reaches this machine)",
  private: "a private address",
  shared: "a shared (carrier-grade NAT) address",
  linkLocal: "a link-local address",
  multicast: "a multicast address",
  documentation: "a documentation address",
  reserved: "a reserved address",
};

/** Why the policy refuses an IP address, or undefined when it is allowed. */
export function addressRefusal(
  address: string,
  policy: Pick<SecurityPolicy, "allowLocalhost" | "allowPrivateIps">,
): { rule: string; reason: string; fix: string } | undefined {
  if (isMetadataAddress(address)) {
    return {
      rule: "url.metadataHost",
      reason: "a cloud metadata service address",
      fix: "list the host in security.allowed_hostnames if you really mean to reach it",
    };
  }
  const kind = classifyIp(address);
  if (kind === undefined || kind === "public") return undefined;
  const reason = KIND_TEXT[kind];
  if (kind === "loopback") {
    return policy.allowLocalhost
      ? undefined
      : { rule: "url.localhost", reason, fix: "set security.allow_localhost: true for a local server" };
  }
  if (!policy.allowPrivateIps) {
    return {
      rule: "url.privateAddress",
      reason,
      fix: "set security.allow_private_ips: true if this is intended",
    };
  }
  if (kind === "unspecified" && !policy.allowLocalhost) {
    return { rule: "url.localhost", reason, fix: "set security.allow_localhost: true for a local server" };
  }
  return undefined;
}

function isMetadataHostname(name: string): boolean {
  return METADATA_HOSTNAMES.includes(name);
}

/** Matches an invalid URL whose port is out of range, so the issue can say so. */
const PORT_IN_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*:(\d+)(?:[/?#]|$)/i;

/**
 * Checks an HTTP server's `url`: http(s) only, at most 2048 characters, a host name, no user
 * name or password, host and address rules (localhost and loopback need `allowLocalhost`;
 * private, link-local, shared, multicast, reserved and documentation addresses need
 * `allowPrivateIps`; cloud metadata hosts are refused), a port in 1–65535 that is not blocked,
 * and `http://` only to loopback unless `allowInsecureHttp`. Hosts in `allowedHostnames`
 * (exact, case-insensitive) skip the host and address rules, not the port or scheme rules.
 *
 * @param name how messages refer to the URL (a URL a server named is not the config's `url`).
 */
export function checkUrl(url: unknown, policy: SecurityPolicy, name = "`url`"): ConfigIssue[] {
  if (url === undefined || url === null || url === "") {
    return [issue("url", "url.required", "An HTTP server needs a `url` (rule url.required).")];
  }
  if (typeof url !== "string") {
    return [issue("url", "url.type", `\`url\` must be a string, not ${typeof url} (rule url.type).`)];
  }
  if (url.length > MAX_URL_LENGTH) {
    return [
      issue(
        "url",
        "url.length",
        `${name} is ${url.length} characters long; the limit is ${MAX_URL_LENGTH} (rule url.length).`,
      ),
    ];
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const port = PORT_IN_AUTHORITY.exec(url.trim())?.[1];
    if (port !== undefined && Number(port) > 65535) {
      return [issue("url", "url.port", `Port ${port} is out of range; use 1–65535 (rule url.port).`)];
    }
    return [
      issue(
        "url",
        "url.syntax",
        `${name} is not a valid absolute URL (rule url.syntax); write it like https://example.com/mcp.`,
      ),
    ];
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    return [
      issue(
        "url",
        "url.scheme",
        `URL scheme "${parsed.protocol.slice(0, -1).slice(0, 20)}" is not allowed (rule url.scheme); only http and https are.`,
      ),
    ];
  }
  const issues: ConfigIssue[] = [];
  if (parsed.username !== "" || parsed.password !== "") {
    issues.push(
      issue(
        "url",
        "url.credentials",
        `${name} contains a user name or password (rule url.credentials). Remove them from the URL and ` +
          "send credentials in `headers` (for example Authorization).",
      ),
    );
  }
  const host = normaliseHost(parsed.hostname);
  if (host === "") {
    issues.push(issue("url", "url.host", `${name} has no host name (rule url.host).`));
    return issues;
  }
  const allowlisted = policy.allowedHostnames.some((h) => normaliseHost(h) === host);
  const isLoopback = isLocalhostName(host) || classifyIp(host) === "loopback";

  if (!allowlisted) {
    if (isMetadataHostname(host)) {
      issues.push(
        issue(
          "url",
          "url.metadataHost",
          `Host "${host}" is a cloud metadata service (rule url.metadataHost). It is refused even with ` +
            "security.allow_private_ips; list it in security.allowed_hostnames if you really mean to reach it.",
        ),
      );
    } else if (isLocalhostName(host)) {
      if (!policy.allowLocalhost) {
        issues.push(
          issue(
            "url",
            "url.localhost",
            `Host "${host}" is this machine (rule url.localhost). Set security.allow_localhost: true for a local server.`,
          ),
        );
      }
    } else {
      const refusal = addressRefusal(host, policy);
      if (refusal) {
        issues.push(
          issue(
            "url",
            refusal.rule,
            `Host ${host} is ${refusal.reason} (rule ${refusal.rule}); ${refusal.fix}.`,
          ),
        );
      }
    }
  }

  if (parsed.port !== "") {
    const port = Number(parsed.port);
    if (port < 1 || port > 65535) {
      issues.push(issue("url", "url.port", `Port ${port} is out of range; use 1–65535 (rule url.port).`));
    } else if (BLOCKED.has(port)) {
      issues.push(
        issue(
          "url",
          "url.port",
          `Port ${port} is reserved for another service (SSH, SMTP, DNS, SMB, databases, RDP, Redis) and is ` +
            "never allowed for an MCP server (rule url.port). Run the server on another port.",
        ),
      );
    }
  }

  if (parsed.protocol === "http:" && !isLoopback && !policy.allowInsecureHttp) {
    issues.push(
      issue(
        "url",
        "url.insecureHttp",
        `Plain http:// to "${host}" is refused at security level "${policy.level}" (rule url.insecureHttp): ` +
          "requests and credentials would travel unencrypted. Use https://, or set security.allow_insecure_http: true.",
      ),
    );
  }
  return issues;
}

/**
 * When `policy.resolveDns` is set, resolves the URL's host name and applies the address rules to
 * every address it resolves to; any forbidden address refuses the URL (`url.dns`), and so does a
 * failed lookup. Skipped (returns `[]`) when `resolveDns` is false, for IP literals, for hosts in
 * `allowedHostnames`, for localhost and metadata names (which `checkUrl` decides), and for URLs
 * that do not parse (`checkUrl` reports those).
 *
 * This checks the addresses at the time of the call; the connection itself resolves again.
 */
export async function checkResolvedAddresses(
  url: string,
  policy: SecurityPolicy,
  lookup: HostLookup = (host) => dns.lookup(host, { all: true }),
): Promise<ConfigIssue[]> {
  if (!policy.resolveDns) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const host = normaliseHost(parsed.hostname);
  if (
    host === "" ||
    classifyIp(host) !== undefined ||
    isLocalhostName(host) ||
    isMetadataHostname(host) ||
    policy.allowedHostnames.some((h) => normaliseHost(h) === host)
  ) {
    return [];
  }
  let results: Array<{ address: string; family: number }>;
  try {
    results = await lookup(host);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    return [
      issue(
        "url",
        "url.dns",
        `Host "${host}" could not be resolved${typeof code === "string" ? ` (${code})` : ""} (rule url.dns), ` +
          "so its addresses cannot be checked. Fix the host name, or turn off security.resolve_dns.",
      ),
    ];
  }
  if (results.length === 0) {
    return [
      issue(
        "url",
        "url.dns",
        `Host "${host}" resolved to no addresses (rule url.dns). Fix the host name, or turn off security.resolve_dns.`,
      ),
    ];
  }
  const refused = refusedAddresses(results, policy);
  if (refused.length === 0) return [];
  return [
    issue(
      "url",
      "url.dns",
      `Host "${host}" resolves to ${describeAddresses(refused)} (rule url.dns). A public name pointing at such addresses is ` +
        `refused unless allowed: ${describeFixes(refused)}, or list the host in security.allowed_hostnames.`,
    ),
  ];
}

/** An address a host name resolved to that the policy refuses, with why and how to allow it. */
export interface RefusedAddress {
  address: string;
  reason: string;
  fix: string;
}

/**
 * The addresses among DNS answers that the address rules refuse (each once, in answer order); an
 * answer that is not an IP address is refused too. The `url.dns` rule behind `checkResolvedAddresses`
 * and the transport's connect-time check.
 */
export function refusedAddresses(
  results: ReadonlyArray<{ address: string }>,
  policy: Pick<SecurityPolicy, "allowLocalhost" | "allowPrivateIps">,
): RefusedAddress[] {
  const refused = new Map<string, RefusedAddress>();
  for (const { address } of results) {
    if (refused.has(address)) continue;
    if (classifyIp(address) === undefined) {
      refused.set(address, { address, reason: "not an IP address", fix: "check the resolver" });
      continue;
    }
    const refusal = addressRefusal(address, policy);
    if (refusal) refused.set(address, { address, reason: refusal.reason, fix: refusal.fix });
  }
  return [...refused.values()];
}

/** `10.0.0.5 (a private address), 127.0.0.1 (a loopback address)`. */
export function describeAddresses(refused: readonly RefusedAddress[]): string {
  return refused.map((r) => `${r.address} (${r.reason})`).join(", ");
}

/** The distinct fixes of refused addresses, joined for a message. */
export function describeFixes(refused: readonly RefusedAddress[]): string {
  return [...new Set(refused.map((r) => r.fix))].join("; ");
}

// ---------------------------------------------------------------------------------------------
// URLs that were not in the config

/** Where a URL that was not in the config came from, for the refusal's message. */
export interface UrlRole {
  /** The header, field or event that named it, e.g. `WWW-Authenticate resource_metadata`, `token_endpoint`. */
  field: string;
  /** What it is, in words: "the OAuth protected-resource metadata the server named in its 401 answer". */
  what: string;
}

/** A URL to check, and where it came from (for a refusal's message). */
export interface NamedUrl {
  url: string | URL;
  role: UrlRole;
}

/** A URL from the config (`auth.idp.issuer`, …) and its key: a host the user named, not the server. */
export interface ConfiguredUrl {
  field: string;
  url: string;
}

/**
 * Checks a URL that a server named — OAuth discovery, registration and token endpoints, a redirect's
 * `Location`, the legacy-SSE POST endpoint — before anything is sent to it, with exactly the rules
 * `checkUrl` applies to the configured `url` (scheme, length, credentials, host and address, port,
 * plain http). Its DNS answers are checked when the transport connects. Each issue's `path` is the
 * field that named the URL; messages name the host, never the path or query (they may carry codes
 * or tokens).
 */
export function checkNamedUrl(url: string | URL, policy: SecurityPolicy, role: UrlRole): ConfigIssue[] {
  return checkUrl(String(url), policy, "The URL").map((found) => ({ ...found, path: role.field }));
}

// checkNamedUrl: a URL the server named gets exactly the rules of the configured `url` (issue 11
// item 2), whatever its role; the issue's path is the field that named it.
import { describe, expect, expectTypeOf, it } from "vitest";

import type { OAuthProviderOptions } from "../../../src/auth/provider.js";
import type { TransportGuard } from "../../../src/auth/session.js";
import { defaultSecurityPolicy } from "../../../src/security/defaults.js";
import type { SecurityLevel, SecurityPolicy } from "../../../src/security/types.js";
import {
  checkNamedUrl,
  checkUrl,
  type NamedUrl,
  refusedAddresses,
  type UrlRole,
} from "../../../src/security/url.js";
import type { UrlGuard } from "../../../src/transport/guardedFetch.js";

const SECRET = "c0de-0r-t0ken-SECRET";

function policy(level: SecurityLevel = "strict", overrides: Partial<SecurityPolicy> = {}): SecurityPolicy {
  return { ...defaultSecurityPolicy(level), ...overrides };
}

const ROLES: UrlRole[] = [
  { field: "WWW-Authenticate resource_metadata", what: "the protected-resource metadata" },
  { field: "authorization_servers", what: "the authorization server" },
  { field: "token_endpoint", what: "the token endpoint" },
  { field: "registration_endpoint", what: "the registration endpoint" },
  { field: "authorization_endpoint", what: "the authorization endpoint" },
  { field: "Location", what: "a redirect target" },
  { field: "endpoint event", what: "the legacy-SSE POST endpoint" },
];

function rulesOf(url: string, p: SecurityPolicy, role: UrlRole = ROLES[0]!): string[] {
  return checkNamedUrl(url, p, role).map((issue) => issue.rule ?? "");
}

describe("checkNamedUrl", () => {
  describe.each(ROLES)("as $field", (role) => {
    it.each([
      ["https://169.254.169.254/latest/meta-data/", "url.metadataHost"],
      ["https://[fd00:ec2::254]/", "url.metadataHost"],
      ["https://[::ffff:169.254.169.254]/", "url.metadataHost"],
      ["https://100.100.100.200/", "url.metadataHost"],
      ["https://metadata.google.internal/computeMetadata/v1/", "url.metadataHost"],
      ["https://10.0.0.1/register", "url.privateAddress"],
      ["https://192.168.1.10/token", "url.privateAddress"],
      ["https://[fc00::1]/", "url.privateAddress"],
      ["https://169.254.10.10/", "url.privateAddress"],
      ["https://localhost/x", "url.localhost"],
      ["https://127.0.0.1:8443/x", "url.localhost"],
      ["https://[::1]/x", "url.localhost"],
      ["http://auth.example.com/token", "url.insecureHttp"],
      ["https://auth.example.com:6379/", "url.port"],
      ["file:///etc/passwd", "url.scheme"],
      ["https://user:pw@auth.example.com/", "url.credentials"],
    ])("refuses %s (%s), naming the field", (url, rule) => {
      const issues = checkNamedUrl(url, policy(), role);
      expect(issues.map((i) => i.rule)).toContain(rule);
      expect(issues.every((i) => i.path === role.field)).toBe(true);
    });

    it("passes a public https URL", () => {
      expect(
        checkNamedUrl("https://auth.example.com/.well-known/oauth-authorization-server", policy(), role),
      ).toEqual([]);
    });
  });

  it("gives the same verdict as the config-time check of `url`, under every level and switch", () => {
    const urls = [
      "https://169.254.169.254/",
      "http://10.0.0.1/",
      "http://127.0.0.1:9/",
      "https://localhost/",
      "http://example.com/",
      "https://example.com:22/",
      "https://internal.example/",
    ];
    const policies = [
      policy("strict"),
      policy("moderate"),
      policy("permissive"),
      policy("strict", { allowLocalhost: true }),
      policy("strict", { allowPrivateIps: true, allowInsecureHttp: true }),
      policy("strict", { allowedHostnames: ["169.254.169.254", "internal.example"] }),
    ];
    for (const p of policies) {
      for (const url of urls) {
        const named = checkNamedUrl(url, p, ROLES[2]!).map((i) => i.rule);
        expect(named, `${url} under ${JSON.stringify(p.allowedHostnames)} ${p.level}`).toEqual(
          checkUrl(url, p).map((i) => i.rule),
        );
      }
    }
  });

  it("applies allow_localhost and allow_private_ips as for the configured url; metadata stays refused", () => {
    const open = policy("permissive");
    expect(rulesOf("http://127.0.0.1:9/x", open)).toEqual([]);
    expect(rulesOf("http://10.0.0.1/x", open)).toEqual([]);
    expect(rulesOf("http://169.254.169.254/x", open)).toEqual(["url.metadataHost"]);
    expect(
      rulesOf("https://169.254.169.254/x", policy("strict", { allowedHostnames: ["169.254.169.254"] })),
    ).toEqual([]);
  });

  it("names the host, never the path or query, which may carry codes or tokens", () => {
    const issues = [
      ...checkNamedUrl(`https://169.254.169.254/x?code=${SECRET}`, policy(), ROLES[5]!),
      ...checkNamedUrl(`http://10.0.0.1:22/${SECRET}`, policy(), ROLES[2]!),
      ...checkNamedUrl(`https://u:${SECRET}@localhost/`, policy(), ROLES[0]!),
    ];
    expect(issues.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
    expect(issues.map((i) => i.message).join(" ")).toContain("169.254.169.254");
  });

  it("refers to the URL as a URL, not as the config's `url`", () => {
    const [issue] = checkNamedUrl("https://u:p@auth.example.com/", policy(), ROLES[2]!);
    expect(issue?.message).toMatch(/^The URL contains a user name or password/);
  });
});

describe("refusedAddresses (the url.dns rule for DNS answers)", () => {
  it("lists each refused address once, in answer order, with why and how to allow it", () => {
    const refused = refusedAddresses(
      [
        { address: "93.184.216.34" },
        { address: "10.0.0.5" },
        { address: "::ffff:169.254.169.254" },
        { address: "10.0.0.5" },
        { address: "127.0.0.1" },
        { address: "not-an-ip" },
      ],
      policy(),
    );
    expect(refused.map((r) => r.address)).toEqual([
      "10.0.0.5",
      "::ffff:169.254.169.254",
      "127.0.0.1",
      "not-an-ip",
    ]);
    expect(refused[0]!.fix).toContain("allow_private_ips");
    expect(refused[2]!.fix).toContain("allow_localhost");
  });

  it("follows the policy's switches", () => {
    const answers = [{ address: "10.0.0.5" }, { address: "127.0.0.1" }];
    expect(refusedAddresses(answers, policy("permissive"))).toEqual([]);
    expect(
      refusedAddresses(answers, policy("strict", { allowPrivateIps: true })).map((r) => r.address),
    ).toEqual(["127.0.0.1"]);
  });
});

describe("one type for a URL and where it came from", () => {
  it("the URL guard, the auth provider and the auth session take the same NamedUrl", () => {
    type GuardTakes = Parameters<UrlGuard["refuse"]>[0];
    type ProviderTakes = Parameters<NonNullable<OAuthProviderOptions["refuse"]>>[0];
    type SessionTakes = Parameters<TransportGuard["refuse"]>[0];
    expectTypeOf<GuardTakes>().toEqualTypeOf<readonly NamedUrl[]>();
    expectTypeOf<ProviderTakes>().toEqualTypeOf<readonly NamedUrl[]>();
    expectTypeOf<SessionTakes>().toEqualTypeOf<readonly NamedUrl[]>();
    const named: NamedUrl = { url: new URL("https://example.com/"), role: ROLES[0]! };
    expect(checkNamedUrl(named.url, policy(), named.role)).toEqual([]);
  });
});

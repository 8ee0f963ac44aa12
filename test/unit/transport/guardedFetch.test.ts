// UrlGuard without sockets: a fake `fetch` behind it, an injected resolver for its connect-time
// lookup. Every refusal must happen before the fake sees the request.
import type { LookupAddress } from "node:dns";

import { describe, expect, it } from "vitest";

import { MCPConfigurationError } from "../../../src/errors/errors.js";
import { defaultSecurityPolicy } from "../../../src/security/defaults.js";
import type { SecurityPolicy } from "../../../src/security/types.js";
import { UrlGuard, type UrlGuardOptions } from "../../../src/transport/guardedFetch.js";

const SERVER = "https://mcp.example.com/mcp";

/** A public address for every name (no real DNS in unit tests); tests of the DNS rule pass their own. */
const PUBLIC_LOOKUP = () => Promise.resolve([{ address: "93.184.215.14", family: 4 }]);

function guard(policy: Partial<SecurityPolicy> = {}, options: Partial<UrlGuardOptions> = {}) {
  return new UrlGuard({
    serverName: "srv",
    serverUrl: SERVER,
    policy: { ...defaultSecurityPolicy("strict"), ...policy },
    lookup: PUBLIC_LOOKUP,
    ...options,
  });
}

/** A fake `fetch` answering from `answer`, recording every request. */
function fake(answer: (url: URL, init?: RequestInit) => Response = () => new Response("{}")) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fetch = async (input: string | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return answer(new URL(String(input)), init);
  };
  return { fetch, calls };
}

function redirect(location: string, status = 302): Response {
  return new Response(null, { status, headers: { location } });
}

const rulesOf = (error: MCPConfigurationError) => error.issues.map((issue) => issue.rule);

async function rejection(promise: Promise<unknown>): Promise<MCPConfigurationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  // Rejected as fetch rejects a request it cannot make, with the typed refusal as the cause.
  expect(error).toBeInstanceOf(TypeError);
  const cause = (error as Error).cause;
  expect(cause).toBeInstanceOf(MCPConfigurationError);
  expect((error as Error).message).toBe((cause as Error).message);
  return cause as MCPConfigurationError;
}

describe("UrlGuard.fetch", () => {
  it("refuses a forbidden URL before the request leaves, naming the rule and the role", async () => {
    const base = fake();
    const refused = await rejection(
      guard().fetch(base.fetch)("https://169.254.169.254/.well-known/oauth-authorization-server?x=1"),
    );
    expect(base.calls).toEqual([]);
    expect(refused.issues).toEqual([
      expect.objectContaining({ path: "authorization-server metadata URL", rule: "url.metadataHost" }),
    ]);
    expect(refused.message).toMatch(
      /^Server "srv": refused the OAuth authorization-server metadata \(host "169\.254\.169\.254"\) by the security policy; nothing was sent there\./,
    );
    expect(refused.message).not.toContain("x=1");
    expect(refused.serverName).toBe("srv");
    expect(refused.context).toMatchObject({ rules: ["url.metadataHost"] });
  });

  it("passes an allowed request through unchanged (same input, same init)", async () => {
    const base = fake();
    const init = { method: "POST", body: "{}", redirect: "manual" as const };
    const response = await guard().fetch(base.fetch)(SERVER, init);
    expect(response.status).toBe(200);
    expect(base.calls).toEqual([{ url: SERVER, init }]);
  });

  it("labels requests by what they are: configured URLs by their key, well-known paths by name", async () => {
    const g = guard(
      {},
      { configuredUrls: [{ field: "auth.idp.token_endpoint", url: "https://10.1.1.1/token" }] },
    );
    const f = g.fetch(fake().fetch);
    expect((await rejection(f("https://10.1.1.1/token"))).issues[0]?.path).toBe("auth.idp.token_endpoint");
    expect(
      (await rejection(f("https://10.1.1.1/.well-known/oauth-protected-resource/mcp"))).issues[0]?.path,
    ).toBe("protected-resource metadata URL");
    expect((await rejection(f("https://10.1.1.1/.well-known/openid-configuration"))).issues[0]?.path).toBe(
      "authorization-server metadata URL",
    );
    expect((await rejection(f("https://10.1.1.1/register"))).issues[0]?.path).toBe("request URL");
  });

  it("refuses a WWW-Authenticate resource_metadata at a forbidden address, and frees the answer", async () => {
    let cancelled = false;
    const base = fake(
      () =>
        new Response(
          new ReadableStream({
            cancel() {
              cancelled = true;
            },
          }),
          {
            status: 401,
            headers: { "www-authenticate": 'Bearer resource_metadata="http://10.0.0.1/prm", scope="x"' },
          },
        ),
    );
    const refused = await rejection(guard().fetch(base.fetch)(SERVER, { method: "POST" }));
    expect(refused.issues.map((i) => [i.path, i.rule])).toContainEqual([
      "WWW-Authenticate resource_metadata",
      "url.privateAddress",
    ]);
    expect(cancelled).toBe(true);
    expect(base.calls).toHaveLength(1);
  });

  it("lets a 401 naming allowed metadata through", async () => {
    const base = fake(
      () =>
        new Response(null, {
          status: 401,
          headers: { "www-authenticate": `Bearer resource_metadata="https://mcp.example.com/.well-known/x"` },
        }),
    );
    expect((await guard().fetch(base.fetch)(SERVER)).status).toBe(401);
  });

  describe("redirects", () => {
    it("with redirect: manual (as the SDK asks), returns an allowed redirect and refuses a forbidden target", async () => {
      const allowed = fake(() => redirect("/other"));
      expect((await guard().fetch(allowed.fetch)(SERVER, { redirect: "manual" })).status).toBe(302);
      expect(allowed.calls).toHaveLength(1);

      const hostile = fake(() => redirect("http://169.254.169.254/latest/meta-data/"));
      const refused = await rejection(guard().fetch(hostile.fetch)(SERVER, { redirect: "manual" }));
      expect(refused.issues).toContainEqual(
        expect.objectContaining({ path: "Location", rule: "url.metadataHost" }),
      );
      expect(refused.message).toContain('the target of a redirect from host "mcp.example.com"');
      expect(hostile.calls).toHaveLength(1);
    });

    it("follows for a caller that asks fetch to, hop by hop, each hop checked and sent as manual", async () => {
      const base = fake((url) =>
        url.pathname === "/a"
          ? redirect("https://auth.example.com/b", 307)
          : url.pathname === "/b"
            ? redirect("https://10.0.0.1/c", 301)
            : new Response("never"),
      );
      const refused = await rejection(
        guard().fetch(base.fetch)("https://mcp.example.com/a", { headers: { authorization: "Bearer t" } }),
      );
      expect(refused.issues).toContainEqual(
        expect.objectContaining({ path: "Location", rule: "url.privateAddress" }),
      );
      expect(base.calls.map((c) => c.url)).toEqual([
        "https://mcp.example.com/a",
        "https://auth.example.com/b",
      ]);
      expect(base.calls.every((c) => c.init?.redirect === "manual")).toBe(true);
      // A change of origin drops the credentials, as fetch does.
      expect(new Headers(base.calls[1]!.init?.headers).has("authorization")).toBe(false);
    });

    it("a hop to another origin carries none of the configured headers, credentials or the session id", async () => {
      const base = fake((url) =>
        url.hostname === "mcp.example.com" && url.pathname === "/a"
          ? redirect("/b", 307)
          : url.pathname === "/b"
            ? redirect("https://elsewhere.example.net/c", 308)
            : new Response("end"),
      );
      const headers = {
        "X-Api-Key": "k3y-SECRET",
        "X-Tenant": "acme",
        Authorization: "Bearer t",
        Cookie: "session=1",
        "Mcp-Session-Id": "s-1",
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "Mcp-Protocol-Version": "2025-06-18",
      };
      const response = await guard().fetch(base.fetch)("https://mcp.example.com/a", {
        method: "POST",
        body: "{}",
        headers,
      });
      expect(await response.text()).toBe("end");
      const sent = base.calls.map((call) => Object.fromEntries(new Headers(call.init?.headers)));
      // The same origin keeps everything; the other origin gets only content negotiation.
      expect(sent[1]).toEqual(Object.fromEntries(new Headers(headers)));
      expect(sent[2]).toEqual({
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-06-18",
      });
    });

    it("follows an allowed chain to its end and stops after five hops", async () => {
      let hops = 0;
      const base = fake(() => (hops++ < 10 ? redirect(`/hop${hops}`) : new Response("end")));
      const response = await guard().fetch(base.fetch)(SERVER);
      expect(response.status).toBe(302);
      expect(base.calls).toHaveLength(6);
    });

    it("does not turn a redirected POST into a GET: the redirect is returned as it is", async () => {
      const base = fake(() => redirect("https://mcp.example.com/elsewhere", 302));
      const response = await guard().fetch(base.fetch)(SERVER, { method: "POST", body: "{}" });
      expect(response.status).toBe(302);
      expect(base.calls).toHaveLength(1);
    });
  });
});

describe("UrlGuard.fetch over a caller's own fetch: DNS checked before sending", () => {
  /** Answers `address` for every name and records what it was asked. */
  function resolver(address: string) {
    const asked: string[] = [];
    const lookup = (host: string) => {
      asked.push(host);
      return Promise.resolve([{ address, family: address.includes(":") ? 6 : 4 }]);
    };
    return { lookup, asked };
  }

  it("a host name the server named resolving to a forbidden address is refused (url.dns); nothing is sent", async () => {
    for (const address of ["127.0.0.1", "169.254.169.254", "10.0.0.7", "fd00:ec2::254"]) {
      const dns = resolver(address);
      const base = fake();
      const refused = await rejection(
        guard({}, { lookup: dns.lookup }).fetch(base.fetch)("https://rebind.example.org/token"),
      );
      expect(base.calls).toEqual([]);
      expect(dns.asked).toEqual(["rebind.example.org"]);
      expect(refused.issues).toEqual([expect.objectContaining({ path: "host", rule: "url.dns" })]);
      expect(refused.message).toContain(`Host "rebind.example.org" resolved to ${address}`);
    }
  });

  it("each hop of a followed redirect is checked too", async () => {
    const asked: string[] = [];
    const lookup = (host: string) => {
      asked.push(host);
      return Promise.resolve([
        { address: host === "auth.example.org" ? "93.184.215.14" : "127.0.0.1", family: 4 },
      ]);
    };
    const base = fake((url) =>
      url.hostname === "auth.example.org" ? redirect("https://rebind.example.org/x") : new Response("never"),
    );
    const refused = await rejection(
      guard({}, { lookup }).fetch(base.fetch)("https://auth.example.org/start"),
    );
    expect(rulesOf(refused)).toEqual(["url.dns"]);
    expect(base.calls.map((c) => c.url)).toEqual(["https://auth.example.org/start"]);
    expect(asked).toEqual(["auth.example.org", "rebind.example.org"]);
  });

  it("configured hosts, allowed_hostnames and IP literals are not resolved again; public answers pass", async () => {
    const dns = resolver("127.0.0.1");
    const g = guard(
      { allowedHostnames: ["trusted.example.org"], allowPrivateIps: true },
      { lookup: dns.lookup, configuredUrls: [{ field: "auth.idp.issuer", url: "https://idp.example.org/" }] },
    );
    const base = fake();
    const f = g.fetch(base.fetch);
    for (const url of [
      SERVER,
      "https://idp.example.org/token",
      "https://trusted.example.org/x",
      "https://10.0.0.7/y",
    ])
      expect((await f(url)).status).toBe(200);
    expect(dns.asked).toEqual([]);
    const publicDns = resolver("93.184.215.14");
    expect(
      (await guard({}, { lookup: publicDns.lookup }).fetch(base.fetch)("https://as.example.org/")).status,
    ).toBe(200);
    expect(publicDns.asked).toEqual(["as.example.org"]);
  });

  it("a name that does not resolve is not sent: it could not be checked", async () => {
    const lookup = () =>
      Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }));
    const base = fake();
    const error = await guard({}, { lookup })
      .fetch(base.fetch)("https://nowhere.example.org/")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(
      'Host "nowhere.example.org" could not be resolved for the address check (ENOTFOUND)',
    );
    expect(base.calls).toEqual([]);
  });

  it("the transport's own pool (checksDnsOnConnect) is not resolved twice: its connectLookup checks", async () => {
    const dns = resolver("127.0.0.1");
    const base = fake();
    const f = guard({}, { lookup: dns.lookup }).fetch(base.fetch, { checksDnsOnConnect: true });
    expect((await f("https://rebind.example.org/token")).status).toBe(200);
    expect(dns.asked).toEqual([]);
  });
});

describe("UrlGuard.connectLookup", () => {
  type Result = {
    error: NodeJS.ErrnoException | null;
    address?: string | LookupAddress[] | undefined;
    family?: number | undefined;
  };

  function lookup(g: UrlGuard, hostname: string, all = false): Promise<Result> {
    return new Promise((resolve) => {
      g.connectLookup(hostname, { all }, (error, address, family) => resolve({ error, address, family }));
    });
  }

  function resolver(answers: Record<string, string[]>) {
    const asked: string[] = [];
    const resolve = async (host: string) => {
      asked.push(host);
      return (answers[host] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    };
    return { resolve, asked };
  }

  const answers = { "mcp.example.com": ["10.0.0.7"], "auth.example.net": ["10.0.0.8", "93.184.216.34"] };

  it("the configured host is checked only with resolve_dns (as at config time)", async () => {
    const dns = resolver(answers);
    expect(await lookup(guard({}, { lookup: dns.resolve }), "mcp.example.com")).toEqual({
      error: null,
      address: "10.0.0.7",
      family: 4,
    });
    const checked = await lookup(guard({ resolveDns: true }, { lookup: dns.resolve }), "mcp.example.com");
    expect(checked.error).toBeInstanceOf(MCPConfigurationError);
    expect((checked.error as MCPConfigurationError).issues).toEqual([
      expect.objectContaining({ path: "url", rule: "url.dns" }),
    ]);
  });

  it("a host name the server named is checked always", async () => {
    const dns = resolver(answers);
    const refused = await lookup(guard({}, { lookup: dns.resolve }), "auth.example.net", true);
    expect(refused.error).toBeInstanceOf(MCPConfigurationError);
    const error = refused.error as MCPConfigurationError;
    expect(error.issues).toEqual([expect.objectContaining({ path: "host", rule: "url.dns" })]);
    expect(error.message).toContain("10.0.0.8 (a private address)");
    expect(error.message).not.toContain("93.184.216.34");
    expect(error.message).toContain("nothing was sent there");
  });

  it("names from the config (auth.idp.*) count as configured; allowed_hostnames skip the check", async () => {
    const dns = resolver(answers);
    const idp = guard(
      {},
      {
        lookup: dns.resolve,
        configuredUrls: [{ field: "auth.idp.issuer", url: "https://auth.example.net/" }],
      },
    );
    expect((await lookup(idp, "auth.example.net", true)).error).toBeNull();
    const allowed = guard(
      { resolveDns: true, allowedHostnames: ["AUTH.example.net"] },
      { lookup: dns.resolve },
    );
    expect((await lookup(allowed, "auth.example.net", true)).address).toEqual([
      { address: "10.0.0.8", family: 4 },
      { address: "93.184.216.34", family: 4 },
    ]);
  });

  it("passes public answers and lookup failures on", async () => {
    const dns = resolver({ "ok.example.org": ["93.184.216.34"] });
    expect(await lookup(guard({}, { lookup: dns.resolve }), "ok.example.org")).toEqual({
      error: null,
      address: "93.184.216.34",
      family: 4,
    });
    const failed = await lookup(guard({}, { lookup: dns.resolve }), "none.example.org");
    expect(failed.error).toMatchObject({ code: "ENOTFOUND" });
  });
});

describe("UrlGuard.explain (legacy-SSE start failures)", () => {
  it("turns the SDK's foreign-endpoint refusal into a typed one, by the address rules first", () => {
    const g = guard();
    const metadata = g.explain(
      new Error("Endpoint origin does not match connection origin: http://169.254.169.254"),
    ) as MCPConfigurationError;
    expect(metadata).toBeInstanceOf(MCPConfigurationError);
    expect(metadata.issues.map((i) => i.rule)).toContain("url.metadataHost");
    const foreign = g.explain(
      new Error("Endpoint origin does not match connection origin: https://other.example.com"),
    ) as MCPConfigurationError;
    expect(foreign.issues).toEqual([
      expect.objectContaining({ path: "endpoint event", rule: "url.endpointOrigin" }),
    ]);
  });

  it("finds a refusal in the cause chain or in flattened text; anything else is returned as it is", async () => {
    const g = guard();
    const refusedFetch = g
      .fetch(fake().fetch)("https://10.0.0.1/x")
      .catch((e: unknown) => e);
    const wrapped = (await refusedFetch) as TypeError;
    expect(g.explain(wrapped)).toBe(wrapped.cause);
    const flattened = new Error(`SSE error: TypeError: ${wrapped.message}: ${wrapped.message}`);
    expect(g.explain(flattened)).toBe(wrapped.cause);
    const other = new Error("SSE error: Non-200 status code (500)");
    expect(g.explain(other)).toBe(other);
  });
});

import { describe, expect, it } from "vitest";

import { defaultSecurityPolicy } from "../../../src/security/defaults.js";
import type { SecurityLevel, SecurityPolicy } from "../../../src/security/types.js";
import {
  addressRefusal,
  checkResolvedAddresses,
  checkUrl,
  classifyIp,
  isLocalhostName,
  isMetadataAddress,
  refusedAddresses,
} from "../../../src/security/url.js";

const SECRET = "s3cr3t-VALUE";

function policy(level: SecurityLevel = "strict", overrides: Partial<SecurityPolicy> = {}): SecurityPolicy {
  return { ...defaultSecurityPolicy(level), ...overrides };
}

function rules(issues: ReadonlyArray<{ rule?: string }>): string[] {
  return issues.map((i) => i.rule ?? "");
}

function urlRules(url: unknown, p: SecurityPolicy = policy()): string[] {
  return rules(checkUrl(url, p));
}

describe("classifyIp", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["1.1.1.1", "public"],
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "reserved"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["11.0.0.0", "public"],
    ["100.63.255.255", "public"],
    ["100.64.0.0", "shared"],
    ["100.127.255.255", "shared"],
    ["100.128.0.0", "public"],
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["169.254.1.1", "linkLocal"],
    ["172.15.255.255", "public"],
    ["172.16.0.0", "private"],
    ["172.31.255.255", "private"],
    ["172.32.0.0", "public"],
    ["192.0.0.8", "reserved"],
    ["192.0.2.1", "documentation"],
    ["192.88.99.1", "reserved"],
    ["192.167.255.255", "public"],
    ["192.168.0.1", "private"],
    ["192.169.0.0", "public"],
    ["198.18.0.1", "reserved"],
    ["198.19.255.255", "reserved"],
    ["198.20.0.0", "public"],
    ["198.51.100.7", "documentation"],
    ["203.0.113.9", "documentation"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.255", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "reserved"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:10.1.2.3", "private"],
    ["::ffff:a9fe:a9fe", "linkLocal"],
    ["::ffff:8.8.8.8", "public"],
    ["64:ff9b::10.0.0.1", "private"],
    ["64:ff9b::8.8.8.8", "public"],
    ["64:ff9b:1::1", "private"],
    ["::7f00:1", "reserved"],
    ["100::1", "reserved"],
    ["2001:db8::1", "documentation"],
    ["2001::1", "reserved"],
    ["2002:7f00:1::", "reserved"],
    ["3fff::1", "documentation"],
    ["fc00::1", "private"],
    ["fd12:3456::1", "private"],
    ["fe80::1", "linkLocal"],
    ["fe80::1%eth0", "linkLocal"],
    ["febf::1", "linkLocal"],
    ["fec0::1", "private"],
    ["ff02::1", "multicast"],
    ["2606:4700:4700::1111", "public"],
    ["2a00:1450::1", "public"],
    ["4000::1", "reserved"],
    ["1:2:3:4:5:6:7:8", "reserved"],
  ])("%s is %s", (address, kind) => {
    expect(classifyIp(address)).toBe(kind);
  });

  it("returns undefined for host names and bad literals", () => {
    expect(classifyIp("example.com")).toBeUndefined();
    expect(classifyIp("256.0.0.1")).toBeUndefined();
    expect(classifyIp("1:2:3")).toBeUndefined();
  });

  it("recognises metadata addresses in every form", () => {
    for (const a of [
      "169.254.169.254",
      "::ffff:169.254.169.254",
      "::ffff:a9fe:a9fe",
      "fd00:ec2::254",
      "100.100.100.200",
      // AWS ECS task metadata and credentials, EKS Pod Identity (IPv4, IPv6).
      "169.254.170.2",
      "::ffff:169.254.170.2",
      "169.254.170.23",
      "fd00:ec2::23",
      "FD00:EC2:0:0:0:0:0:23",
      // The deprecated IPv4-compatible form.
      "::169.254.169.254",
      "::a9fe:aa02",
    ]) {
      expect(isMetadataAddress(a)).toBe(true);
    }
    expect(isMetadataAddress("169.254.170.3")).toBe(false);
    expect(isMetadataAddress("::1")).toBe(false);
    expect(isMetadataAddress("::")).toBe(false);
    expect(isMetadataAddress("169.254.169.253")).toBe(false);
    expect(isMetadataAddress("fd00:ec2::253")).toBe(false);
    expect(isMetadataAddress("example.com")).toBe(false);
  });

  it("recognises localhost names", () => {
    for (const h of [
      "localhost",
      "LOCALHOST",
      "localhost.",
      "api.localhost",
      "ip6-localhost",
      "ip6-loopback",
    ]) {
      expect(isLocalhostName(h)).toBe(true);
    }
    expect(isLocalhostName("localhost.example.com")).toBe(false);
    expect(isLocalhostName("notlocalhost")).toBe(false);
  });

  it("addressRefusal: private IPs do not allow loopback (bug 4)", () => {
    const privateOnly = { allowLocalhost: false, allowPrivateIps: true };
    expect(addressRefusal("127.0.0.1", privateOnly)?.rule).toBe("url.localhost");
    expect(addressRefusal("10.0.0.1", privateOnly)).toBeUndefined();
    expect(addressRefusal("0.0.0.0", privateOnly)?.rule).toBe("url.localhost");
    expect(addressRefusal("0.0.0.0", { allowLocalhost: true, allowPrivateIps: false })?.rule).toBe(
      "url.privateAddress",
    );
    expect(addressRefusal("0.0.0.0", { allowLocalhost: true, allowPrivateIps: true })).toBeUndefined();
    expect(addressRefusal("169.254.169.254", { allowLocalhost: true, allowPrivateIps: true })?.rule).toBe(
      "url.metadataHost",
    );
    expect(addressRefusal("8.8.8.8", { allowLocalhost: false, allowPrivateIps: false })).toBeUndefined();
  });
});

describe("checkUrl", () => {
  it("accepts a public https URL", () => {
    expect(checkUrl("https://api.example.com/mcp", policy())).toEqual([]);
    expect(checkUrl("https://8.8.8.8:8443/mcp", policy())).toEqual([]);
    expect(checkUrl("https://[2606:4700:4700::1111]/mcp", policy())).toEqual([]);
  });

  it("refuses missing, non-string, unparsable and non-http(s) URLs", () => {
    expect(urlRules(undefined)).toEqual(["url.required"]);
    expect(urlRules("")).toEqual(["url.required"]);
    expect(urlRules(42)).toEqual(["url.type"]);
    expect(urlRules("not a url")).toEqual(["url.syntax"]);
    expect(urlRules("example.com/mcp")).toEqual(["url.syntax"]);
    for (const url of [
      "file:///etc/passwd",
      "ftp://example.com/",
      "javascript:alert(1)",
      "ws://example.com/",
    ]) {
      expect(urlRules(url)).toEqual(["url.scheme"]);
    }
  });

  it("allows a 2048-character URL and refuses 2049", () => {
    const base = "https://example.com/";
    expect(checkUrl(base + "a".repeat(2048 - base.length), policy())).toEqual([]);
    expect(urlRules(base + "a".repeat(2049 - base.length))).toEqual(["url.length"]);
  });

  it("refuses localhost names unless allow_localhost", () => {
    for (const url of [
      "https://localhost/",
      "https://LOCALHOST:8443/",
      "https://localhost./",
      "https://a.localhost/",
      "https://ip6-localhost/",
    ]) {
      expect(urlRules(url)).toEqual(["url.localhost"]);
      expect(checkUrl(url, policy("strict", { allowLocalhost: true }))).toEqual([]);
    }
  });

  it("refuses loopback literals, also in decimal, short, IPv6 and IPv4-mapped forms", () => {
    for (const url of [
      "https://127.0.0.1/",
      "https://127.1.2.3/",
      "https://2130706433/",
      "https://0x7f.1/",
      "https://127.1/",
      "https://127.0.0.1./",
      "https://[::1]/",
      "https://[::ffff:127.0.0.1]/",
    ]) {
      expect(urlRules(url)).toEqual(["url.localhost"]);
      expect(urlRules(url, policy("strict", { allowPrivateIps: true }))).toEqual(["url.localhost"]);
      expect(checkUrl(url, policy("strict", { allowLocalhost: true }))).toEqual([]);
    }
  });

  it("refuses private, link-local, shared, multicast, reserved and documentation addresses", () => {
    for (const url of [
      "https://10.0.0.1/",
      "https://172.16.5.4/",
      "https://192.168.1.1/",
      "https://100.64.1.1/",
      "https://169.254.1.1/",
      "https://224.0.0.1/",
      "https://240.0.0.1/",
      "https://192.0.2.1/",
      "https://0.0.0.0/",
      "https://[fd12::1]/",
      "https://[fe80::1]/",
      "https://[ff02::1]/",
      "https://[::ffff:192.168.1.1]/",
      "https://[::]/",
    ]) {
      expect(urlRules(url)).toEqual(["url.privateAddress"]);
    }
    expect(checkUrl("https://10.0.0.1/", policy("strict", { allowPrivateIps: true }))).toEqual([]);
    // The unspecified address reaches this machine, so it also needs allow_localhost.
    expect(urlRules("https://0.0.0.0/", policy("strict", { allowPrivateIps: true }))).toEqual([
      "url.localhost",
    ]);
  });

  it("refuses cloud metadata hosts even with allow_private_ips", () => {
    const open = policy("permissive");
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:169.254.169.254]/",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://metadata.google.internal./",
      "http://METADATA/",
      "http://100.100.100.200/",
      "http://169.254.170.2/v2/credentials/x",
      "http://169.254.170.23/v1/credentials",
      "http://[fd00:ec2::23]/v1/credentials",
    ]) {
      expect(urlRules(url, open)).toEqual(["url.metadataHost"]);
    }
    const allowed = policy("permissive", { allowedHostnames: ["metadata.google.internal"] });
    expect(checkUrl("http://metadata.google.internal/", allowed)).toEqual([]);
  });

  it("refuses the ECS and EKS Pod Identity credential addresses with allow_private_ips, unless allow-listed", () => {
    const privateOk = policy("strict", { allowPrivateIps: true, allowInsecureHttp: true });
    for (const host of ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"]) {
      expect(urlRules(`http://${host}/`, privateOk)).toEqual(["url.metadataHost"]);
      const listed = policy("strict", {
        allowPrivateIps: true,
        allowInsecureHttp: true,
        allowedHostnames: [host.replace(/[[\]]/g, "")],
      });
      expect(checkUrl(`http://${host}/`, listed)).toEqual([]);
    }
    // A host name resolving to one of them is refused by the DNS rule too (no connection made).
    const refused = refusedAddresses([{ address: "169.254.170.2" }, { address: "fd00:ec2::23" }], privateOk);
    expect(refused.map((r) => r.reason)).toEqual([
      "a cloud metadata service address",
      "a cloud metadata service address",
    ]);
  });

  it("lets allowed_hostnames skip host checks but not the port or scheme checks", () => {
    const p = policy("strict", { allowedHostnames: ["Internal.Example"], allowInsecureHttp: false });
    expect(checkUrl("https://internal.example/", p)).toEqual([]);
    expect(checkUrl("https://10.0.0.1/", policy("strict", { allowedHostnames: ["10.0.0.1"] }))).toEqual([]);
    expect(rules(checkUrl("https://internal.example:22/", p))).toEqual(["url.port"]);
    expect(rules(checkUrl("http://internal.example/", p))).toEqual(["url.insecureHttp"]);
    expect(rules(checkUrl("https://other.example.localhost/", p))).toEqual(["url.localhost"]);
  });

  it("checks ports: 1–65535 and not blocked", () => {
    expect(checkUrl("https://example.com:1/", policy())).toEqual([]);
    expect(checkUrl("https://example.com:65535/", policy())).toEqual([]);
    expect(urlRules("https://example.com:0/")).toEqual(["url.port"]);
    expect(urlRules("https://example.com:65536/")).toEqual(["url.port"]);
    for (const port of [22, 23, 25, 53, 135, 139, 445, 1433, 1521, 3306, 3389, 5432, 6379]) {
      expect(urlRules(`https://example.com:${port}/`)).toEqual(["url.port"]);
    }
    expect(checkUrl("https://example.com:21/", policy())).toEqual([]);
    expect(checkUrl("https://example.com:443/", policy())).toEqual([]);
  });

  it("refuses plain http to remote hosts unless allow_insecure_http", () => {
    expect(urlRules("http://example.com/mcp")).toEqual(["url.insecureHttp"]);
    expect(checkUrl("http://example.com/mcp", policy("moderate"))).toEqual([]);
    expect(checkUrl("http://example.com/mcp", policy("strict", { allowInsecureHttp: true }))).toEqual([]);
    // Loopback is exempt: the traffic never leaves the machine.
    const local = policy("strict", { allowLocalhost: true });
    expect(checkUrl("http://localhost:8000/mcp", local)).toEqual([]);
    expect(checkUrl("http://127.0.0.1:8000/mcp", local)).toEqual([]);
    expect(checkUrl("http://[::1]:8000/mcp", local)).toEqual([]);
    // MassGen's own test server needs allow_localhost at every level but permissive.
    expect(urlRules("http://localhost:8000/mcp", policy("moderate"))).toEqual(["url.localhost"]);
    expect(checkUrl("http://localhost:8000/mcp", policy("permissive"))).toEqual([]);
  });

  it("uses the real host of URLs with user info", () => {
    expect(urlRules("https://127.0.0.1@example.com/")).toEqual(["url.credentials"]);
    expect(rules(checkUrl("https://example.com@127.0.0.1/", policy())).sort()).toEqual([
      "url.credentials",
      "url.localhost",
    ]);
  });

  it("never puts credentials, paths or queries in issues", () => {
    const issues = [
      ...checkUrl(`http://user:${SECRET}@10.0.0.1:22/x?token=${SECRET}`, policy()),
      ...checkUrl(`https://example.com:99999/${SECRET}`, policy()),
      ...checkUrl(`ftp://example.com/${SECRET}`, policy()),
      ...checkUrl(`not a url ${SECRET}`, policy()),
      ...checkUrl(`https://example.com/${SECRET}${"x".repeat(3000)}`, policy()),
    ];
    expect(issues.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
  });
});

describe("checkResolvedAddresses (bug 3)", () => {
  const dnsPolicy = policy("strict", { resolveDns: true });
  const lookupOf =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

  it("passes a host that resolves to public addresses only", async () => {
    expect(
      await checkResolvedAddresses(
        "https://example.com/",
        dnsPolicy,
        lookupOf("93.184.216.34", "2606:2800::1"),
      ),
    ).toEqual([]);
  });

  it("refuses a host that resolves to a private address", async () => {
    const issues = await checkResolvedAddresses("https://evil.example/", dnsPolicy, lookupOf("10.0.0.5"));
    expect(rules(issues)).toEqual(["url.dns"]);
    expect(issues[0]!.message).toContain("10.0.0.5");
    expect(issues[0]!.message).toContain("security.allow_private_ips");
  });

  it("refuses mixed results if any address is forbidden", async () => {
    const issues = await checkResolvedAddresses(
      "https://mixed.example/",
      dnsPolicy,
      lookupOf("93.184.216.34", "127.0.0.1", "::ffff:169.254.169.254"),
    );
    expect(rules(issues)).toEqual(["url.dns"]);
    expect(issues[0]!.message).toContain("127.0.0.1");
    expect(issues[0]!.message).toContain("169.254.169.254");
    expect(issues[0]!.message).not.toContain("93.184.216.34");
  });

  it("applies allow_private_ips and allow_localhost to resolved addresses", async () => {
    const p = policy("strict", { resolveDns: true, allowPrivateIps: true });
    expect(await checkResolvedAddresses("https://x.example/", p, lookupOf("10.0.0.5"))).toEqual([]);
    expect(rules(await checkResolvedAddresses("https://x.example/", p, lookupOf("127.0.0.1")))).toEqual([
      "url.dns",
    ]);
  });

  it("reports a failed lookup and an empty answer", async () => {
    const failing = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND nope.example"), { code: "ENOTFOUND" });
    };
    const issues = await checkResolvedAddresses("https://nope.example/", dnsPolicy, failing);
    expect(rules(issues)).toEqual(["url.dns"]);
    expect(issues[0]!.message).toContain("ENOTFOUND");
    expect(rules(await checkResolvedAddresses("https://x.example/", dnsPolicy, lookupOf()))).toEqual([
      "url.dns",
    ]);
  });

  it("is skipped when resolve_dns is off, for IP literals, localhost names and allowed hosts", async () => {
    const never = async () => {
      throw new Error("must not be called");
    };
    expect(await checkResolvedAddresses("https://x.example/", policy(), never)).toEqual([]);
    expect(await checkResolvedAddresses("https://10.0.0.1/", dnsPolicy, never)).toEqual([]);
    expect(await checkResolvedAddresses("https://[::1]/", dnsPolicy, never)).toEqual([]);
    expect(await checkResolvedAddresses("https://localhost/", dnsPolicy, never)).toEqual([]);
    expect(await checkResolvedAddresses("not a url", dnsPolicy, never)).toEqual([]);
    const allowed = policy("strict", { resolveDns: true, allowedHostnames: ["internal.example"] });
    expect(await checkResolvedAddresses("https://internal.example/", allowed, never)).toEqual([]);
  });

  it("passes the host name to the lookup", async () => {
    const seen: string[] = [];
    await checkResolvedAddresses("https://user:pw@API.Example.com:8443/x", dnsPolicy, async (host) => {
      seen.push(host);
      return [{ address: "93.184.216.34", family: 4 }];
    });
    expect(seen).toEqual(["api.example.com"]);
  });
});

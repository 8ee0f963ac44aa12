import { describe, expect, it } from "vitest";

import { checkHeaders } from "../../../src/security/headers.js";

const SECRET = "s3cr3t-VALUE";

function rules(headers: unknown): string[] {
  return checkHeaders(headers).map((i) => i.rule ?? "");
}

describe("checkHeaders", () => {
  it("accepts no headers and ordinary headers", () => {
    expect(checkHeaders(undefined)).toEqual([]);
    expect(checkHeaders(null)).toEqual([]);
    expect(checkHeaders({})).toEqual([]);
    expect(
      checkHeaders({
        Authorization: `Bearer ${SECRET}`,
        "X-Api-Key": SECRET,
        "x!#$%&'*+-.^_`|~9": "tab\tand latin-1 é",
        Accept: "application/json",
      }),
    ).toEqual([]);
  });

  it("refuses a value that is not a map, and non-string values", () => {
    expect(rules(["Authorization: x"])).toEqual(["headers.type"]);
    expect(rules("Authorization: x")).toEqual(["headers.type"]);
    const issues = checkHeaders({ "X-Retry": 3 });
    expect(issues.map((i) => i.rule)).toEqual(["headers.type"]);
    expect(issues[0]!.path).toBe("headers.X-Retry");
  });

  it.each(["", "Bad Header", "Bad:Header", "Bad\r\nHeader", "Ünïcode", "a(b)", 'a"b'])(
    "refuses the header name %j",
    (name) => {
      expect(rules({ [name]: "x" })).toEqual(["headers.name"]);
    },
  );

  it("allows a 100-character name and refuses 101", () => {
    expect(checkHeaders({ ["X".repeat(100)]: "v" })).toEqual([]);
    expect(rules({ ["X".repeat(101)]: "v" })).toEqual(["headers.length"]);
  });

  it("allows a 1000-character value and refuses 1001", () => {
    expect(checkHeaders({ "X-A": "v".repeat(1000) })).toEqual([]);
    expect(rules({ "X-A": "v".repeat(1001) })).toEqual(["headers.length"]);
  });

  it.each(["a\rb", "a\nb", "a\r\nX-Injected: 1", "a\0b"])("refuses CR, LF and NUL in %j", (value) => {
    const issues = checkHeaders({ Authorization: value });
    expect(issues.map((i) => i.rule)).toEqual(["headers.crlf"]);
    expect(issues[0]!.path).toBe("headers.Authorization");
  });

  it("refuses other control characters and characters outside Latin-1", () => {
    expect(rules({ "X-A": "a\u0001b" })).toEqual(["headers.value"]);
    expect(rules({ "X-A": "a\u007fb" })).toEqual(["headers.value"]);
    expect(rules({ "X-A": "snow ☃" })).toEqual(["headers.value"]);
  });

  it.each([
    "Host",
    "content-length",
    "Content-Type",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Upgrade",
    "Expect",
    "TE",
    "Trailer",
    "Mcp-Session-Id",
    "MCP-Protocol-Version",
    "Last-Event-ID",
  ])("refuses the reserved header %s", (name) => {
    expect(rules({ [name]: "x" })).toEqual(["headers.reserved"]);
  });

  it("refuses names that differ only in case", () => {
    const issues = checkHeaders({ Authorization: "a", authorization: "b" });
    expect(issues.map((i) => i.rule)).toEqual(["headers.duplicate"]);
    expect(issues[0]!.path).toBe("headers.authorization");
  });

  it("reports every problem at once", () => {
    expect(rules({ Host: "x", "Bad Name": "y", "X-A": "a\nb", "X-B": "v".repeat(1001) }).sort()).toEqual([
      "headers.crlf",
      "headers.length",
      "headers.name",
      "headers.reserved",
    ]);
  });

  it("never puts values in issues", () => {
    const issues = checkHeaders({
      Authorization: `Bearer ${SECRET}\r\nX-Evil: 1`,
      "X-Long": `${SECRET}${"x".repeat(1000)}`,
      "X-Ctl": `${SECRET}\u0001`,
      "X-Wide": `${SECRET}☃`,
      Host: SECRET,
      "Bad Name": SECRET,
    });
    expect(issues.length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
  });
});

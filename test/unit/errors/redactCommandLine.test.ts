import { describe, expect, it } from "vitest";

import { redactCommandLine } from "../../../src/errors/redact.js";
import { REDACTED } from "../../../src/errors/secretKeys.js";

const show = (argv: string[]) => redactCommandLine(argv).join(" ");

describe("redactCommandLine (fault-matrix P2)", () => {
  it("hides the value after a secret-looking flag, and only that value", () => {
    expect(redactCommandLine(["server", "--token", "abc123", "--port", "8080"])).toEqual([
      "server",
      "--token",
      REDACTED,
      "--port",
      "8080",
    ]);
    expect(show(["x", "-p", "1", "--password", "hunter2", "--api-key", "k-1", "--client-secret", "s"])).toBe(
      `x -p 1 --password ${REDACTED} --api-key ${REDACTED} --client-secret ${REDACTED}`,
    );
  });

  it("does not swallow the next flag or run past the end", () => {
    expect(redactCommandLine(["--token", "--verbose"])).toEqual(["--token", "--verbose"]);
    expect(redactCommandLine(["run", "--token"])).toEqual(["run", "--token"]);
  });

  it("hides --flag=value and KEY=value when the name looks secret", () => {
    expect(redactCommandLine(["--api-key=abc", "--password=p=w", "--config=/etc/x.json"])).toEqual([
      `--api-key=${REDACTED}`,
      `--password=${REDACTED}`,
      "--config=/etc/x.json",
    ]);
    expect(
      redactCommandLine(["run", "-e", "GITHUB_TOKEN=abc", "-e", "PATH=/bin", "AWS_SECRET_ACCESS_KEY=z"]),
    ).toEqual([
      "run",
      "-e",
      `GITHUB_TOKEN=${REDACTED}`,
      "-e",
      "PATH=/bin",
      `AWS_SECRET_ACCESS_KEY=${REDACTED}`,
    ]);
  });

  it("hides secret header values (mcp-remote --header, curl -H)", () => {
    expect(redactCommandLine(["--header", "Authorization: Bearer abc.def"])).toEqual([
      "--header",
      `Authorization: ${REDACTED}`,
    ]);
    expect(redactCommandLine(["-H", "X-Api-Key:xyz", "-H", "Accept: text/plain"])).toEqual([
      "-H",
      `X-Api-Key: ${REDACTED}`,
      "-H",
      "Accept: text/plain",
    ]);
  });

  it("hides well-known token formats wherever they appear", () => {
    const tokens = [
      "ghp_0123456789abcdefghijABCDEFGHIJ",
      "github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
      "sk-proj-abcdefghijklmnop0123456789",
      "sk-ant-api03-abcdefghijklmnopqrstu",
      "xoxb-1234567890-abcdefghij",
      "AKIAIOSFODNN7EXAMPLE",
      "AIzaSyA-abcdefghijklmnopqrstuvwxyz012345",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    ];
    for (const token of tokens) {
      const shown = show(["server", token, `prefix:${token}`]);
      expect(shown, token).not.toContain(token);
      expect(shown).toContain(REDACTED);
    }
  });

  it("hides credentials in URL arguments", () => {
    expect(show(["--db", "postgres://admin:pw123@db.local:5432/app"])).not.toContain("pw123");
    expect(show(["https://mcp.example.com/mcp?api_key=abc123&x=1"])).not.toContain("abc123");
    expect(show(["https://mcp.example.com/mcp?x=1"])).toBe("https://mcp.example.com/mcp?x=1");
  });

  it("keeps unexpanded ${VAR} references, ordinary arguments and the command", () => {
    expect(
      redactCommandLine(["npx", "-y", "@scope/server", "--token", "${GITHUB_TOKEN}", "--key=${API_KEY}"]),
    ).toEqual(["npx", "-y", "@scope/server", "--token", "${GITHUB_TOKEN}", "--key=${API_KEY}"]);
    const plain = [
      "node",
      "/srv/server.js",
      "--port",
      "3000",
      "--skip-checks",
      "keyboard",
      "C:\\tools\\x.exe",
    ];
    expect(redactCommandLine(plain)).toEqual(plain);
  });

  it("does not change its input", () => {
    const argv = ["--token", "abc"];
    redactCommandLine(argv);
    expect(argv).toEqual(["--token", "abc"]);
  });
});

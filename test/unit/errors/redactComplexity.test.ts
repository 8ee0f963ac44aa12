// Complexity guard for every pattern in src/errors/serverText.ts: each runs over text a server controls,
// so 100 kB of the input that makes a backtracking pattern rescan (a run of token prefixes, an
// assignment without its end, a scheme word repeated) must cost what any 100 kB costs. A quadratic
// pattern takes seconds here (the JWT rule took 6 s on `eyJ-eyJ-…`); a linear one a few
// milliseconds. The bound is generous on purpose: this is no benchmark (see BENCHMARKS.md for speed).
import { afterEach, describe, expect, it } from "vitest";

import { MCPConfigurationError, MCPConnectionError, MCPError } from "../../../src/errors/errors.js";
import { forgetAllSecrets, registerSecret } from "../../../src/errors/knownSecrets.js";
import { redactCommandLine } from "../../../src/errors/redact.js";
import { redactUrl } from "../../../src/errors/redactUrl.js";
import { isSecretKey } from "../../../src/errors/secretKeys.js";
import { sanitizeServerText, sanitizeText } from "../../../src/errors/serverText.js";

const SIZE = 100_000;
/** Milliseconds one call may take on 100 kB: far above linear cost, far below quadratic. */
const BOUND_MS = 500;

const fill = (fragment: string): string => fragment.repeat(Math.ceil(SIZE / fragment.length)).slice(0, SIZE);

/** Inputs that make one of the patterns try every start and rescan the rest (name: what it targets). */
const PATHOLOGICAL: Record<string, string> = {
  // TOKEN_SHAPES: every `-` or prefix inside one run of token characters.
  "jwt prefixes (eyJ-)": fill("eyJ-"),
  "jwt with one dot (eyJaaaa.eyJ-)": fill("eyJaaaa.eyJ-"),
  "openai prefixes (sk-)": fill("sk-"),
  "slack prefixes (xoxb-)": fill("xoxb-"),
  "github prefixes (ghp_)": fill("ghp_"),
  "github pat prefixes": fill("github_pat_"),
  "google prefixes (AIza-)": fill("AIza-"),
  "gitlab prefixes (glpat-)": fill("glpat-"),
  "url-encoded token prefixes (%20eyJ-)": fill("%20eyJ-"),
  // ASSIGNMENT_NAME / ASSIGNMENT_VALUE.
  "variable reference without end (token=${ )": fill("token=${ "),
  "variable reference without end (key=${)": fill("key=${"),
  "object without end (token={)": fill("token={"),
  'escaped quote runs (token:"\\)': fill('token:"\\'),
  "mixed quotes": fill("a_token='b_token=\""),
  "yaml names (x_token: )": fill("x_token: "),
  "name then spaces": `token${" ".repeat(SIZE)}x`,
  "name then newlines and spaces": fill("token: \n "),
  "chained assignments (a=a=a)": fill("a="),
  "chained secret assignments (token=token=)": fill("token="),
  'names on their own lines ("token"\\n:)': fill('"token"\n:'),
  "escaped json names": fill('\\"token\\":\\"'),
  'arrays without end (token=[ ")': fill('token=[ "'),
  'objects without end (token={"a":)': fill('token={"a":'),
  "arrow operators (token=>)": fill("token=>"),
  "long names": fill(`${"a".repeat(127)}token `),
  "unclosed quoted values": fill('password="x '),
  // SECRET_HEADER_LINE.
  "header names (Authorization:)": fill("Authorization:"),
  "header with scheme line breaks": fill("Authorization: Bearer\n"),
  "cookie words": fill("cookie"),
  // AUTH_SCHEME.
  "scheme words (bearer )": fill("bearer "),
  "scheme with padding (basic a=)": fill(`basic ${"a=".repeat(20)}`),
  "url-encoded schemes (Bearer%20)": fill("Bearer%20"),
  "encoded padding run": `bearer ${"%3D".repeat(SIZE / 3)}a`,
  "scheme then line breaks": fill("bearer\n"),
  "scheme then plus": fill("bearer+"),
  // SECRET_ELEMENT.
  "element openings (<password>)": fill("<password>"),
  "element without end": `<password>${"a".repeat(SIZE)}`,
  "angle runs": fill("<a"),
  // SECRET_IN_PROSE.
  "prose (password is )": fill("password is "),
  "prose value of punctuation": `password is ${".".repeat(SIZE)}a`,
  // PRIVATE_KEY_BLOCK.
  "pem header without end": `-----BEGIN ${"A ".repeat(SIZE / 2)}`,
  "pem beginnings": fill("-----BEGIN A"),
  "pem blocks without end": fill("-----BEGIN PRIVATE KEY-----"),
  "pem ends": fill("-----END "),
  // URL_IN_TEXT and the command line's URL rule.
  "dotted run": `${"a.".repeat(SIZE / 2)}x`,
  "scheme separators (ab://)": fill("ab://"),
  "urls with secret parameters": fill("http://a.b/?token=1&"),
  "scheme-like run before ://": `${"a".repeat(SIZE)}_://x`,
  // TERMINAL_SEQUENCE / CONTROL_CHARACTER / LINE_BREAK.
  "osc introducers": fill("\x1b]"),
  "dcs introducers": fill("\x1bP"),
  "csi parameters": `\x1b[${"0".repeat(SIZE)}`,
  "osc without terminator": `\x1b]${"a".repeat(SIZE)}`,
  "line separators": fill("\u2028a"),
  "zero-width characters": fill("\u200bgh\u200dp_"),
  // words() / isSecretKey.
  "camel case run": fill("aA"),
  "secret words run": fill("token"),
  "spaces then a word": `${" ".repeat(SIZE)}token`,
};

function timed(run: () => unknown): number {
  const start = performance.now();
  run();
  return performance.now() - start;
}

afterEach(() => forgetAllSecrets());

describe("every redaction pattern is linear on 100 kB pathological input", () => {
  it.each(Object.entries(PATHOLOGICAL))("%s", (_name, input) => {
    expect(input.length).toBeGreaterThanOrEqual(SIZE - 10);
    const costs = {
      sanitizeText: timed(() => sanitizeText(input)),
      redactCommandLine: timed(() => redactCommandLine([input, "--token", input])),
      redactUrl: timed(() => redactUrl(`https://example.com/?${input}#${input}`)),
      isSecretKey: timed(() => isSecretKey(input)),
      "sanitizeServerText (start)": timed(() => sanitizeServerText(input, 1_000)),
      "sanitizeServerText (end)": timed(() => sanitizeServerText(input, 1_000, "end")),
    };
    for (const [what, ms] of Object.entries(costs))
      expect(ms, `${what}: ${ms.toFixed(0)} ms`).toBeLessThan(BOUND_MS);
  });

  it("with the maximum number of known secrets registered", () => {
    for (let i = 0; i < 300; i++) registerSecret(`known-secret-${i}-${"x".repeat(i % 40)}-Zq8xV2mN4pL7`);
    const text = fill("known-secret-1 Zq8xV2mN4pL7 eyJ- ");
    expect(timed(() => sanitizeText(text))).toBeLessThan(BOUND_MS);
    expect(timed(() => sanitizeText(fill("known-secret-")))).toBeLessThan(BOUND_MS);
  });
});

describe("building an error costs the same whatever its input (every sanitizeText caller is bounded)", () => {
  const bomb = fill("eyJ-");

  it.each([
    ["MCPError message", () => new MCPError(bomb)],
    ["MCPError message of assignments", () => new MCPError(fill("token=${ "))],
    [
      "MCPConnectionError stderr tail",
      () =>
        new MCPConnectionError("exited", {
          process: { exitCode: 1, signal: null, stderrTail: fill("eyJ-").slice(0, 64 * 1024) },
        }),
    ],
    [
      "MCPConfigurationError issue path, message and file",
      () =>
        new MCPConfigurationError("bad", {
          issues: [{ path: `mcpServers.${bomb}`, message: `unknown key "${bomb}"`, file: bomb }],
          warnings: [{ path: bomb, message: bomb }],
        }),
    ],
    ["redactCommandLine argument", () => redactCommandLine(["node", bomb, `--api-key=${bomb}`])],
  ])("%s", (_name, build) => {
    expect(timed(build)).toBeLessThan(BOUND_MS);
  });

  it("and what it keeps is bounded too", () => {
    const error = new MCPConfigurationError(`bad ${bomb}`, { issues: [{ path: bomb, message: bomb }] });
    expect(error.message.length).toBeLessThan(20_000);
    expect(error.issues[0]!.path.length).toBeLessThan(1_100);
    expect(error.issues[0]!.message.length).toBeLessThan(2_100);
    expect(redactCommandLine([bomb])[0]!.length).toBeLessThan(2_100);
  });
});

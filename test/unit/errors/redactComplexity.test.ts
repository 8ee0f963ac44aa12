// Complexity guard for every pattern in src/errors/serverText.ts: each runs over text a server controls,
// so the input that makes a backtracking pattern rescan (a run of token prefixes, an assignment
// without its end, a scheme word repeated) must cost what any text of its length costs. The guard is
// on how the cost grows, not on a time: each call runs on 12.5 kB and on 100 kB of the same input,
// and 8× the input may cost at most 24× (linear is 8×, quadratic 64×: the JWT rule took 6 s on 100 kB
// of `eyJ-eyJ-…`). Both sizes run back to back, best of three, so the load of a shared machine
// affects both alike; no absolute time is asserted (speed is BENCHMARKS.md's business).
import { afterEach, describe, expect, it } from "vitest";

import { MCPConfigurationError, MCPConnectionError, MCPError } from "../../../src/errors/errors.js";
import { forgetAllSecrets, registerSecret } from "../../../src/errors/knownSecrets.js";
import { redactCommandLine } from "../../../src/errors/redact.js";
import { redactUrl } from "../../../src/errors/redactUrl.js";
import { isSecretKey } from "../../../src/errors/secretKeys.js";
import { sanitizeServerText, sanitizeText } from "../../../src/errors/serverText.js";

const SIZE = 100_000;
/** The small input is this many times shorter than SIZE. */
const SCALE = 8;
/** Largest growth of the cost from SIZE / SCALE to SIZE: 3× linear, far below quadratic (SCALE²). */
const MAX_GROWTH = 3 * SCALE;
/** Costs below this are noise (timers, a garbage collection): growth is judged from at least this much. A quadratic pattern costs seconds on SIZE, far above MAX_GROWTH × NOISE_MS. */
const NOISE_MS = 10;

const fill = (fragment: string, size = SIZE): string =>
  fragment.repeat(Math.ceil(size / fragment.length)).slice(0, size);

/** Inputs that make one of the patterns try every start and rescan the rest (name: what it targets). */
const PATHOLOGICAL: Record<string, (size: number) => string> = {
  // TOKEN_SHAPES: every `-` or prefix inside one run of token characters.
  "jwt prefixes (eyJ-)": (n) => fill("eyJ-", n),
  "jwt with one dot (eyJaaaa.eyJ-)": (n) => fill("eyJaaaa.eyJ-", n),
  "openai prefixes (sk-)": (n) => fill("sk-", n),
  "slack prefixes (xoxb-)": (n) => fill("xoxb-", n),
  "github prefixes (ghp_)": (n) => fill("ghp_", n),
  "github pat prefixes": (n) => fill("github_pat_", n),
  "google prefixes (AIza-)": (n) => fill("AIza-", n),
  "gitlab prefixes (glpat-)": (n) => fill("glpat-", n),
  "url-encoded token prefixes (%20eyJ-)": (n) => fill("%20eyJ-", n),
  // ASSIGNMENT_NAME / ASSIGNMENT_VALUE.
  "variable reference without end (token=${ )": (n) => fill("token=${ ", n),
  "variable reference without end (key=${)": (n) => fill("key=${", n),
  "object without end (token={)": (n) => fill("token={", n),
  'escaped quote runs (token:"\\)': (n) => fill('token:"\\', n),
  "mixed quotes": (n) => fill("a_token='b_token=\"", n),
  "yaml names (x_token: )": (n) => fill("x_token: ", n),
  "name then spaces": (n) => `token${" ".repeat(n)}x`,
  "name then newlines and spaces": (n) => fill("token: \n ", n),
  "chained assignments (a=a=a)": (n) => fill("a=", n),
  "chained secret assignments (token=token=)": (n) => fill("token=", n),
  'names on their own lines ("token"\\n:)': (n) => fill('"token"\n:', n),
  "escaped json names": (n) => fill('\\"token\\":\\"', n),
  'arrays without end (token=[ ")': (n) => fill('token=[ "', n),
  'objects without end (token={"a":)': (n) => fill('token={"a":', n),
  "arrow operators (token=>)": (n) => fill("token=>", n),
  "long names": (n) => fill(`${"a".repeat(127)}token `, n),
  "unclosed quoted values": (n) => fill('password="x ', n),
  // SECRET_HEADER_LINE.
  "header names (Authorization:)": (n) => fill("Authorization:", n),
  "header with scheme line breaks": (n) => fill("Authorization: Bearer\n", n),
  "cookie words": (n) => fill("cookie", n),
  // AUTH_SCHEME.
  "scheme words (bearer )": (n) => fill("bearer ", n),
  "scheme with padding (basic a=)": (n) => fill(`basic ${"a=".repeat(20)}`, n),
  "url-encoded schemes (Bearer%20)": (n) => fill("Bearer%20", n),
  "encoded padding run": (n) => `bearer ${"%3D".repeat(n / 3)}a`,
  "scheme then line breaks": (n) => fill("bearer\n", n),
  "scheme then plus": (n) => fill("bearer+", n),
  // SECRET_ELEMENT.
  "element openings (<password>)": (n) => fill("<password>", n),
  "element without end": (n) => `<password>${"a".repeat(n)}`,
  "angle runs": (n) => fill("<a", n),
  // SECRET_IN_PROSE.
  "prose (password is )": (n) => fill("password is ", n),
  "prose value of punctuation": (n) => `password is ${".".repeat(n)}a`,
  // PRIVATE_KEY_BLOCK.
  "pem header without end": (n) => `-----BEGIN ${"A ".repeat(n / 2)}`,
  "pem beginnings": (n) => fill("-----BEGIN A", n),
  "pem blocks without end": (n) => fill("-----BEGIN PRIVATE KEY-----", n),
  "pem ends": (n) => fill("-----END ", n),
  // URL_IN_TEXT and the command line's URL rule.
  "dotted run": (n) => `${"a.".repeat(n / 2)}x`,
  "scheme separators (ab://)": (n) => fill("ab://", n),
  "urls with secret parameters": (n) => fill("http://a.b/?token=1&", n),
  "scheme-like run before ://": (n) => `${"a".repeat(n)}_://x`,
  // TERMINAL_SEQUENCE / CONTROL_CHARACTER / LINE_BREAK.
  "osc introducers": (n) => fill("\x1b]", n),
  "dcs introducers": (n) => fill("\x1bP", n),
  "csi parameters": (n) => `\x1b[${"0".repeat(n)}`,
  "osc without terminator": (n) => `\x1b]${"a".repeat(n)}`,
  "line separators": (n) => fill("\u2028a", n),
  "zero-width characters": (n) => fill("\u200bgh\u200dp_", n),
  // words() / isSecretKey.
  "camel case run": (n) => fill("aA", n),
  "secret words run": (n) => fill("token", n),
  "spaces then a word": (n) => `${" ".repeat(n)}token`,
};

/** Best of three timings of `run`, in milliseconds. */
function cost(run: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Cost on SIZE / SCALE and on SIZE characters of the input `build` makes for a size. */
function growth<T>(build: (size: number) => T, run: (input: T) => unknown): { small: number; large: number } {
  const small = build(SIZE / SCALE);
  const large = build(SIZE);
  return { small: cost(() => run(small)), large: cost(() => run(large)) };
}

function expectLinear(what: string, { small, large }: { small: number; large: number }): void {
  const limit = MAX_GROWTH * Math.max(small, NOISE_MS);
  expect(
    large,
    `${what}: ${small.toFixed(1)} ms → ${large.toFixed(1)} ms (limit ${limit.toFixed(0)} ms)`,
  ).toBeLessThan(limit);
}

afterEach(() => forgetAllSecrets());

describe("every redaction pattern is linear on 100 kB pathological input", () => {
  it.each(Object.entries(PATHOLOGICAL))("%s", (_name, input) => {
    expect(input(SIZE).length).toBeGreaterThanOrEqual(SIZE - 10);
    const runs: Record<string, (text: string) => unknown> = {
      sanitizeText: (text) => sanitizeText(text),
      redactCommandLine: (text) => redactCommandLine([text, "--token", text]),
      redactUrl: (text) => redactUrl(`https://example.com/?${text}#${text}`),
      isSecretKey: (text) => isSecretKey(text),
      "sanitizeServerText (start)": (text) => sanitizeServerText(text, 1_000),
      "sanitizeServerText (end)": (text) => sanitizeServerText(text, 1_000, "end"),
    };
    for (const [what, run] of Object.entries(runs)) expectLinear(what, growth(input, run));
  });

  it("with the maximum number of known secrets registered", () => {
    for (let i = 0; i < 300; i++) registerSecret(`known-secret-${i}-${"x".repeat(i % 40)}-Zq8xV2mN4pL7`);
    expectLinear(
      "known secrets and tokens",
      growth((size) => fill("known-secret-1 Zq8xV2mN4pL7 eyJ- ", size), sanitizeText),
    );
    expectLinear(
      "known-secret prefixes",
      growth((size) => fill("known-secret-", size), sanitizeText),
    );
  });
});

describe("building an error costs the same whatever its input (every sanitizeText caller is bounded)", () => {
  const bomb = fill("eyJ-");

  it.each<[string, (text: string) => unknown]>([
    ["MCPError message", (text) => new MCPError(text)],
    ["MCPError message of assignments", (text) => new MCPError(text.replaceAll("eyJ-", "token=${ "))],
    [
      "MCPConnectionError stderr tail",
      (text) =>
        new MCPConnectionError("exited", {
          process: { exitCode: 1, signal: null, stderrTail: text.slice(0, 64 * 1024) },
        }),
    ],
    [
      "MCPConfigurationError issue path, message and file",
      (text) =>
        new MCPConfigurationError("bad", {
          issues: [{ path: `mcpServers.${text}`, message: `unknown key "${text}"`, file: text }],
          warnings: [{ path: text, message: text }],
        }),
    ],
    ["redactCommandLine argument", (text) => redactCommandLine(["node", text, `--api-key=${text}`])],
  ])("%s", (what, build) => {
    expectLinear(
      what,
      growth((size) => fill("eyJ-", size), build),
    );
  });

  it("and what it keeps is bounded too", () => {
    const error = new MCPConfigurationError(`bad ${bomb}`, { issues: [{ path: bomb, message: bomb }] });
    expect(error.message.length).toBeLessThan(20_000);
    expect(error.issues[0]!.path.length).toBeLessThan(1_100);
    expect(error.issues[0]!.message.length).toBeLessThan(2_100);
    expect(redactCommandLine([bomb])[0]!.length).toBeLessThan(2_100);
  });
});

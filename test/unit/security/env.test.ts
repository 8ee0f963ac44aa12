import { describe, expect, it } from "vitest";

import { buildChildEnvironment, checkEnv } from "../../../src/security/env.js";
import type { EnvPolicy, SecurityLevel } from "../../../src/security/types.js";

const SECRET = "s3cr3t-VALUE";

function envPolicy(level: SecurityLevel = "strict", overrides: Partial<EnvPolicy> = {}): EnvPolicy {
  return { level, mode: "denylist", allowedVars: [], deniedVars: undefined, ...overrides };
}

function rules(issues: ReadonlyArray<{ rule?: string }>): string[] {
  return issues.map((i) => i.rule ?? "");
}

describe("checkEnv", () => {
  it("accepts no env and ordinary variables", () => {
    expect(checkEnv(undefined, envPolicy())).toEqual([]);
    expect(checkEnv(null, envPolicy())).toEqual([]);
    expect(checkEnv({}, envPolicy())).toEqual([]);
    expect(checkEnv({ API_KEY: SECRET, DEBUG: "1" }, envPolicy())).toEqual([]);
  });

  it("refuses a value that is not a map", () => {
    expect(rules(checkEnv(["A=1"], envPolicy()))).toEqual(["env.type"]);
    expect(rules(checkEnv("A=1", envPolicy()))).toEqual(["env.type"]);
  });

  it("refuses non-string values, naming the variable", () => {
    const issues = checkEnv({ PORT: 8080 }, envPolicy());
    expect(rules(issues)).toEqual(["env.type"]);
    expect(issues[0]!.path).toBe("env.PORT");
  });

  it.each(["", "A=B", "A\0B"])("refuses the name %j", (name) => {
    expect(rules(checkEnv({ [name]: "x" }, envPolicy()))).toEqual(["env.name"]);
  });

  it("allows a 100-character name and refuses 101", () => {
    expect(checkEnv({ ["A".repeat(100)]: "x" }, envPolicy())).toEqual([]);
    expect(rules(checkEnv({ ["A".repeat(101)]: "x" }, envPolicy()))).toEqual(["env.length"]);
  });

  it("allows a 1000-character value and refuses 1001", () => {
    expect(checkEnv({ A: "x".repeat(1000) }, envPolicy())).toEqual([]);
    const issues = checkEnv({ A: "x".repeat(1001) }, envPolicy());
    expect(rules(issues)).toEqual(["env.length"]);
    expect(issues[0]!.path).toBe("env.A");
  });

  it("applies the level's deny-list, case-insensitively", () => {
    for (const name of ["PATH", "path", "Home", "SHELL", "LD_PRELOAD", "NODE_OPTIONS", "PYTHONPATH"]) {
      const issues = checkEnv({ [name]: "x" }, envPolicy("strict"));
      expect(rules(issues)).toEqual(["env.denylist"]);
      expect(issues[0]!.message).toContain(name);
      expect(issues[0]!.message).toContain("security.env.denied_vars");
    }
    expect(checkEnv({ PATH: "/bin", HOME: "/h" }, envPolicy("moderate"))).toEqual([]);
    expect(rules(checkEnv({ NODE_OPTIONS: "x" }, envPolicy("moderate")))).toEqual(["env.denylist"]);
    expect(checkEnv({ NODE_OPTIONS: "x" }, envPolicy("permissive"))).toEqual([]);
    for (const level of ["strict", "moderate", "permissive"] as const) {
      expect(rules(checkEnv({ DYLD_INSERT_LIBRARIES: "x" }, envPolicy(level)))).toEqual(["env.denylist"]);
      expect(rules(checkEnv({ LD_LIBRARY_PATH: "x" }, envPolicy(level)))).toEqual(["env.denylist"]);
    }
  });

  it("lets denied_vars replace the default deny-list", () => {
    const policy = envPolicy("strict", { deniedVars: ["secret_thing"] });
    expect(checkEnv({ PATH: "/bin" }, policy)).toEqual([]);
    expect(rules(checkEnv({ SECRET_THING: "x" }, policy))).toEqual(["env.denylist"]);
  });

  it("allowlist mode refuses unlisted names and skips the deny-list", () => {
    const policy = envPolicy("strict", { mode: "allowlist", allowedVars: ["api_key", "PATH"] });
    expect(checkEnv({ API_KEY: "x", PATH: "/bin" }, policy)).toEqual([]);
    const issues = checkEnv({ OTHER: "x" }, policy);
    expect(rules(issues)).toEqual(["env.allowlist"]);
    expect(issues[0]!.message).toContain("security.env.allowed_vars");
    // An empty allow-list allows everything.
    expect(checkEnv({ LD_PRELOAD: "x" }, envPolicy("strict", { mode: "allowlist" }))).toEqual([]);
  });

  it.each(["a$(whoami)", "a`whoami`", "a\0b"])("refuses the value pattern in %j", (value) => {
    expect(rules(checkEnv({ A: value }, envPolicy()))).toEqual(["env.valuePattern"]);
  });

  it("allows &, ;, | and several ${VAR} references (bug 8)", () => {
    expect(
      checkEnv({ URL: "https://x/?a=1&b=2", LIST: "a;b|c", MIX: "${HOME}/x:${PATH}:$lower" }, envPolicy()),
    ).toEqual([]);
  });

  it("reports every problem at once", () => {
    const issues = checkEnv({ PATH: "$(x)", "": "y", OK: "z", LONG: "x".repeat(1001) }, envPolicy());
    expect(rules(issues).sort()).toEqual(["env.denylist", "env.length", "env.name", "env.valuePattern"]);
  });

  it("uses a bracket path for odd names", () => {
    expect(checkEnv({ "A B": 1 }, envPolicy())[0]!.path).toBe('env["A B"]');
  });

  it("never puts values in issues", () => {
    const issues = checkEnv(
      {
        PATH: SECRET,
        A: `${SECRET}$(x)`,
        B: `${SECRET}${"x".repeat(1000)}`,
        C: `${SECRET}\0`,
        "=": SECRET,
      },
      envPolicy(),
    );
    expect(issues.length).toBeGreaterThanOrEqual(5);
    expect(JSON.stringify(issues)).not.toContain(SECRET);
  });
});

describe("buildChildEnvironment", () => {
  const parent = {
    HOME: "/home/u",
    LOGNAME: "u",
    PATH: "/usr/bin",
    SHELL: "/bin/bash",
    TERM: "xterm",
    USER: "u",
    AWS_SECRET_ACCESS_KEY: SECRET,
    OPENAI_API_KEY: SECRET,
    NODE_OPTIONS: "--inspect",
    BASH_FUNC_x: "() { echo; }",
  };

  it("passes only the safe POSIX variables", () => {
    expect(buildChildEnvironment({}, parent, "linux")).toEqual({
      HOME: "/home/u",
      LOGNAME: "u",
      PATH: "/usr/bin",
      SHELL: "/bin/bash",
      TERM: "xterm",
      USER: "u",
    });
  });

  it("lets the configured env win and adds it", () => {
    const env = buildChildEnvironment({ PATH: "/opt/bin", API_KEY: "k" }, parent, "linux");
    expect(env.PATH).toBe("/opt/bin");
    expect(env.API_KEY).toBe("k");
    expect(JSON.stringify(env)).not.toContain(SECRET);
  });

  it("skips exported bash functions and unset variables", () => {
    const env = buildChildEnvironment({}, { HOME: "() { evil; }", PATH: "/bin" }, "linux");
    expect(env).toEqual({ PATH: "/bin" });
  });

  it("uses the Windows list, matching names case-insensitively", () => {
    const winParent = {
      Path: "C:\\Windows",
      SystemRoot: "C:\\Windows",
      USERPROFILE: "C:\\Users\\u",
      ProgramFiles: "C:\\Program Files",
      TEMP: "C:\\Temp",
      HOME: "/ignored",
      SECRET_TOKEN: SECRET,
    };
    const env = buildChildEnvironment({ path: "C:\\custom" }, winParent, "win32");
    expect(env).toEqual({
      SYSTEMROOT: "C:\\Windows",
      USERPROFILE: "C:\\Users\\u",
      PROGRAMFILES: "C:\\Program Files",
      TEMP: "C:\\Temp",
      path: "C:\\custom",
    });
  });

  it("defaults to process.env and keeps a __proto__ name as a property", () => {
    const env = buildChildEnvironment(JSON.parse('{"__proto__":"x"}') as Record<string, string>);
    expect(Object.keys(env)).toContain("__proto__");
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
    if (process.env.PATH !== undefined) expect(env.PATH).toBe(process.env.PATH);
  });
});

import { describe, expect, it } from "vitest";

import { checkCommand } from "../../../src/security/command.js";
import { splitPosix, splitWindows } from "../../../src/security/commandLine.js";
import { checkCwd } from "../../../src/security/cwdPolicy.js";
import { defaultSecurityPolicy } from "../../../src/security/defaults.js";
import type { SecurityLevel, SecurityPolicy } from "../../../src/security/types.js";

const SECRET = "s3cr3t-VALUE";

function policy(level: SecurityLevel = "strict", overrides: Partial<SecurityPolicy> = {}): SecurityPolicy {
  return { ...defaultSecurityPolicy(level), ...overrides };
}

function rules(result: { issues: ReadonlyArray<{ rule?: string }> }): string[] {
  return result.issues.map((i) => i.rule ?? "");
}

function check(
  command: unknown,
  args?: unknown,
  p: SecurityPolicy = policy(),
  platform: NodeJS.Platform = "linux",
) {
  return checkCommand(command, args, p, platform);
}

describe("checkCommand: string commands", () => {
  it("splits a command string and puts its extra words before args", () => {
    const result = check("npx -y @modelcontextprotocol/server-filesystem", ["/tmp"]);
    expect(result).toEqual({
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"],
      issues: [],
    });
  });

  it("accepts a list command: first element executable, the rest leading args", () => {
    expect(check(["uvx", "mcp-server-fetch"], ["--flag"])).toEqual({
      command: "uvx",
      args: ["mcp-server-fetch", "--flag"],
      issues: [],
    });
  });

  it("refuses args without a command and never runs args[0] (bug 1)", () => {
    const result = check(undefined, ["python", "server.py"]);
    expect(result.command).toBeUndefined();
    expect(result.args).toEqual([]);
    expect(rules(result)).toEqual(["command.required"]);
    expect(result.issues[0]!.path).toBe("command");
  });

  it.each([[undefined], [null], [""], ["   "], [[]], [[""]]])(
    "refuses a missing or empty command %j",
    (command) => {
      const result = check(command);
      expect(rules(result)).toContain("command.required");
      expect(result.command).toBeUndefined();
    },
  );

  it("refuses a command of the wrong type, and non-string list elements", () => {
    expect(rules(check(42))).toEqual(["command.type"]);
    const result = check(["node", 3]);
    expect(rules(result)).toEqual(["command.type"]);
    expect(result.issues[0]!.path).toBe("command[1]");
  });

  it("allows a command string of exactly 1000 characters and refuses 1001", () => {
    const ok = `node ${"a".repeat(495)} ${"b".repeat(499)}`;
    expect(ok).toHaveLength(1000);
    expect(check(ok).issues).toEqual([]);
    const tooLong = `${ok}b`;
    expect(rules(check(tooLong))).toEqual(["command.length"]);
  });

  it.each(["&", "|", ";", "`", "$", "(", ")", "<", ">"])("refuses the shell metacharacter %s", (ch) => {
    const result = check(`node server.js ${ch} x`);
    expect(rules(result)).toEqual(["command.metacharacters"]);
    expect(result.issues[0]!.message).toContain(`'${ch}'`);
  });

  it.each(["node ../server.js", "node ..\\server.js", "../bin/node x"])(
    "refuses traversal in %s (bug 23)",
    (cmd) => {
      expect(rules(check(cmd))).toEqual(["command.traversal"]);
    },
  );

  it("refuses an executable with a '..' component", () => {
    expect(rules(check(".."))).toContain("command.traversal");
    expect(rules(check(["../node"]))).toContain("command.traversal");
    expect(rules(check(["/usr/../bin/node"]))).toContain("command.traversal");
    expect(rules(check(["C:\\tools\\..\\node.exe"], [], policy(), "win32"))).toContain("command.traversal");
    expect(rules(check(["/opt/..node/node"]))).toEqual([]);
  });

  it("reports unbalanced quotes and a trailing backslash as command.syntax", () => {
    expect(rules(check('node "server.js'))).toEqual(["command.syntax"]);
    expect(rules(check("node 'server.js"))).toEqual(["command.syntax"]);
    expect(rules(check("node server.js\\"))).toEqual(["command.syntax"]);
  });

  it("allows 50 words in a command string and refuses 51", () => {
    const words = (n: number) => ["node", ...Array.from({ length: n - 1 }, (_, i) => `a${i}`)].join(" ");
    expect(check(words(50)).issues).toEqual([]);
    const result = check(words(51));
    expect(rules(result)).toEqual(["args.count"]);
    expect(result.issues[0]!.path).toBe("command");
  });

  it("allows a 500-character word in a command string and refuses 501", () => {
    expect(check(`node ${"a".repeat(500)}`).issues).toEqual([]);
    const result = check(`node ${"a".repeat(501)}`);
    expect(rules(result)).toEqual(["args.length"]);
    expect(result.issues[0]!.path).toBe("command");
  });

  it("limits the executable to 500 characters", () => {
    const p = policy("strict", { allowedExecutables: ["node"] });
    expect(rules(check([`/${"a".repeat(494)}/node`], [], p))).toEqual([]);
    expect(rules(check([`/${"a".repeat(495)}/node`], [], p))).toEqual(["command.length"]);
  });

  it("refuses control characters in the executable", () => {
    expect(rules(check(["node\0"]))).toContain("command.controlChars");
  });

  it("refuses metacharacters in a list command's executable but not in its arguments", () => {
    expect(rules(check(["node;rm"]))).toContain("command.metacharacters");
    expect(check(["node", "--query=a&b|c;d"]).issues).toEqual([]);
  });
});

describe("checkCommand: splitting", () => {
  it("splits like shlex.split on POSIX", () => {
    expect(splitPosix(`a 'b c' "d \\" e" f\\ g '' h"i"j`)).toEqual(["a", "b c", 'd " e', "f g", "", "hij"]);
    expect(splitPosix(`"a\\b" a\\b`)).toEqual(["a\\b", "ab"]);
    expect(splitPosix("  a\t\nb  ")).toEqual(["a", "b"]);
    expect(splitPosix("# not a comment")).toEqual(["#", "not", "a", "comment"]);
    expect(typeof splitPosix("a\\")).toBe("string");
  });

  it("keeps backslashes on Windows (bug 23)", () => {
    expect(splitWindows(`C:\\tools\\node.exe server.js`)).toEqual(["C:\\tools\\node.exe", "server.js"]);
    expect(splitWindows(`"C:\\Program Files\\nodejs\\node.exe" 'a b' x"y z"`)).toEqual([
      "C:\\Program Files\\nodejs\\node.exe",
      "a b",
      "xy z",
    ]);
    expect(typeof splitWindows('"abc')).toBe("string");
  });

  it("runs a Windows path as the executable on win32 only", () => {
    const win = check("C:\\tools\\node.exe server.js", undefined, policy(), "win32");
    expect(win).toEqual({ command: "C:\\tools\\node.exe", args: ["server.js"], issues: [] });
    const quoted = check('"C:\\Program Files\\nodejs\\node.exe" server.js', undefined, policy(), "win32");
    expect(quoted.command).toBe("C:\\Program Files\\nodejs\\node.exe");
    // POSIX splitting eats the backslashes, so the base name is not node any more.
    expect(rules(check("C:\\tools\\node.exe server.js"))).toEqual(["command.allowlist"]);
  });
});

describe("checkCommand: allow-list", () => {
  it.each([
    ["/usr/bin/python3", "linux"],
    ["python3.12", "linux"],
    ["NODE.EXE", "win32"],
    ["C:\\Python312\\python.exe", "win32"],
    ["npx.cmd", "win32"],
    ["yarn.bat", "win32"],
    ["pwsh.ps1", "win32"],
    ["uvx", "linux"],
  ] as const)("allows %s", (exe, platform) => {
    expect(check([exe], [], policy(), platform).issues).toEqual([]);
  });

  it("refuses executables outside the level's list", () => {
    const result = check("docker run image");
    expect(rules(result)).toEqual(["command.allowlist"]);
    expect(result.issues[0]!.message).toContain("security.allowed_executables");
    expect(result.issues[0]!.message).toContain('"docker"');
    expect(rules(check("git log"))).toEqual(["command.allowlist"]);
    expect(check("git log", [], policy("moderate")).issues).toEqual([]);
    expect(rules(check("curl https://x", [], policy("moderate")))).toEqual(["command.allowlist"]);
    expect(check("curl https://x", [], policy("permissive")).issues).toEqual([]);
    expect(check("nodejs server.js", [], policy("moderate")).issues).toEqual([]);
  });

  it("does not treat a POSIX backslash as a directory separator", () => {
    expect(rules(check(["evil\\bash"]))).toEqual(["command.allowlist"]);
  });

  it("lets security.allowed_executables replace the list (case-insensitive, extensions ignored)", () => {
    const p = policy("strict", { allowedExecutables: ["Docker.EXE"] });
    expect(check("docker run image", [], p).issues).toEqual([]);
    expect(rules(check("node server.js", [], p))).toEqual(["command.allowlist"]);
    expect(check("node server.js", [], policy("strict", { allowedExecutables: [] })).issues).toEqual([]);
  });
});

describe("checkCommand: args", () => {
  it("allows a 500-character argument and refuses 501", () => {
    expect(check("node", ["a".repeat(500)]).issues).toEqual([]);
    const result = check("node", ["x", "a".repeat(501)]);
    expect(rules(result)).toEqual(["args.length"]);
    expect(result.issues[0]!.path).toBe("args[1]");
  });

  it("allows 50 arguments in total and refuses 51 (bug 2)", () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`);
    expect(check("node", many(50)).issues).toEqual([]);
    expect(rules(check("node", many(51)))).toEqual(["args.count"]);
    expect(check("node x y", many(48)).issues).toEqual([]);
    expect(rules(check("node x y", many(49)))).toEqual(["args.count"]);
    expect(rules(check(["node", "x"], many(50)))).toEqual(["args.count"]);
  });

  it.each(["\0", "\r", "\n"])("refuses the control character %j in an argument", (ch) => {
    const result = check("node", [`a${ch}b`]);
    expect(rules(result)).toEqual(["args.controlChars"]);
    expect(result.issues[0]!.path).toBe("args[0]");
  });

  it("allows tabs, metacharacters and '..' in arguments (no shell runs them)", () => {
    expect(check("node", ["a\tb", "../data", "--q=a&b;c|d$(e)"]).issues).toEqual([]);
  });

  it("refuses args that are not a list of strings", () => {
    expect(rules(check("node", "server.js"))).toEqual(["args.type"]);
    const result = check("node", ["a", 8080]);
    expect(rules(result)).toEqual(["args.type"]);
    expect(result.issues[0]!.path).toBe("args[1]");
  });

  it("reports every problem at once", () => {
    const result = check("docker run", ["a".repeat(501), "x\n"]);
    expect(rules(result).sort()).toEqual(["args.controlChars", "args.length", "command.allowlist"]);
  });
});

describe("checkCommand: inline exec", () => {
  const inline: Array<[string, string[]]> = [
    // POSIX shells, combined flags and options before -c
    ["sh", ["-c", "echo hi"]],
    ["bash", ["-c", "echo hi"]],
    ["bash", ["-lc", "echo hi"]],
    ["bash", ["-ec", "echo hi"]],
    ["bash", ["-o", "pipefail", "-c", "x"]],
    ["bash", ["+o", "posix", "-c", "x"]],
    ["bash", ["--norc", "-c", "x"]],
    ["bash", ["--rcfile", "/etc/rc", "-c", "x"]],
    ["/bin/bash", ["-c", "x"]],
    ["zsh", ["-c", "x"]],
    ["fish", ["-c", "x"]],
    ["fish", ["--command=x"]],
    ["fish", ["-C", "x", "script.fish"]],
    ["fish", ["--init-command", "x"]],
    // cmd
    ["cmd", ["/c", "dir"]],
    ["cmd", ["/C", "dir"]],
    ["cmd", ["/k", "dir"]],
    ["cmd", ["/r", "dir"]],
    ["cmd", ["/d", "/s", "/c", "dir"]],
    ["cmd", ["/q/c", "dir"]],
    // PowerShell
    ["powershell", ["-c", "Get-Process"]],
    ["powershell", ["-Command", "Get-Process"]],
    ["pwsh", ["-command", "Get-Process"]],
    ["pwsh", ["-Com", "x"]],
    ["pwsh", ["-EncodedCommand", "ZQBjAGgAbwA="]],
    ["pwsh", ["-enc", "ZQBjAGgAbwA="]],
    ["pwsh", ["-e", "ZQBjAGgAbwA="]],
    ["pwsh", ["-ec", "ZQBjAGgAbwA="]],
    ["pwsh", ["-cwa", "x"]],
    ["pwsh", ["/Command", "x"]],
    ["pwsh", ["--command", "x"]],
    ["pwsh", ["-NoProfile", "-ExecutionPolicy", "Bypass", "-Command", "x"]],
    ["powershell", ["-NoProfile", "Get-Process"]],
    // node family
    ["node", ["-e", "1"]],
    ["node", ["--eval", "1"]],
    ["node", ["--eval=1"]],
    ["node", ["-p", "1"]],
    ["node", ["--print", "1"]],
    ["node", ["-pe", "1"]],
    ["node", ["--require", "./hook.js", "-e", "1"]],
    ["node", ["--title", "x", "-e", "1"]],
    ["node", ["--import", "data:text/javascript,console.log(1)", "server.js"]],
    ["node", ["--import=data:text/javascript,1", "server.js"]],
    ["nodejs", ["-e", "1"]],
    ["tsx", ["-e", "1"]],
    ["bun", ["-e", "1"]],
    ["bun", ["--eval", "1"]],
    ["bun", ["exec", "echo hi"]],
    ["deno", ["eval", "1"]],
    ["deno", ["-q", "eval", "1"]],
    ["deno", ["repl", "--eval", "1"]],
    ["deno", ["task", "--config", "deno.json", "--eval", "x"]],
    ["deno", ["run", "data:application/javascript,1"]],
    // Python
    ["python", ["-c", "print(1)"]],
    ["python3", ["-c", "print(1)"]],
    ["python3.12", ["-c", "print(1)"]],
    ["/usr/bin/python3", ["-c", "print(1)"]],
    ["py", ["-3", "-c", "print(1)"]],
    ["python", ["-Bc", "print(1)"]],
    ["python", ["-I", "-c", "print(1)"]],
    ["python", ["-W", "error", "-c", "print(1)"]],
    ["python", ["-X", "dev", "-c", "print(1)"]],
    // Ruby, Perl
    ["ruby", ["-e", "puts 1"]],
    ["ruby", ["-ne", "puts 1"]],
    ["ruby", ["-r", "json", "-e", "puts 1"]],
    ["perl", ["-e", "print 1"]],
    ["perl", ["-E", "say 1"]],
    ["perl", ["-lne", "print"]],
    ["perl", ["-Mstrict", "-e", "print 1"]],
    // package runners running an interpreter, and their own shell flags
    ["npx", ["node", "-e", "1"]],
    ["npx", ["-y", "node@20", "-e", "1"]],
    ["uvx", ["python", "-c", "print(1)"]],
    ["uv", ["run", "--with", "mcp", "python", "-c", "print(1)"]],
    ["npx", ["-c", "echo hi"]],
    ["npx", ["-p", "cowsay", "-c", "cowsay hi"]],
    ["npm", ["exec", "-c", "echo hi"]],
    ["npm", ["exec", "--call=echo hi"]],
    ["pnpm", ["dlx", "--shell-mode", "echo hi"]],
    ["npm", ["exec", "--", "node", "-e", "1"]],
    ["npx", ["bash", "-c", "x"]],
    ["pipx", ["run", "--spec", "x", "python", "-c", "x"]],
  ];

  it.each(inline)("refuses %s %j under strict and moderate", (exe, args) => {
    for (const level of ["strict", "moderate"] as const) {
      const p = policy(level, { allowedExecutables: [exe] });
      const result = checkCommand(exe, args, p, "linux");
      expect(rules(result)).toEqual(["args.inlineExec"]);
      expect(result.issues[0]!.message).toContain("security.allow_inline_exec");
    }
  });

  it.each(inline)("allows %s %j with allow_inline_exec (permissive default)", (exe, args) => {
    const p = policy("permissive", { allowedExecutables: [exe] });
    expect(checkCommand(exe, args, p, "linux").issues).toEqual([]);
  });

  it("refuses git -c (it can define aliases that run commands)", () => {
    expect(rules(check("git", ["-c", "alias.x=!sh", "x"], policy("moderate")))).toEqual(["args.inlineExec"]);
    expect(check("git", ["-C", "/repo", "log"], policy("moderate")).issues).toEqual([]);
  });

  const notInline: Array<[string, string[]]> = [
    ["python", ["server.py", "-c", "config.yaml"]],
    ["python", ["-m", "mcp_server", "-c", "config.yaml"]],
    ["python", ["-u", "server.py"]],
    ["python", ["-Wc", "server.py"]],
    ["node", ["server.js", "-e", "production"]],
    ["node", ["--no-warnings", "dist/index.js", "-p", "8080"]],
    ["node", ["--enable-source-maps", "--require", "./hook.js", "server.js"]],
    ["node", ["-c", "server.js"]],
    ["bash", ["script.sh", "-c", "x"]],
    ["bash", ["-C", "script.sh"]],
    ["bash", ["--login", "./run.sh", "-c"]],
    ["npx", ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]],
    ["npx", ["-y", "some-mcp-server", "-c", "config.json"]],
    ["uvx", ["mcp-server-fetch"]],
    ["uvx", ["--from", "git+https://github.com/x/y", "mcp-server-x", "-c", "cfg"]],
    ["uv", ["run", "--python", "python3.12", "server.py", "-c", "cfg"]],
    ["ruby", ["-E", "UTF-8", "server.rb"]],
    ["ruby", ["server.rb", "-e", "x"]],
    ["pwsh", ["-File", "server.ps1", "-Command", "x"]],
    ["pwsh", ["-NoProfile", "server.ps1"]],
    ["powershell", ["-ExecutionPolicy", "Bypass", "-File", "server.ps1"]],
    ["deno", ["run", "-A", "server.ts", "--eval"]],
    ["deno", ["run", "--allow-net", "jsr:@x/server"]],
    ["bun", ["run", "server.ts", "-e", "x"]],
    ["cmd", ["/d", "server"]],
    ["npm", ["start", "--", "-c", "x"]],
    ["java", ["-jar", "server.jar", "-e", "x"]],
  ];

  it.each(notInline)("allows %s %j", (exe, args) => {
    const p = policy("strict", { allowedExecutables: [exe] });
    expect(checkCommand(exe, args, p, "linux").issues).toEqual([]);
  });

  it("points at the config entry that carries the flag", () => {
    expect(check("bash -c x").issues[0]!.path).toBe("command");
    expect(check("bash", ["-x", "-c", "x"]).issues[0]!.path).toBe("args[1]");
    expect(check(["npx", "-y", "node", "-e", "1"]).issues[0]!.path).toBe("command[3]");
  });

  it("refuses inline exec in args even when the command is missing", () => {
    expect(rules(check(undefined, ["bash", "-c", "x"])).sort()).toEqual([
      "args.inlineExec",
      "command.required",
    ]);
  });

  it("detects interpreters on Windows paths and with extensions", () => {
    const p = policy("strict");
    expect(rules(checkCommand(["C:\\Windows\\System32\\cmd.exe", "/c", "dir"], [], p, "win32"))).toEqual([
      "args.inlineExec",
    ]);
    expect(rules(checkCommand(["python.exe", "-c", "1"], [], p, "win32"))).toEqual(["args.inlineExec"]);
    expect(rules(checkCommand(["bash.exe", "-c", "1"], [], p, "win32"))).toEqual(["args.inlineExec"]);
  });

  it("never puts argument values in messages", () => {
    const cases = [
      check("bash", ["-c", `echo ${SECRET}`]),
      check("node", [`--eval=${SECRET}`]),
      check("node", ["--import", `data:text/javascript,${SECRET}`]),
      check("powershell", [SECRET]),
      check("node", [`${SECRET}${"x".repeat(600)}`]),
      check("node", [`${SECRET}\n`]),
      check(`docker ${SECRET}`),
    ];
    for (const result of cases) {
      expect(result.issues.length).toBeGreaterThan(0);
      expect(JSON.stringify(result.issues)).not.toContain(SECRET);
    }
  });
});

describe("checkCwd", () => {
  it("accepts no cwd and ordinary paths", () => {
    expect(checkCwd(undefined)).toEqual([]);
    expect(checkCwd("/srv/app")).toEqual([]);
    expect(checkCwd("C:\\srv\\app")).toEqual([]);
    expect(checkCwd("/srv/..app/x")).toEqual([]);
  });

  it("refuses non-strings and empty strings", () => {
    expect(checkCwd(5).map((i) => i.rule)).toEqual(["cwd.type"]);
    expect(checkCwd("").map((i) => i.rule)).toEqual(["cwd.type"]);
  });

  it("allows 500 characters and refuses 501", () => {
    expect(checkCwd(`/${"a".repeat(499)}`)).toEqual([]);
    expect(checkCwd(`/${"a".repeat(500)}`).map((i) => i.rule)).toEqual(["cwd.length"]);
  });

  it.each(["..", "/srv/../etc", "srv/..", "C:\\srv\\..\\Windows"])(
    "refuses the '..' component in %s",
    (cwd) => {
      expect(checkCwd(cwd).map((i) => i.rule)).toEqual(["cwd.traversal"]);
    },
  );

  it("refuses NUL", () => {
    expect(checkCwd("/srv\0").map((i) => i.rule)).toEqual(["cwd.controlChars"]);
  });
});

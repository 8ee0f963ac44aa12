/**
 * Config-time checks of a stdio server's `command`, `args` and `cwd`.
 *
 * Every check returns `ConfigIssue`s instead of throwing, so the config validator can report all
 * problems at once. Stricter than MassGen's `security.py`, which let these through: `args` without
 * `command` is refused (the first argument would run as the program), `args` are checked,
 * including inline-exec flags such as `sh -c` (an allowed interpreter would run any code), and
 * Windows commands are split without backslash escapes and `..\` counts as traversal (Windows
 * paths use backslashes as separators).
 */
import { describeType } from "../common/guards.js";
import type { ConfigIssue } from "../errors/errors.js";
import { issue } from "../errors/issues.js";
import { EXECUTABLE_EXTENSIONS, splitPosix, splitWindows } from "./commandLine.js";
import {
  DEFAULT_ALLOWED_EXECUTABLES,
  MAX_ARG_LENGTH,
  MAX_ARGS_COUNT,
  MAX_COMMAND_LENGTH,
} from "./defaults.js";
import { findInlineExec } from "./inlineExec.js";
import type { SecurityPolicy } from "./types.js";

/** The result of `checkCommand`: the executable and its full argument list, or the issues found. */
export interface CheckedCommand {
  /** The executable to spawn (as written); absent when there are issues. */
  command?: string;
  /** Extra words of the `command` (string or list) followed by `args`; empty when there are issues. */
  args: string[];
  issues: ConfigIssue[];
}

const SHELL_METACHARACTERS = new Set(["&", "|", ";", "`", "$", "(", ")", "<", ">"]);

/** Quotes a word for a message, cut to a readable length. */
function quote(word: string, max = 80): string {
  return JSON.stringify(word.length > max ? `${word.slice(0, max)}…` : word);
}

/**
 * Checks a stdio server's `command` and `args` against the policy.
 *
 * A string `command` is checked as a whole (length, shell metacharacters, `../` and `..\`), then
 * split into words (POSIX quoting; on win32 backslashes are literal), and its extra words become
 * leading arguments. A list `command` is `[executable, ...leadingArgs]`. The executable's base name
 * (lower-cased, without `.exe .bat .cmd .ps1`) must be in the allow-list. All arguments are checked
 * for length, count and control characters, and for inline-exec flags unless
 * `policy.allowInlineExec`.
 */
export function checkCommand(
  command: unknown,
  args: unknown,
  policy: SecurityPolicy,
  platform: NodeJS.Platform = process.platform,
): CheckedCommand {
  const issues: ConfigIssue[] = [];
  /** Every word after the executable, with the config path it came from. */
  const words: Array<{ word: string; path: string }> = [];
  let executable: string | undefined;

  if (command === undefined || command === null) {
    issues.push(
      issue(
        "command",
        "command.required",
        "A stdio server needs a `command` (rule command.required). `args` alone are never run: " +
          "put the executable in `command` and its arguments in `args`.",
      ),
    );
  } else if (typeof command === "string") {
    const parsed = checkCommandString(command, platform, issues);
    if (parsed) {
      executable = parsed[0];
      for (const word of parsed.slice(1)) words.push({ word, path: "command" });
    }
  } else if (Array.isArray(command)) {
    if (command.length === 0) {
      issues.push(
        issue(
          "command",
          "command.required",
          "`command` is an empty list (rule command.required); give at least the executable.",
        ),
      );
    }
    command.forEach((element: unknown, index) => {
      if (typeof element !== "string") {
        issues.push(
          issue(
            `command[${index}]`,
            "command.type",
            `Every element of a \`command\` list must be a string; element ${index} is ${describeType(element, "a list")} (rule command.type).`,
          ),
        );
      } else if (index === 0) {
        executable = element;
      } else {
        words.push({ word: element, path: `command[${index}]` });
      }
    });
    if (executable !== undefined) checkExecutableText(executable, "command[0]", issues);
  } else {
    issues.push(
      issue(
        "command",
        "command.type",
        `\`command\` must be a string or a list of strings, not ${describeType(command, "a list")} (rule command.type).`,
      ),
    );
  }

  if (executable !== undefined) checkAllowList(executable, policy, platform, issues);

  if (args !== undefined && args !== null) {
    if (Array.isArray(args)) {
      args.forEach((arg: unknown, index) => {
        if (typeof arg === "string") {
          words.push({ word: arg, path: `args[${index}]` });
        } else {
          issues.push(
            issue(
              `args[${index}]`,
              "args.type",
              `Every element of \`args\` must be a string; element ${index} is ${describeType(arg, "a list")} (rule args.type). Quote numbers in YAML.`,
            ),
          );
        }
      });
    } else {
      issues.push(
        issue(
          "args",
          "args.type",
          `\`args\` must be a list of strings, not ${describeType(args, "a list")} (rule args.type).`,
        ),
      );
    }
  }

  checkWords(words, issues);

  if (!policy.allowInlineExec) {
    const argv = [executable ?? "", ...words.map((w) => w.word)];
    const found = findInlineExec(argv);
    if (found) {
      const path = found.index === 0 ? "command" : (words[found.index - 1]?.path ?? "args");
      issues.push(
        issue(
          path,
          "args.inlineExec",
          `"${found.interpreter}" is given inline code to run (${found.flag}) (rule args.inlineExec). ` +
            `Inline-exec flags are refused at security level "${policy.level}": put the code in a script ` +
            "file and run that, or set security.allow_inline_exec: true for this server if you trust it.",
        ),
      );
    }
  }

  if (issues.length > 0 || executable === undefined) return { args: [], issues };
  return { command: executable, args: words.map((w) => w.word), issues };
}

/** Checks of a `command` string before and after splitting; returns its words, or undefined. */
function checkCommandString(command: string, platform: NodeJS.Platform, issues: ConfigIssue[]) {
  const before = issues.length;
  if (command.trim() === "") {
    issues.push(issue("command", "command.required", "`command` is empty (rule command.required)."));
    return undefined;
  }
  if (command.length > MAX_COMMAND_LENGTH) {
    issues.push(
      issue(
        "command",
        "command.length",
        `\`command\` is ${command.length} characters long; the limit is ${MAX_COMMAND_LENGTH} (rule command.length). ` +
          "Move arguments to `args`.",
      ),
    );
    return undefined;
  }
  const found = new Set<string>();
  for (const ch of command) if (SHELL_METACHARACTERS.has(ch)) found.add(ch);
  if (found.size > 0) {
    issues.push(
      issue(
        "command",
        "command.metacharacters",
        `\`command\` contains shell metacharacters ${[...found].map((c) => `'${c}'`).join(" ")} (rule command.metacharacters). ` +
          "Commands are never run through a shell: give the executable in `command` and each argument " +
          "as its own element of `args`.",
      ),
    );
  }
  if (command.includes("../") || command.includes("..\\")) {
    issues.push(
      issue(
        "command",
        "command.traversal",
        "`command` contains a parent-directory step ('../' or '..\\') (rule command.traversal). " +
          "Use an absolute path, or put the path in `args` or `cwd`.",
      ),
    );
  }
  if (issues.length > before) return undefined;

  const split = platform === "win32" ? splitWindows(command) : splitPosix(command);
  if (typeof split === "string") {
    issues.push(
      issue(
        "command",
        "command.syntax",
        `\`command\` cannot be split into words: ${split} (rule command.syntax).`,
      ),
    );
    return undefined;
  }
  if (split.length === 0 || split[0] === "") {
    issues.push(
      issue(
        "command",
        "command.required",
        "`command` has no executable after parsing (rule command.required).",
      ),
    );
    return undefined;
  }
  if (split.length > MAX_ARGS_COUNT) {
    issues.push(
      issue(
        "command",
        "args.count",
        `\`command\` splits into ${split.length} words; the limit is ${MAX_ARGS_COUNT} (rule args.count).`,
      ),
    );
    return undefined;
  }
  checkExecutableText(split[0]!, "command", issues);
  return split;
}

/** Checks that apply to the executable word whatever form `command` has. */
function checkExecutableText(executable: string, path: string, issues: ConfigIssue[]): void {
  if (executable.trim() === "") {
    issues.push(issue(path, "command.required", "The executable is empty (rule command.required)."));
    return;
  }
  if (executable.length > MAX_ARG_LENGTH) {
    issues.push(
      issue(
        path,
        "command.length",
        `The executable is ${executable.length} characters long; the limit is ${MAX_ARG_LENGTH} (rule command.length).`,
      ),
    );
  }
  if (hasControlChar(executable)) {
    issues.push(
      issue(
        path,
        "command.controlChars",
        "The executable contains a NUL, CR or LF character (rule command.controlChars).",
      ),
    );
  }
  const metas = [...executable].filter((c) => SHELL_METACHARACTERS.has(c));
  if (metas.length > 0 && path !== "command") {
    issues.push(
      issue(
        path,
        "command.metacharacters",
        `The executable contains shell metacharacters ${[...new Set(metas)].map((c) => `'${c}'`).join(" ")} (rule command.metacharacters).`,
      ),
    );
  }
  if (executable.split(/[/\\]/).includes("..")) {
    issues.push(
      issue(
        path,
        "command.traversal",
        "The executable path contains a '..' component (rule command.traversal). Use an absolute path.",
      ),
    );
  }
}

/** Lower-cased base name without `.exe .bat .cmd .ps1`, as compared with the allow-list. */
export function executableBaseName(executable: string, platform: NodeJS.Platform = process.platform): string {
  const parts = executable.split(platform === "win32" ? /[/\\]/ : "/");
  let base = (parts[parts.length - 1] ?? "").toLowerCase();
  for (const ext of EXECUTABLE_EXTENSIONS) {
    if (base.endsWith(ext) && base.length > ext.length) {
      base = base.slice(0, -ext.length);
      break;
    }
  }
  return base;
}

function checkAllowList(
  executable: string,
  policy: SecurityPolicy,
  platform: NodeJS.Platform,
  issues: ConfigIssue[],
): void {
  if (executable.trim() === "") return;
  const custom = policy.allowedExecutables !== undefined && policy.allowedExecutables.length > 0;
  const list = custom
    ? policy.allowedExecutables!.map((e) => executableBaseName(e, "win32"))
    : (DEFAULT_ALLOWED_EXECUTABLES[policy.level] ?? []);
  const base = executableBaseName(executable, platform);
  if (list.includes(base)) return;
  const source = custom
    ? "security.allowed_executables"
    : `the default list of security level "${policy.level}"`;
  issues.push(
    issue(
      "command",
      "command.allowlist",
      `Executable ${quote(base)} is not in ${source} (rule command.allowlist). Allowed: ${[...new Set(list)]
        .sort()
        .join(", ")}. ` +
        "If you trust it, list it in security.allowed_executables (this replaces the level's list, so " +
        "include the others you need).",
    ),
  );
}

function checkWords(words: ReadonlyArray<{ word: string; path: string }>, issues: ConfigIssue[]): void {
  if (words.length > MAX_ARGS_COUNT) {
    issues.push(
      issue(
        "args",
        "args.count",
        `The executable would get ${words.length} arguments (extra words of \`command\` plus \`args\`); ` +
          `the limit is ${MAX_ARGS_COUNT} (rule args.count).`,
      ),
    );
  }
  words.forEach(({ word, path }, index) => {
    if (word.length > MAX_ARG_LENGTH) {
      issues.push(
        issue(
          path,
          "args.length",
          `Argument ${index + 1} is ${word.length} characters long; the limit is ${MAX_ARG_LENGTH} (rule args.length). ` +
            "Pass large data through a file or an environment variable.",
        ),
      );
    }
    if (hasControlChar(word)) {
      issues.push(
        issue(
          path,
          "args.controlChars",
          `Argument ${index + 1} contains a NUL, CR or LF character (rule args.controlChars).`,
        ),
      );
    }
  });
}

function hasControlChar(text: string): boolean {
  return text.includes("\0") || text.includes("\r") || text.includes("\n");
}

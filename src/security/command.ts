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
import {
  DEFAULT_ALLOWED_EXECUTABLES,
  MAX_ARG_LENGTH,
  MAX_ARGS_COUNT,
  MAX_COMMAND_LENGTH,
  MAX_CWD_LENGTH,
} from "./defaults.js";
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
const EXECUTABLE_EXTENSIONS = [".exe", ".bat", ".cmd", ".ps1"];

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

// ---------------------------------------------------------------------------------------------
// Splitting

const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/**
 * Splits like Python's `shlex.split` (POSIX mode, no comments): whitespace separates words,
 * `'…'` is literal, `"…"` keeps backslashes except before `"` and `\`, and a backslash outside
 * quotes escapes the next character. Returns an error text for unbalanced quotes or a trailing
 * backslash.
 */
export function splitPosix(text: string): string[] | string {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "\\") {
      if (i + 1 >= text.length) return "no character after the final backslash";
      word += text[++i];
      inWord = true;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) return "no closing quotation mark (')";
      word += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === '"') {
      inWord = true;
      let closed = false;
      for (i++; i < text.length; i++) {
        const c = text[i]!;
        if (c === '"') {
          closed = true;
          break;
        }
        if (c === "\\" && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === "\\")) {
          word += text[++i];
        } else {
          word += c;
        }
      }
      if (!closed) return 'no closing quotation mark (")';
    } else if (WHITESPACE.has(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Splits a Windows command line: whitespace separates words, `"…"` and `'…'` group (quotes are
 * removed, adjacent parts join), and backslashes are ordinary characters, so
 * `C:\Program Files\nodejs\node.exe` paths survive. Returns an error text for an unclosed quote.
 */
export function splitWindows(text: string): string[] | string {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      const end = text.indexOf(ch, i + 1);
      if (end === -1) return `no closing quotation mark (${ch})`;
      word += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (WHITESPACE.has(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

// ---------------------------------------------------------------------------------------------
// Inline-exec detection

/** How one interpreter family reads its options, as far as finding inline code needs. */
interface OptionGrammar {
  /** Short-option letters that take inline code (`-c`, `-e`). Case-sensitive. */
  inlineShort: string;
  /** Short-option letters taking a value: the rest of the cluster, else the next word. */
  valueShort: string;
  /** Short-option letters taking an optional value attached to them (the rest of the cluster). */
  attachedShort: string;
  /** Short-option letters followed by optional digits (`perl -l0`, `ruby -W2`). */
  digitShort: string;
  /** Short-option letters after which the rest belongs to a module (`python -m`). */
  stopShort: string;
  /** Option clusters may start with `+` (shells: `+o`). */
  plusClusters: boolean;
  /** Long options (before any `=`) that take inline code. */
  longInline: ReadonlySet<string>;
  /** Long options known to take a separate value word. */
  longValue: ReadonlySet<string>;
  /** First positional words that run inline code (`deno eval`, `bun exec`). */
  inlineSubcommands: ReadonlySet<string>;
  /** First positional words after which options are still read (`deno run`, `npm exec`). */
  continueSubcommands: ReadonlySet<string>;
  /** `data:` URLs run inline code (`node --import data:…`, `deno run data:…`). */
  dataUrls: boolean;
}

const none: ReadonlySet<string> = new Set();

function grammar(partial: Partial<OptionGrammar>): OptionGrammar {
  return {
    inlineShort: "",
    valueShort: "",
    attachedShort: "",
    digitShort: "",
    stopShort: "",
    plusClusters: false,
    longInline: none,
    longValue: none,
    inlineSubcommands: none,
    continueSubcommands: none,
    dataUrls: false,
    ...partial,
  };
}

const POSIX_SHELL = grammar({
  inlineShort: "c",
  valueShort: "oO",
  plusClusters: true,
  longValue: new Set(["--rcfile", "--init-file"]),
});

const FISH = grammar({
  inlineShort: "cC",
  valueShort: "dfo",
  longInline: new Set(["--command", "--init-command"]),
  longValue: new Set(["--debug", "--debug-output", "--features", "--profile", "--profile-startup"]),
});

const NODE_VALUE_OPTIONS = [
  "--conditions",
  "--cpu-prof-dir",
  "--cpu-prof-interval",
  "--cpu-prof-name",
  "--diagnostic-dir",
  "--disable-proto",
  "--disable-warning",
  "--dns-result-order",
  "--env-file",
  "--env-file-if-exists",
  "--experimental-config-file",
  "--experimental-loader",
  "--experimental-policy",
  "--experimental-sea-config",
  "--heap-prof-dir",
  "--heap-prof-interval",
  "--heap-prof-name",
  "--heapsnapshot-near-heap-limit",
  "--heapsnapshot-signal",
  "--icu-data-dir",
  "--import",
  "--input-type",
  "--inspect-port",
  "--debug-port",
  "--inspect-publish-uid",
  "--loader",
  "--localstorage-file",
  "--max-http-header-size",
  "--openssl-config",
  "--preload",
  "--redirect-warnings",
  "--report-dir",
  "--report-directory",
  "--report-filename",
  "--report-signal",
  "--require",
  "--run",
  "--secure-heap",
  "--secure-heap-min",
  "--snapshot-blob",
  "--stack-trace-limit",
  "--title",
  "--tls-cipher-list",
  "--tls-keylog",
  "--trace-event-categories",
  "--trace-event-file-pattern",
  "--tsconfig",
  "--unhandled-rejections",
  "--use-largepages",
  "--watch-path",
];

const NODE = grammar({
  inlineShort: "ep",
  valueShort: "rC",
  longInline: new Set(["--eval", "--print"]),
  longValue: new Set(NODE_VALUE_OPTIONS),
  dataUrls: true,
});

const BUN = grammar({
  ...NODE,
  inlineSubcommands: new Set(["exec"]),
  continueSubcommands: new Set(["run"]),
});

const DENO = grammar({
  valueShort: "cL",
  longInline: new Set(["--eval"]),
  longValue: new Set([
    "--config",
    "--import-map",
    "--lock",
    "--cert",
    "--env-file",
    "--location",
    "--seed",
    "--log-level",
    "--ext",
  ]),
  inlineSubcommands: new Set(["eval"]),
  continueSubcommands: new Set(["run", "repl", "serve", "task", "test", "bench", "x"]),
  dataUrls: true,
});

const PYTHON = grammar({
  inlineShort: "c",
  valueShort: "WX",
  stopShort: "m",
  longValue: new Set(["--check-hash-based-pycs"]),
});

const RUBY = grammar({
  inlineShort: "e",
  valueShort: "rICE",
  attachedShort: "Fix",
  digitShort: "0WT",
});

const PERL = grammar({
  inlineShort: "eE",
  valueShort: "IMm",
  attachedShort: "ixFCDV",
  digitShort: "0l",
});

const PACKAGE_RUNNER = grammar({
  inlineShort: "c",
  valueShort: "pwC",
  longInline: new Set(["--call", "--shell-mode"]),
  longValue: new Set([
    "--package",
    "--workspace",
    "--cache",
    "--registry",
    "--userconfig",
    "--prefix",
    "--dir",
  ]),
  continueSubcommands: new Set(["exec", "x", "dlx"]),
});

const GIT = grammar({
  inlineShort: "c",
  valueShort: "C",
  longInline: new Set(["--config-env"]),
  longValue: new Set(["--git-dir", "--work-tree", "--namespace"]),
});

type Interpreter =
  | { kind: "options"; name: string; grammar: OptionGrammar }
  | { kind: "cmd"; name: string }
  | { kind: "powershell"; name: string };

const GRAMMARS = new Map<string, OptionGrammar>([
  ...["sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "csh", "tcsh"].map((n) => [n, POSIX_SHELL] as const),
  ["fish", FISH],
  ...["node", "nodejs", "tsx", "ts-node"].map((n) => [n, NODE] as const),
  ["bun", BUN],
  ["deno", DENO],
  ["ruby", RUBY],
  ["jruby", RUBY],
  ["perl", PERL],
  ...["npx", "npm", "pnpm", "pnpx", "yarn"].map((n) => [n, PACKAGE_RUNNER] as const),
  ["git", GIT],
]);

const PYTHON_NAME = /^(?:python|pypy)[0-9.]*[tw]?$|^pyw?$/;

/** The interpreter a word names (`/usr/bin/python3.12`, `node.exe`, `node@20`), if any. */
function interpreterOf(word: string): Interpreter | undefined {
  const parts = word.split(/[/\\]/);
  let name = (parts[parts.length - 1] ?? "").toLowerCase();
  for (const ext of [...EXECUTABLE_EXTENSIONS, ".com"]) {
    if (name.endsWith(ext) && name.length > ext.length) {
      name = name.slice(0, -ext.length);
      break;
    }
  }
  const at = name.indexOf("@", 1);
  if (at > 0) name = name.slice(0, at);
  if (name === "cmd") return { kind: "cmd", name };
  if (name === "powershell" || name === "pwsh") return { kind: "powershell", name };
  if (PYTHON_NAME.test(name)) return { kind: "options", name, grammar: PYTHON };
  const g = GRAMMARS.get(name);
  return g ? { kind: "options", name, grammar: g } : undefined;
}

interface InlineFinding {
  /** Index in argv (0 = the executable) of the word that carries the inline code flag. */
  index: number;
  interpreter: string;
  /** A description of the flag; never an argument's value. */
  flag: string;
}

/**
 * Finds the first interpreter word in `argv` (the executable or any argument, so `npx node -e`
 * and `uv run python -c` are caught) whose own options include an inline-code flag.
 */
export function findInlineExec(argv: readonly string[]): InlineFinding | undefined {
  for (let i = 0; i < argv.length; i++) {
    const interpreter = interpreterOf(argv[i]!);
    if (!interpreter) continue;
    let found: { index: number; flag: string } | undefined;
    if (interpreter.kind === "cmd") found = scanCmd(argv, i + 1);
    else if (interpreter.kind === "powershell")
      found = scanPowerShell(argv, i + 1, interpreter.name === "powershell");
    else found = scanOptions(interpreter.grammar, argv, i + 1);
    if (found) return { ...found, interpreter: interpreter.name };
  }
  return undefined;
}

function isDataUrl(word: string): boolean {
  return word.length >= 5 && word.slice(0, 5).toLowerCase() === "data:";
}

/** A word that is probably a script path rather than an option's value. */
function looksLikeScript(word: string): boolean {
  return word.includes("/") || word.includes("\\") || /\.[A-Za-z0-9]+$/.test(word);
}

/** Shows a short option cluster (letters only) as written; anything else by its name only. */
function describeFlag(word: string, name: string): string {
  return /^[-+][A-Za-z0-9]{1,12}$/.test(word) ? `"${word}"` : `"${name}"`;
}

function scanOptions(
  g: OptionGrammar,
  argv: readonly string[],
  start: number,
): { index: number; flag: string } | undefined {
  let sawSubcommand = false;
  for (let i = start; i < argv.length; i++) {
    const word = argv[i]!;
    if (g.dataUrls && isDataUrl(word)) return { index: i, flag: "a data: URL" };
    // `--` ends options for most interpreters; scanning on is the cautious choice.
    if (word === "--") continue;
    if (word.startsWith("--")) {
      const eq = word.indexOf("=");
      const name = eq === -1 ? word : word.slice(0, eq);
      if (g.longInline.has(name)) return { index: i, flag: `"${name}"` };
      if (eq !== -1) {
        if (g.dataUrls && isDataUrl(word.slice(eq + 1))) return { index: i, flag: "a data: URL" };
        continue;
      }
      const next = argv[i + 1];
      // Unknown long options may take a value: skip a following word unless it looks like the
      // script (skipping keeps scanning, so a mistake here errs towards refusing).
      if (next !== undefined && !next.startsWith("-") && (g.longValue.has(name) || !looksLikeScript(next))) {
        if (g.dataUrls && isDataUrl(next)) return { index: i + 1, flag: "a data: URL" };
        i++;
      }
      continue;
    }
    if (word.length > 1 && (word[0] === "-" || (g.plusClusters && word[0] === "+"))) {
      const cluster = scanCluster(g, word);
      if (cluster.inline !== undefined) {
        return { index: i, flag: describeFlag(word, `-${cluster.inline}`) };
      }
      if (cluster.stop) return undefined;
      const next = argv[i + 1];
      if (cluster.takesNext && next !== undefined && !next.startsWith("-")) {
        if (g.dataUrls && isDataUrl(next)) return { index: i + 1, flag: "a data: URL" };
        i++;
      }
      continue;
    }
    if (word === "-") return undefined;
    if (!sawSubcommand) {
      if (g.inlineSubcommands.has(word)) return { index: i, flag: `"${word}"` };
      if (g.continueSubcommands.has(word)) {
        sawSubcommand = true;
        continue;
      }
    }
    // The script or module: what follows belongs to it, not to the interpreter.
    return undefined;
  }
  return undefined;
}

function scanCluster(
  g: OptionGrammar,
  word: string,
): { inline?: string; stop?: boolean; takesNext?: boolean } {
  for (let k = 1; k < word.length; k++) {
    const ch = word[k]!;
    if (g.inlineShort.includes(ch)) return { inline: ch };
    if (g.stopShort.includes(ch)) return { stop: true };
    if (g.valueShort.includes(ch)) return { takesNext: k === word.length - 1 };
    if (g.attachedShort.includes(ch)) return {};
    if (g.digitShort.includes(ch)) {
      while (k + 1 < word.length && word[k + 1]! >= "0" && word[k + 1]! <= "9") k++;
    }
  }
  return {};
}

/** `cmd /c …`, `/k`, `/r`, also combined (`/d/c`), case-insensitive; every later word is scanned. */
function scanCmd(argv: readonly string[], start: number): { index: number; flag: string } | undefined {
  for (let i = start; i < argv.length; i++) {
    const word = argv[i]!;
    if (!word.startsWith("/")) continue;
    for (const part of word.split("/").slice(1)) {
      const letter = part.charAt(0).toLowerCase();
      if (letter === "c" || letter === "k" || letter === "r") return { index: i, flag: `"/${letter}"` };
    }
  }
  return undefined;
}

const PS_INLINE = ["command", "encodedcommand", "commandwithargs"];
const PS_VALUE = [
  "executionpolicy",
  "windowstyle",
  "configurationname",
  "configurationfile",
  "inputformat",
  "outputformat",
  "psconsolefile",
  "version",
  "workingdirectory",
  "settingsfile",
  "custompipename",
  "encodedarguments",
];
const PS_VALUE_ALIASES = new Set(["ep", "wd", "if", "of", "ea"]);

/**
 * PowerShell parameters are case-insensitive, may start with `-`, `--` or `/`, and may be
 * abbreviated to any unambiguous prefix: `-c`, `-com`, `-Command`, `-e`, `-ec`, `-enc`,
 * `-EncodedCommand`, `-cwa`. Scanning stops at `-File`. Windows PowerShell (`powershell`) runs a
 * bare positional word as `-Command`, so that is refused too; `pwsh` runs it as `-File`.
 */
function scanPowerShell(
  argv: readonly string[],
  start: number,
  positionalIsCommand: boolean,
): { index: number; flag: string } | undefined {
  for (let i = start; i < argv.length; i++) {
    const word = argv[i]!;
    const match = /^(?:--?|\/)([A-Za-z]+)(?::.*)?$/.exec(word);
    if (match) {
      const param = match[1]!.toLowerCase();
      if (param === "ec" || param === "cwa" || PS_INLINE.some((name) => name.startsWith(param))) {
        return { index: i, flag: `"-${match[1]!}"` };
      }
      if ("file".startsWith(param)) return undefined;
      const next = argv[i + 1];
      if (
        (PS_VALUE_ALIASES.has(param) || PS_VALUE.some((name) => name.startsWith(param))) &&
        next !== undefined &&
        !next.startsWith("-")
      ) {
        i++;
      }
      continue;
    }
    if (positionalIsCommand) return { index: i, flag: "a command given without -File" };
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// cwd

/** Checks a stdio server's `cwd`: a non-empty string, at most 500 characters, no `..` component. */
export function checkCwd(cwd: unknown): ConfigIssue[] {
  if (cwd === undefined || cwd === null) return [];
  if (typeof cwd !== "string" || cwd === "") {
    return [
      issue(
        "cwd",
        "cwd.type",
        `\`cwd\` must be a non-empty string, not ${describeType(cwd, "a list")} (rule cwd.type).`,
      ),
    ];
  }
  const issues: ConfigIssue[] = [];
  if (cwd.length > MAX_CWD_LENGTH) {
    issues.push(
      issue(
        "cwd",
        "cwd.length",
        `\`cwd\` is ${cwd.length} characters long; the limit is ${MAX_CWD_LENGTH} (rule cwd.length).`,
      ),
    );
  }
  if (cwd.includes("\0")) {
    issues.push(issue("cwd", "cwd.controlChars", "`cwd` contains a NUL character (rule cwd.controlChars)."));
  }
  if (cwd.split(/[/\\]/).includes("..")) {
    issues.push(
      issue(
        "cwd",
        "cwd.traversal",
        "`cwd` contains a '..' component (rule cwd.traversal). Use an absolute path without '..'.",
      ),
    );
  }
  return issues;
}

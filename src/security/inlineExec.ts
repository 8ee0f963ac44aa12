/**
 * Inline-exec detection in a stdio server's argv: an allowed interpreter given code on its command
 * line (`sh -c`, `node -e`, `python -c`, `deno eval`, `cmd /c`, `powershell -Command`) would run any
 * code, so `checkCommand` refuses it. One option grammar per interpreter family says which flags
 * carry code and which take a value word, so that a value is never mistaken for a flag.
 */
import { EXECUTABLE_EXTENSIONS } from "./commandLine.js";

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

/**
 * Reading a command line the way the platform's shell would, for the checks of a stdio server's
 * `command` string: POSIX `shlex`-style splitting and Windows splitting (no backslash escapes).
 */

/** Extensions of executables Windows runs without them being named (`node.exe` is `node`). */
export const EXECUTABLE_EXTENSIONS = [".exe", ".bat", ".cmd", ".ps1"];

const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/**
 * What a dialect makes of the character at `i`: `undefined` for an ordinary character, else the text
 * it adds to the word and the index of the last character it used, or an error text.
 */
type ReadSpecial = (text: string, i: number) => { add: string; last: number } | string | undefined;

/** The word loop both dialects share: whitespace separates words, `special` reads quotes and escapes. */
function splitWords(text: string, special: ReadSpecial): string[] | string {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (WHITESPACE.has(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    const part = special(text, i);
    if (typeof part === "string") return part;
    if (part) {
      word += part.add;
      i = part.last;
    } else {
      word += ch;
    }
    inWord = true;
  }
  if (inWord) words.push(word);
  return words;
}

/** A quote whose content is literal up to the same quote character. */
function literalQuote(text: string, i: number): { add: string; last: number } | string {
  const quote = text[i]!;
  const end = text.indexOf(quote, i + 1);
  if (end === -1) return `no closing quotation mark (${quote})`;
  return { add: text.slice(i + 1, end), last: end };
}

/**
 * Splits like Python's `shlex.split` (POSIX mode, no comments): whitespace separates words,
 * `'…'` is literal, `"…"` keeps backslashes except before `"` and `\`, and a backslash outside
 * quotes escapes the next character. Returns an error text for unbalanced quotes or a trailing
 * backslash.
 */
export function splitPosix(text: string): string[] | string {
  return splitWords(text, (text, i) => {
    const ch = text[i];
    if (ch === "\\") {
      if (i + 1 >= text.length) return "no character after the final backslash";
      return { add: text[i + 1]!, last: i + 1 };
    }
    if (ch === "'") return literalQuote(text, i);
    if (ch !== '"') return undefined;
    let add = "";
    for (let j = i + 1; j < text.length; j++) {
      const c = text[j]!;
      if (c === '"') return { add, last: j };
      if (c === "\\" && j + 1 < text.length && (text[j + 1] === '"' || text[j + 1] === "\\"))
        add += text[++j];
      else add += c;
    }
    return 'no closing quotation mark (")';
  });
}

/**
 * Splits a Windows command line: whitespace separates words, `"…"` and `'…'` group (quotes are
 * removed, adjacent parts join), and backslashes are ordinary characters, so
 * `C:\Program Files\nodejs\node.exe` paths survive. Returns an error text for an unclosed quote.
 */
export function splitWindows(text: string): string[] | string {
  return splitWords(text, (text, i) =>
    text[i] === '"' || text[i] === "'" ? literalQuote(text, i) : undefined,
  );
}

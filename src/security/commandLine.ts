/**
 * Reading a command line the way the platform's shell would, for the checks of a stdio server's
 * `command` string: POSIX `shlex`-style splitting and Windows splitting (no backslash escapes).
 */

/** Extensions of executables Windows runs without them being named (`node.exe` is `node`). */
export const EXECUTABLE_EXTENSIONS = [".exe", ".bat", ".cmd", ".ps1"];

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

/**
 * The one way a path into a value (a config, tool arguments) is written in messages:
 * `mcpServers.github.env`, `args[2]`, `env["MY VAR"]`. A key that is not a plain name is quoted as
 * JSON, so every path can be read back (and pointed at a file line), and a very long key (a hostile
 * document's 100 KB key) is cut so that it cannot fill the message.
 */

/** A path into a value: object keys and array indexes. */
export type KeyPath = ReadonlyArray<string | number>;

/** Keys shown as they are after a dot; any other key is quoted. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;
/** Longest key shown in full, in characters; a longer one is cut and marked with "…". */
export const MAX_SHOWN_KEY_LENGTH = 120;

/** Renders `path` after `base` (`renderKeyPath(["a", 0], "servers")` → `servers.a[0]`). */
export function renderKeyPath(path: KeyPath, base = "", maxKeyLength = MAX_SHOWN_KEY_LENGTH): string {
  let out = base;
  for (const part of path) {
    if (typeof part === "number") {
      out += `[${part}]`;
      continue;
    }
    const key = part.length > maxKeyLength ? `${part.slice(0, maxKeyLength)}…` : part;
    if (PLAIN_KEY.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out;
}

/** `prefix` followed by a path rendered by `renderKeyPath` (`servers[0]` + `env.A`, `x` + `["a.b"]`). */
export function joinKeyPath(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith("[") ? `${prefix}${path}` : `${prefix}.${path}`;
}

/**
 * The inverse of `renderKeyPath`, for pointing at a file line. Lenient (`env.NAME`, `headers.X Bad`
 * parse too); undefined for text it cannot split.
 */
export function parseKeyPath(text: string): Array<string | number> | undefined {
  const parts: Array<string | number> = [];
  const segment = /\.?([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  while (segment.lastIndex < text.length) {
    const match = segment.exec(text);
    if (!match) return undefined;
    if (match[1] !== undefined) parts.push(match[1]);
    else if (match[2] !== undefined) parts.push(Number(match[2]));
    else parts.push(JSON.parse(match[3]!) as string);
  }
  return parts;
}

// `node:fs` plus `globSync` for Node 20. The conformance runner only globs `**/checks.json` below its
// output directory, so `*`, `**` and `?` are enough; Node >= 22 uses its own implementation.
import fs from "node:fs";
import path from "node:path";

// eslint-disable-next-line no-restricted-syntax -- a stand-in for node:fs has to export all of it
export * from "node:fs";
export default fs;

function toRegExp(pattern) {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

export function globSync(pattern, options = {}) {
  if (typeof fs.globSync === "function") return fs.globSync(pattern, options);
  const root = options.cwd ?? process.cwd();
  const matcher = toRegExp(String(pattern));
  const found = [];
  const walk = (relative) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      if (matcher.test(child)) found.push(child.split("/").join(path.sep));
    }
  };
  walk("");
  return found;
}

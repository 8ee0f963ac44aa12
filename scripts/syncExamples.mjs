#!/usr/bin/env node
/**
 * Keeps the README's code blocks equal to the files in examples/, which `npm run typecheck`
 * compiles against the built package, so an example cannot drift from the real API.
 *
 * A README block is marked by a comment on the line before its fence:
 *
 *     <!-- example: examples/quickStart.ts -->
 *
 *     ```ts
 *     …replaced by the example…
 *     ```
 *
 * The block is the whole file, or only the lines between `// #region readme` and
 * `// #endregion readme` when the file has them (the lines outside declare what the snippet
 * assumes, such as a connected `client`, and are type-checked but not shown).
 *
 *     node scripts/syncExamples.mjs          rewrite README.md from examples/
 *     node scripts/syncExamples.mjs --check  exit 1 when they differ (test/unit/meta/readmeExamples.test.ts)
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const MARKER = /^<!-- example: (\S+) -->$/;
const FENCE_OPEN = /^```(ts|typescript|js|javascript|mjs|cjs)$/;
const REGION_START = "// #region readme";
const REGION_END = "// #endregion readme";

/** The part of an example file the README shows. */
export function exampleText(source) {
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  const start = lines.findIndex((line) => line.trim() === REGION_START);
  const end = lines.findIndex((line) => line.trim() === REGION_END);
  let shown = lines;
  if (start !== -1 || end !== -1) {
    if (start === -1 || end === -1 || end < start)
      throw new Error(`unbalanced ${REGION_START} / ${REGION_END}`);
    shown = lines.slice(start + 1, end);
  }
  while (shown.length > 0 && shown[0].trim() === "") shown = shown.slice(1);
  while (shown.length > 0 && shown.at(-1).trim() === "") shown = shown.slice(0, -1);
  return shown.join("\n");
}

/**
 * The README with every marked block replaced by its example, plus the problems found: a marker
 * without a fence or file, a TypeScript/JavaScript block without a marker, an example no block uses.
 */
export function syncReadme(readme, readExample, exampleFiles) {
  const lines = readme.split("\n");
  const out = [];
  const problems = [];
  const used = new Set();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const marker = MARKER.exec(line);
    if (!marker) {
      if (FENCE_OPEN.test(line) && !MARKER.test(previousText(lines, i))) {
        problems.push(
          `README.md:${i + 1}: a ${line.slice(3)} block without an <!-- example: examples/….ts --> marker`,
        );
      }
      out.push(line);
      continue;
    }
    const file = marker[1];
    out.push(line);
    // Prettier keeps a blank line between the comment and the fence.
    let open = i + 1;
    while (lines[open] === "") open++;
    const fence = lines[open];
    if (fence === undefined || !FENCE_OPEN.test(fence)) {
      problems.push(`README.md:${i + 1}: the marker for ${file} is not followed by a \`\`\`ts fence`);
      continue;
    }
    out.push("");
    const close = lines.findIndex((candidate, index) => index > open && candidate === "```");
    if (close === -1) {
      problems.push(`README.md:${open + 1}: the block for ${file} is never closed`);
      continue;
    }
    let text;
    try {
      text = exampleText(readExample(file));
    } catch (error) {
      problems.push(`README.md:${i + 1}: ${file}: ${error instanceof Error ? error.message : String(error)}`);
      text = lines.slice(open + 1, close).join("\n");
    }
    used.add(file);
    out.push(fence, ...(text === "" ? [] : text.split("\n")), "```");
    i = close;
  }
  for (const file of exampleFiles) {
    if (!used.has(file))
      problems.push(`${file}: no README block shows it (add a marker, or delete the file)`);
  }
  return { text: out.join("\n"), problems };
}

/** The nearest non-blank line above line `index`. */
function previousText(lines, index) {
  for (let i = index - 1; i >= 0; i--) if (lines[i] !== "") return lines[i];
  return "";
}

/** The examples on disk, as README paths (`examples/x.ts`). */
export function listExamples(root = ROOT) {
  return readdirSync(join(root, "examples"))
    .filter((name) => name.endsWith(".ts"))
    .sort()
    .map((name) => `examples/${name}`);
}

/** Syncs (or checks) README.md under `root`; returns the problems and whether the README differs. */
export function run({ root = ROOT, check = false } = {}) {
  const path = join(root, "README.md");
  const readme = readFileSync(path, "utf8");
  const { text, problems } = syncReadme(
    readme,
    (file) => readFileSync(join(root, file), "utf8"),
    listExamples(root),
  );
  const differs = text !== readme;
  if (!check && differs && problems.length === 0) writeFileSync(path, text);
  return { problems, differs };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes("--check");
  const { problems, differs } = run({ check });
  for (const problem of problems) console.error(problem);
  if (check && differs) {
    console.error("README.md differs from examples/: run `npm run examples:sync` and commit the result.");
  }
  if (problems.length > 0 || (check && differs)) process.exit(1);
  if (!check)
    console.log(differs ? "README.md updated from examples/." : "README.md already matches examples/.");
}

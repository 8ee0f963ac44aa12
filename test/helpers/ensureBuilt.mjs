// Builds dist/ unless it is already up to date with src/, so that `npm test` on a fresh clone builds
// and `.ci/run`, which has just run `npm run build`, does not build a second time. Up to date means:
// every src/**/*.ts has its dist/**/*.js, no older than it and than the tsconfig files. Run by the
// package.json test scripts before any suite that uses dist/ (the integration, bench and conformance
// tiers start the built demo server and CLI).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CONFIGS = ["tsconfig.json", "tsconfig.build.json"];

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The first reason dist/ is stale, or undefined when it is up to date. */
function staleness() {
  const configTime = Math.max(...CONFIGS.map((name) => statSync(join(root, name)).mtimeMs));
  for (const source of sources(join(root, "src"))) {
    const output = join(root, "dist", relative(join(root, "src"), source)).replace(/\.ts$/, ".js");
    if (!existsSync(output)) return `${relative(root, output)} is missing`;
    const outputTime = statSync(output).mtimeMs;
    if (outputTime < statSync(source).mtimeMs) return `${relative(root, source)} changed since the build`;
    if (outputTime < configTime) return "a tsconfig file changed since the build";
  }
  return undefined;
}

const reason = staleness();
if (reason === undefined) {
  console.log("dist/ is up to date with src/: not rebuilding");
} else {
  console.log(`building dist/ (${reason})`);
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "build", "--silent"], {
    cwd: root,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

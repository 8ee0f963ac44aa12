// Builds dist/ unless it is already up to date with src/, so that `npm test` on a fresh clone builds
// and `.ci/run`, which has just run `npm run build`, does not build a second time. Up to date means:
// every src/**/*.ts has its dist/**/*.js, no older than it and than the tsconfig files and
// package.json ("type" decides what NodeNext emits), and dist/ holds nothing without a source: tsc
// never deletes the output of a deleted or renamed source file, and a test importing that orphan
// would pass against code that no longer exists. When stale, dist/ is removed and built from scratch.
// Run by the package.json test scripts before any suite that uses dist/ (the integration, bench and
// conformance tiers start the built demo server and CLI).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const CONFIGS = ["tsconfig.json", "tsconfig.build.json", "package.json"];
/** What tsc emits for one source: the module, its declaration and their maps. */
const OUTPUT = /(\.d\.ts\.map|\.d\.ts|\.js\.map|\.js)$/;

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

/** The first reason `root`/dist/ is stale, or undefined when it is up to date. */
export function staleness(root) {
  const src = join(root, "src");
  const dist = join(root, "dist");
  if (!existsSync(dist)) return "dist/ is missing";
  const configTime = Math.max(
    ...CONFIGS.filter((name) => existsSync(join(root, name))).map(
      (name) => statSync(join(root, name)).mtimeMs,
    ),
  );
  const sources = files(src).filter((path) => path.endsWith(".ts") && !path.endsWith(".d.ts"));
  for (const source of sources) {
    const output = join(dist, relative(src, source)).replace(/\.ts$/, ".js");
    if (!existsSync(output)) return `${relative(root, output)} is missing`;
    const outputTime = statSync(output).mtimeMs;
    if (outputTime < statSync(source).mtimeMs) return `${relative(root, source)} changed since the build`;
    if (outputTime < configTime) return "a tsconfig file or package.json changed since the build";
  }
  for (const output of files(dist)) {
    const source = join(src, relative(dist, output)).replace(OUTPUT, ".ts");
    if (!existsSync(source)) return `${relative(root, output)} has no source in src/ (deleted or renamed)`;
  }
  return undefined;
}

function main() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const reason = staleness(root);
  if (reason === undefined) {
    console.log("dist/ is up to date with src/: not rebuilding");
    return;
  }
  console.log(`building dist/ from scratch (${reason})`);
  rmSync(join(root, "dist"), { recursive: true, force: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const build = spawnSync(npm, ["run", "build", "--silent"], {
    cwd: root,
    stdio: "inherit",
    shell: process.platform === "win32",
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();

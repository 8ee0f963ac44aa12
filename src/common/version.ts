import { createRequire } from "node:module";

/**
 * The package's version, read from its package.json (two folders up from both `src/common/` and
 * `dist/common/`), so the client's `clientInfo`, the demo server and the CLI never disagree with
 * what npm installed.
 */
export const PACKAGE_VERSION: string = (
  createRequire(import.meta.url)("../../package.json") as { version: string }
).version;

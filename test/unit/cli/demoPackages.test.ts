// The demo server's packages are optional peer dependencies: without them the CLI says what to
// install before it spawns anything, instead of a demo that dies with "Cannot find package".
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { DEMO_PACKAGES, requireDemoPackages } from "../../../src/cli/configSource.js";
import { MCPConfigurationError } from "../../../src/errors/errors.js";

const manifest = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

describe("the demo server's packages", () => {
  it("are optional peers of the library and dev dependencies of the repository, not runtime dependencies", () => {
    for (const name of DEMO_PACKAGES) {
      expect(manifest.dependencies[name], name).toBeUndefined();
      expect(manifest.peerDependenciesMeta[name]?.optional, name).toBe(true);
      expect(manifest.peerDependencies[name], name).toBe(`^${manifest.devDependencies[name]}`);
    }
  });

  it("pass the check when they resolve (as in this repository)", () => {
    expect(() => requireDemoPackages()).not.toThrow();
  });

  it("when missing, make a config error that names each missing package and the command to install it", () => {
    const missing = (name: string) => name !== "@modelcontextprotocol/node";
    let error: unknown;
    try {
      requireDemoPackages(missing);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MCPConfigurationError);
    expect((error as MCPConfigurationError).message).toBe(
      `The bundled demo server needs @modelcontextprotocol/node, which mcp-tools does not install (the demo server's packages are optional dependencies). Install it to run the demo (npm install @modelcontextprotocol/node@${manifest.peerDependencies["@modelcontextprotocol/node"]}), or pass --config <file> (or put an mcp.json here) to use your own servers.`,
    );
    expect((error as MCPConfigurationError).context).toEqual({ missing: ["@modelcontextprotocol/node"] });
  });
});

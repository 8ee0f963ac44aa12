// The layer table lives in eslint.config.js; these tests make sure the rule is really active, so that
// deleting or loosening it fails a test as well as leaving upward imports unreported.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The probe files do not exist, so the type-aware part of the config (which needs them in the
// TypeScript project) is switched off; the layer rule needs no types.
const eslint = new ESLint({
  overrideConfig: {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/no-misused-promises": "off",
      "@typescript-eslint/switch-exhaustiveness-check": "off",
    },
  },
});

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const fatal = result?.messages.find((m) => m.fatal);
  if (fatal) throw new Error(`eslint could not parse the probe: ${fatal.message}`);
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("layer rule (eslint no-restricted-imports per folder)", () => {
  it("refuses an upward import and names the folders that are allowed", async () => {
    const messages = await restrictedImports(
      "src/resilience/probe.ts",
      'import type { MCPClient } from "../client/mcpClient.js";\nexport type T = MCPClient;\n',
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain("src/resilience may import only errors, common, config");
  });

  it("says so when a folder may import nothing of ours", async () => {
    const messages = await restrictedImports(
      "src/common/probe.ts",
      'import { x } from "../errors/redact.js";\nexport const y = x;\n',
    );
    expect(messages[0]).toContain("src/common may import only nothing of ours");
  });

  it("lets errors use common (redaction's own-key writes) but nothing above it", async () => {
    expect(
      await restrictedImports(
        "src/errors/probe.ts",
        'import { setOwn } from "../common/objects.js";\nexport const y = setOwn;\n',
      ),
    ).toEqual([]);
    const messages = await restrictedImports(
      "src/errors/probe.ts",
      'import { x } from "../security/url.js";\nexport const y = x;\n',
    );
    expect(messages[0]).toContain("src/errors may import only common");
  });

  it("keeps config below auth: the auth schema lives in config/, so there is no folder cycle", async () => {
    const messages = await restrictedImports(
      "src/config/probe.ts",
      'import { x } from "../auth/session.js";\nexport const y = x;\n',
    );
    expect(messages[0]).toContain("src/config may import only errors, common, security");
  });

  it("refuses the public index from inside the library", async () => {
    const messages = await restrictedImports(
      "src/client/probe.ts",
      'import { MCPClient } from "../index.js";\nexport const c = MCPClient;\n',
    );
    expect(messages[0]).toContain("not the public index");
  });

  it("accepts imports the table allows, and imports inside the same folder", async () => {
    expect(
      await restrictedImports(
        "src/cli/commands/probe.ts",
        'import { a } from "../../multi/multiClient.js";\nimport { b } from "../output.js";\nexport const c = [a, b];\n',
      ),
    ).toEqual([]);
  });
});

describe("layer table: the README, eslint.config.js and src/ say the same", () => {
  const root = fileURLToPath(new URL("../../../", import.meta.url));

  async function lintLayers(): Promise<Record<string, string[]>> {
    const config = (await import(pathToFileURL(join(root, "eslint.config.js")).href)) as {
      LAYERS: Record<string, string[]>;
    };
    return config.LAYERS;
  }

  /** The README's "Architecture" table: folder → the folders it may import. */
  function readmeLayers(): Record<string, string[]> {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Architecture"));
    const table: Record<string, string[]> = {};
    for (const line of section.split("\n")) {
      const cells = /^\|\s*`(\w+)`\s*\|.*\|\s*([^|]+?)\s*\|$/.exec(line);
      if (!cells?.[1] || !cells[2]) continue;
      const imports = cells[2].trim();
      table[cells[1]] = imports === "nothing of ours" ? [] : imports.split(/,\s*/);
    }
    return table;
  }

  it("every folder of src/ has a row, in both tables, with the same allowed imports", async () => {
    const folders = readdirSync(join(root, "src"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const layers = await lintLayers();
    const readme = readmeLayers();
    expect(Object.keys(layers).sort()).toEqual(folders);
    expect(Object.keys(readme).sort()).toEqual(folders);
    for (const folder of folders)
      expect([folder, ...(readme[folder] ?? [])]).toEqual([folder, ...(layers[folder] ?? [])]);
  });
});

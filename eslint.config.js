// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import simpleImportSort from "eslint-plugin-simple-import-sort";
import unicorn from "eslint-plugin-unicorn";
import tseslint from "typescript-eslint";

/**
 * Who may import whom inside `src/` (DEVELOPERS.md, "Layout"): each folder lists the folders it may
 * import; an import of any other folder of `src/` is a lint error. Data flows one way, so a new
 * upward import fails `npm run lint` instead of slowly turning the layers into a cycle.
 */
export const LAYERS = {
  // common holds domain-free helpers (own-key writes, depth checks) and imports nothing of ours, so
  // errors may use them without a cycle: redaction copies objects whose keys come from outside.
  errors: ["common"],
  common: [],
  security: ["errors", "common"],
  config: ["errors", "common", "security"],
  auth: ["errors", "common", "security", "config"],
  transport: ["errors", "common", "security", "config", "auth"],
  // Defaults (breaker recovery, expected exceptions) have one home, config/defaults.ts.
  resilience: ["errors", "common", "config"],
  // Routed names (`mcp__{server}__{tool}`), the tool filter and the name tables: pure functions over
  // names, shared by both clients and the converters.
  routing: ["errors", "common"],
  client: ["errors", "common", "security", "config", "auth", "transport", "resilience", "routing"],
  multi: ["errors", "common", "security", "config", "auth", "transport", "resilience", "routing", "client"],
  pool: ["errors", "common", "security", "config", "auth", "transport", "resilience", "routing", "client"],
  converters: ["errors", "common", "routing", "client"],
  cli: [
    "errors",
    "common",
    "security",
    "config",
    "auth",
    "transport",
    "resilience",
    "routing",
    "client",
    "multi",
    "pool",
    "converters",
  ],
  demo: ["errors", "common"],
};
const FOLDERS = Object.keys(LAYERS);

/** One lint block per folder that refuses imports of the folders it may not use, and of the root index. */
function layerRules() {
  return Object.entries(LAYERS).map(([folder, allowed]) => {
    const forbidden = FOLDERS.filter((other) => other !== folder && !allowed.includes(other));
    const patterns = [
      {
        regex: "^(\\.\\./)+index(\\.js)?$",
        message: "Import the module itself, not the public index (it would make a cycle).",
      },
    ];
    if (forbidden.length > 0) {
      patterns.push({
        regex: `^(\\.\\./)+(${forbidden.join("|")})/`,
        message: `src/${folder} may import only ${allowed.length > 0 ? allowed.join(", ") : "nothing of ours"} (the layer table in eslint.config.js and DEVELOPERS.md).`,
      });
    }
    return { files: [`src/${folder}/**/*.ts`], rules: { "no-restricted-imports": ["error", { patterns }] } };
  });
}

const NO_EXPORT_ALL = {
  selector: "ExportAllDeclaration",
  message: "Export public names one by one; `export *` makes every helper public by accident.",
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".conformance/", "bench/results/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        setImmediate: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        AbortController: "readonly",
        fetch: "readonly",
      },
    },
    plugins: { "simple-import-sort": simpleImportSort, unicorn },
    rules: {
      "simple-import-sort/imports": "error",
      "simple-import-sort/exports": "error",
      "unicorn/filename-case": ["error", { cases: { camelCase: true }, ignore: ["^[A-Z]+\\.md$"] }],
      "unicorn/prefer-node-protocol": "error",
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": ["error", NO_EXPORT_ALL],
    },
  },
  {
    // SDK privates (`_resolveOutboundCodec`, `_setupTimeout`, …) are touched in one file only, whose
    // test pins them against the installed SDK (test/unit/client/sdkInternals.test.ts). `_meta` is a
    // protocol field, not a private.
    files: ["src/**/*.ts"],
    ignores: ["src/client/sdkInternals.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        NO_EXPORT_ALL,
        ...[
          "MemberExpression[property.name=/^_(?!meta$)/]",
          "TSPropertySignature[key.name=/^_(?!meta$)/]",
        ].map((selector) => ({
          selector,
          message: "SDK internals are used only in src/client/sdkInternals.ts (pinned by its test).",
        })),
      ],
    },
  },
  {
    // README snippets (examples/, copied into README.md by scripts/syncExamples.mjs) show values
    // a reader looks at (`client.state;`, `const result = …`) without using them.
    files: ["examples/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-vars": "off", "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    // Library code never prints: stdout belongs to stdio servers' protocol and to the CLI's output module.
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/demo/**"],
    rules: { "no-console": "error" },
  },
  ...layerRules(),
  {
    // Type-aware rules that cost nothing today and keep a habit the code already has: every promise
    // is awaited or handled, none is passed where a callback's result is ignored, every switch over
    // a union names each member (or has a default).
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
    },
  },
  prettier,
);

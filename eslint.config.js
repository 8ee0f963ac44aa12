// @ts-check
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import simpleImportSort from "eslint-plugin-simple-import-sort";
import unicorn from "eslint-plugin-unicorn";
import tseslint from "typescript-eslint";

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
      "no-restricted-syntax": [
        "error",
        {
          selector: "ExportAllDeclaration",
          message: "Export public names one by one; `export *` makes every helper public by accident.",
        },
      ],
    },
  },
  {
    // Library code never prints: stdout belongs to stdio servers' protocol and to the CLI's output module.
    files: ["src/**/*.ts"],
    ignores: ["src/cli/**", "src/demo/**"],
    rules: { "no-console": "error" },
  },
  prettier,
);

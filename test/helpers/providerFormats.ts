/**
 * The JSON Schemas of each provider's documented tool formats (test/fixtures/providerSchemas),
 * compiled once, and an assertion that reports every violation.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import AjvModule from "ajv";
import { expect } from "vitest";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../fixtures/providerSchemas");
const BASE = "https://mcp-tools.test/providerSchemas/";

export type ProviderFormat =
  | "openaiChatTool"
  | "openaiResponsesTool"
  | "openaiStrictSchema"
  | "anthropicTool"
  | "geminiFunctionDeclaration"
  | "openaiChatToolMessage"
  | "openaiChatUserMessage"
  | "openaiResponsesFunctionCallOutput"
  | "anthropicToolResult"
  | "geminiFunctionResponsePart";

const ajv = new AjvModule.default({ allErrors: true, strictTypes: false });
for (const file of readdirSync(dir).filter((name) => name.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(join(dir, file), "utf8")) as object);
}

/** The violations of `value` against a provider format ([] when valid). */
export function violations(format: ProviderFormat, value: unknown): string[] {
  const validate = ajv.getSchema(`${BASE}${format}.schema.json`);
  if (!validate) throw new Error(`No provider schema ${format}`);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
  );
}

/** Asserts that `value` follows the provider's documented format. */
export function expectProviderFormat(format: ProviderFormat, value: unknown): void {
  expect(violations(format, value), `${format}: ${JSON.stringify(value).slice(0, 400)}`).toEqual([]);
}

/** Strict mode also needs every object to list all its properties in `required` (not expressible above). */
export function strictRequiredViolations(schema: unknown, path = "#"): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const node = schema as Record<string, unknown>;
  const out: string[] = [];
  if (typeof node["properties"] === "object" && node["properties"] !== null) {
    const names = Object.keys(node["properties"]);
    const required = Array.isArray(node["required"]) ? (node["required"] as string[]) : [];
    const missing = names.filter((name) => !required.includes(name));
    if (missing.length > 0) out.push(`${path}: not required: ${missing.join(", ")}`);
    for (const name of names) {
      out.push(
        ...strictRequiredViolations(
          (node["properties"] as Record<string, unknown>)[name],
          `${path}/properties/${name}`,
        ),
      );
    }
  }
  if (node["items"]) out.push(...strictRequiredViolations(node["items"], `${path}/items`));
  if (Array.isArray(node["anyOf"])) {
    node["anyOf"].forEach((variant, i) =>
      out.push(...strictRequiredViolations(variant, `${path}/anyOf/${i}`)),
    );
  }
  return out;
}

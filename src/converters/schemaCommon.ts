import { setOwn } from "../common/objects.js";
import { sanitizeServerText } from "../errors/serverText.js";

export type SchemaChangeSeverity = "info" | "warning";

export type SchemaChangeRule =
  /** The input schema was missing, not an object, or nested too deep; an empty object schema is used. */
  | "schema.invalid"
  /** The root got `type: "object"` or `properties: {}`, or a non-object root was replaced. */
  | "root.type"
  /** A top-level `anyOf`/`oneOf`/`allOf` was merged into one object. */
  | "root.combinator"
  /** A local `$ref` was replaced by the schema it points to. */
  | "ref.inlined"
  /** A recursive `$ref` was cut off (replaced by a placeholder without its structure). */
  | "ref.cycle"
  /** A `$ref` could not be resolved (external, anchor, or broken pointer). */
  | "ref.unresolved"
  /** Inlining stopped because the schema expanded too much (too many expansions, or nested too deep). */
  | "ref.budget"
  /** A keyword the target does not accept was removed. */
  | "keyword.dropped"
  /** A keyword was rewritten into an equivalent or close form (`oneOf` → `anyOf`, `const` → `enum`, …). */
  | "keyword.converted"
  /** `allOf` subschemas were merged into one. */
  | "allOf.merged"
  /** Strict mode: `additionalProperties: false` was set on an object. */
  | "strict.additionalProperties"
  /** Strict mode: an optional property became required and nullable (`null` means "not given"). */
  | "strict.nullable"
  /** Strict mode could not be applied; the tool is sent non-strict. */
  | "strict.unavailable"
  /** Gemini: an object without declared properties cannot be described to the model. */
  | "gemini.freeForm";

/** One change made to a schema. */
export interface SchemaChange {
  /** JSON Pointer of the changed node in the converted schema (`#` is the root). */
  readonly path: string;
  readonly rule: SchemaChangeRule;
  readonly severity: SchemaChangeSeverity;
  readonly message: string;
}

/**
 * Helpers shared by the schema conversions (`schema.ts`, `strictSchema.ts`, `geminiSchema.ts`).
 * Property names come from the server: a property may be called `__proto__` or `constructor`, so
 * they are written with `setOwn` and looked up with `Object.hasOwn`, never `obj[name] =` or `in`.
 */

export type Schema = Record<string, unknown>;

/** Keywords that only annotate: dropping them changes nothing the model could get wrong. */
export const ANNOTATION_KEYWORDS = new Set([
  "$schema",
  "$id",
  "$comment",
  "$anchor",
  "$dynamicAnchor",
  "$vocabulary",
  "deprecated",
  "readOnly",
  "writeOnly",
  "contentMediaType",
  "contentEncoding",
  "examples",
  "$defs",
  "definitions",
]);

/** Keywords whose values are subschemas: maps of them, single ones, and lists of them. */
const SUBSCHEMA_MAPS = new Set(["properties", "patternProperties", "dependentSchemas"]);
const SUBSCHEMA_SINGLE = new Set([
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "unevaluatedProperties",
  "unevaluatedItems",
  "additionalItems",
]);
const SUBSCHEMA_LISTS = new Set(["anyOf", "oneOf", "allOf", "prefixItems", "items"]);

export function isObject(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

export function child(path: string, ...segments: Array<string | number>): string {
  return `${path}/${segments.map((s) => escapePointer(String(s))).join("/")}`;
}

export function json(value: unknown): string {
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/** A change's message is cut to this many characters (its server-chosen parts are quoted shorter). */
const MAX_CHANGE_MESSAGE_TEXT = 1_000;

export class ChangeLog {
  readonly changes: SchemaChange[] = [];
  /**
   * Messages quote the server's schema (keyword values, `$ref`s, property names in paths): they go
   * through `sanitizeServerText`, so a change report is safe to show or log. `path` stays exact.
   */
  add(path: string, rule: SchemaChangeRule, severity: SchemaChangeSeverity, message: string): void {
    this.changes.push({
      path,
      rule,
      severity,
      message: sanitizeServerText(message, MAX_CHANGE_MESSAGE_TEXT),
    });
  }
}

/** Applies `fn` to every direct subschema of `node` (booleans and non-schemas pass through). */
export function mapSubschemas(
  node: Schema,
  path: string,
  fn: (schema: Schema, path: string) => unknown,
): Schema {
  const out: Schema = { ...node };
  for (const [key, value] of Object.entries(node)) {
    if (SUBSCHEMA_MAPS.has(key) && isObject(value)) {
      const mapped: Schema = {};
      for (const [name, sub] of Object.entries(value)) {
        setOwn(mapped, name, isObject(sub) ? fn(sub, child(path, key, name)) : sub);
      }
      out[key] = mapped;
    } else if (SUBSCHEMA_SINGLE.has(key) && isObject(value)) {
      out[key] = fn(value, child(path, key));
    } else if (SUBSCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((sub: unknown, index) => (isObject(sub) ? fn(sub, child(path, key, index)) : sub));
    }
  }
  return out;
}

export function appendDescription(node: Schema, text: string): void {
  const current = typeof node["description"] === "string" ? node["description"].trim() : "";
  node["description"] = current ? `${current}${/[.!?]$/.test(current) ? "" : "."} ${text}` : text;
}

/**
 * Merges `allOf` into its node: properties are combined (a property defined twice keeps the later
 * definition), `required` is the union, other keywords are taken where the node lacks them.
 * Returns whether the merge lost anything (conflicting keywords, non-object parts).
 */
export function mergeAllOf(node: Schema): { merged: Schema; lossy: boolean } {
  const { allOf, ...base } = node;
  let lossy = false;
  const merged: Schema = { ...base };
  for (const part of Array.isArray(allOf) ? allOf : []) {
    if (!isObject(part)) {
      lossy = true;
      continue;
    }
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties" && isObject(value)) {
        const current = isObject(merged["properties"]) ? merged["properties"] : {};
        for (const name of Object.keys(value)) if (Object.hasOwn(current, name)) lossy = true;
        merged["properties"] = { ...current, ...value };
      } else if (key === "required" && Array.isArray(value)) {
        const current = Array.isArray(merged["required"]) ? (merged["required"] as unknown[]) : [];
        merged["required"] = [...new Set([...current, ...value])];
      } else if (key === "allOf" && Array.isArray(value)) {
        const inner = mergeAllOf({ allOf: value });
        lossy ||= inner.lossy;
        for (const [k, v] of Object.entries(inner.merged))
          if (!Object.hasOwn(merged, k)) setOwn(merged, k, v);
      } else if (!Object.hasOwn(merged, key)) {
        setOwn(merged, key, value);
      } else if (JSON.stringify(merged[key]) !== JSON.stringify(value)) {
        lossy = true;
      }
    }
  }
  return { merged, lossy };
}

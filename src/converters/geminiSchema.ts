import { ownValue, setOwn } from "../common/objects.js";
import { quoteServerText } from "../errors/serverText.js";
import {
  ANNOTATION_KEYWORDS,
  appendDescription,
  type ChangeLog,
  child,
  isObject,
  json,
  mergeAllOf,
  type Schema,
} from "./schemaCommon.js";

/**
 * Gemini's `parameters`: a subset of the OpenAPI 3.0 Schema object (upper-case types, `nullable`,
 * string-only `enum`, no `$ref`, no `additionalProperties`, no `oneOf`/`allOf`).
 */

/** Fields of the Gemini (OpenAPI subset) Schema object. */
const GEMINI_KEYWORDS = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);
/** Formats Gemini accepts, by type. */
const GEMINI_FORMATS: Readonly<Record<string, ReadonlySet<string>>> = {
  STRING: new Set(["enum", "date-time"]),
  NUMBER: new Set(["float", "double"]),
  INTEGER: new Set(["int32", "int64"]),
};
const GEMINI_TYPES = new Set(["string", "number", "integer", "boolean", "array", "object", "null"]);

/** Converts one ref-free JSON Schema node (and its children) to Gemini's schema, logging each change. */
export function geminiNode(node: unknown, path: string, log: ChangeLog): Schema {
  if (!isObject(node) || Object.keys(node).length === 0) {
    log.add(
      path,
      "keyword.dropped",
      "warning",
      "This value accepts anything; Gemini's schema has no way to say so, so it has no type here.",
    );
    return {};
  }
  let n: Schema = { ...node };

  if (Array.isArray(n["oneOf"])) {
    n["anyOf"] = [
      ...(Array.isArray(n["anyOf"]) ? (n["anyOf"] as unknown[]) : []),
      ...(n["oneOf"] as unknown[]),
    ];
    delete n["oneOf"];
    log.add(path, "keyword.converted", "warning", "oneOf became anyOf (Gemini has no oneOf).");
  }
  if (Array.isArray(n["allOf"])) {
    const { merged, lossy } = mergeAllOf(n);
    n = merged;
    log.add(
      path,
      "allOf.merged",
      lossy ? "warning" : "info",
      lossy
        ? "Merged allOf into one schema; conflicting keywords kept their first definition."
        : "Merged allOf into one schema (Gemini has no allOf).",
    );
  }
  if (Object.hasOwn(n, "const")) {
    const value = n["const"];
    delete n["const"];
    if (typeof value === "string") {
      n["enum"] = [value];
      log.add(path, "keyword.converted", "info", "const became a one-value enum.");
    } else {
      appendDescription(n, `Must be ${json(value)}.`);
      log.add(
        path,
        "keyword.dropped",
        "warning",
        `Removed const ${json(value)} (Gemini enums hold strings only); noted in the description.`,
      );
    }
  }
  if (Array.isArray(n["examples"])) {
    const examples = n["examples"] as unknown[];
    delete n["examples"];
    if (examples.length > 0 && n["example"] === undefined) {
      n["example"] = examples[0];
      log.add(path, "keyword.converted", "info", "examples became example (its first entry).");
    }
  }

  // Types: lower-case JSON Schema names (or lists of them) → one upper-case OpenAPI type + nullable.
  const rawType = n["type"];
  const listed = Array.isArray(rawType) ? (rawType as unknown[]) : rawType === undefined ? [] : [rawType];
  const known = listed.filter((t): t is string => typeof t === "string" && GEMINI_TYPES.has(t));
  if (known.length !== listed.length) {
    log.add(path, "keyword.dropped", "warning", `Removed unknown type values from ${json(rawType)}.`);
  }
  delete n["type"];
  if (known.includes("null")) {
    n["nullable"] = true;
    if (Array.isArray(rawType))
      log.add(path, "keyword.converted", "info", `Type ${json(rawType)} became nullable.`);
  }
  let types = known.filter((t) => t !== "null");
  if (types.length === 0) {
    if (isObject(n["properties"])) types = ["object"];
    else if (Object.hasOwn(n, "items")) types = ["array"];
    else if (
      Array.isArray(n["enum"]) &&
      (n["enum"] as unknown[]).every((v) => typeof v === "string" || v === null)
    ) {
      types = ["string"];
    }
  }
  if (types.length === 1) {
    n["type"] = types[0]!.toUpperCase();
  } else if (types.length > 1) {
    n["anyOf"] = [
      ...(Array.isArray(n["anyOf"]) ? (n["anyOf"] as unknown[]) : []),
      ...types.map((t) => ({ type: t })),
    ];
    log.add(path, "keyword.converted", "info", `Type ${json(rawType)} became anyOf of single types.`);
  }

  if (Array.isArray(n["enum"])) {
    const values = n["enum"] as unknown[];
    if (values.includes(null)) {
      n["nullable"] = true;
    }
    const rest = values.filter((v) => v !== null);
    if (rest.every((v) => typeof v === "string")) {
      n["enum"] = rest;
      if (n["type"] === "STRING" || n["type"] === undefined) n["type"] = "STRING";
    } else {
      delete n["enum"];
      appendDescription(n, `Allowed values: ${rest.map((v) => json(v)).join(", ")}.`);
      log.add(
        path,
        "keyword.dropped",
        "warning",
        "Removed a non-string enum (Gemini enums hold strings only); the values are listed in the description.",
      );
    }
  }

  if (typeof n["format"] === "string") {
    const allowed = ownValue(GEMINI_FORMATS, String(n["type"]));
    if (!allowed?.has(n["format"])) {
      appendDescription(n, `Format: ${n["format"]}.`);
      log.add(
        path,
        "keyword.dropped",
        "warning",
        `Removed format ${quoteServerText(n["format"])} (Gemini accepts only enum and date-time for strings, float/double and int32/int64 for numbers); noted in the description.`,
      );
      delete n["format"];
    }
  }
  for (const key of ["exclusiveMinimum", "exclusiveMaximum"]) {
    const value = n[key];
    if (typeof value === "number") {
      appendDescription(n, `${key === "exclusiveMinimum" ? "Greater" : "Less"} than ${value}.`);
      log.add(
        path,
        "keyword.dropped",
        "warning",
        `Removed ${key} ${value} (not in Gemini's schema); noted in the description.`,
      );
      delete n[key];
    }
  }
  if (Object.hasOwn(n, "additionalProperties")) {
    const value = n["additionalProperties"];
    delete n["additionalProperties"];
    log.add(
      path,
      "keyword.dropped",
      value === false ? "info" : "warning",
      value === false
        ? "Removed additionalProperties: false (Gemini has no such keyword and sends declared properties only)."
        : "Removed additionalProperties (Gemini cannot describe properties beyond the declared ones).",
    );
  }

  // Children.
  if (isObject(n["properties"])) {
    const properties: Schema = {};
    for (const [name, sub] of Object.entries(n["properties"])) {
      setOwn(properties, name, geminiNode(sub, child(path, "properties", name), log));
    }
    n["properties"] = properties;
    if (Array.isArray(n["required"])) {
      n["required"] = (n["required"] as unknown[]).filter(
        (name): name is string => typeof name === "string" && Object.hasOwn(properties, name),
      );
    }
  }
  const declared = isObject(n["properties"]) ? Object.keys(n["properties"]).length : 0;
  if (n["type"] === "OBJECT" && declared === 0 && path !== "#") {
    delete n["properties"];
    log.add(
      path,
      "gemini.freeForm",
      "warning",
      'Object without declared properties: Gemini cannot describe its keys (the model may leave it empty). Consider geminiSchema: "json-schema" (parametersJsonSchema).',
    );
  }
  const tuple = Array.isArray(n["items"])
    ? n["items"]
    : Array.isArray(n["prefixItems"])
      ? n["prefixItems"]
      : undefined;
  if (tuple) {
    const members = (tuple as unknown[]).filter(isObject);
    n["items"] = members.length === 1 ? members[0] : { anyOf: members };
    delete n["prefixItems"];
    log.add(
      path,
      "keyword.converted",
      "warning",
      "A tuple (positional items) became a list whose items may be any of the tuple's member types.",
    );
  }
  if (isObject(n["items"])) n["items"] = geminiNode(n["items"], child(path, "items"), log);
  if (Array.isArray(n["anyOf"])) {
    const variants: Schema[] = [];
    (n["anyOf"] as unknown[]).forEach((variant, index) => {
      if (isObject(variant) && variant["type"] === "null" && Object.keys(variant).length === 1) {
        n["nullable"] = true;
        return;
      }
      variants.push(geminiNode(variant, child(path, "anyOf", index), log));
    });
    if (variants.length === 1) {
      const { anyOf: _anyOf, ...rest } = n;
      n = { ...variants[0], ...rest };
      log.add(path, "keyword.converted", "info", "anyOf with one non-null variant became that variant.");
    } else {
      n["anyOf"] = variants;
    }
  }

  for (const key of Object.keys(n)) {
    if (GEMINI_KEYWORDS.has(key)) continue;
    const value = n[key];
    delete n[key];
    log.add(
      path,
      "keyword.dropped",
      ANNOTATION_KEYWORDS.has(key) ? "info" : "warning",
      `Removed ${quoteServerText(key)}: ${json(value)} (not in Gemini's schema; the server still enforces it).`,
    );
  }
  return n;
}

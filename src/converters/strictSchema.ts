import { setOwn } from "../common/objects.js";
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
 * OpenAI strict mode (Structured Outputs for function calling): every object closed and fully
 * required, optional properties nullable, only the documented keywords. A schema that cannot be
 * made strict without changing what it accepts raises `StrictUnavailable`.
 */

/** Limits of OpenAI strict mode (Structured Outputs). */
const STRICT_MAX_OBJECT_DEPTH = 10;
const STRICT_MAX_PROPERTIES = 5000;
const STRICT_MAX_ENUM_VALUES = 1000;

/** Keywords OpenAI strict mode accepts. */
const STRICT_KEYWORDS = new Set([
  "type",
  "description",
  "title",
  "enum",
  "const",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "anyOf",
  "pattern",
  "format",
  "multipleOf",
  "maximum",
  "exclusiveMaximum",
  "minimum",
  "exclusiveMinimum",
  "minItems",
  "maxItems",
]);
/** String formats OpenAI strict mode accepts. */
const STRICT_FORMATS = new Set([
  "date-time",
  "time",
  "date",
  "duration",
  "email",
  "hostname",
  "ipv4",
  "ipv6",
  "uuid",
]);
/** Keywords whose presence means the object or array shape is open; strict mode cannot express them. */
const STRICT_OPEN_SHAPE = new Set([
  "patternProperties",
  "propertyNames",
  "prefixItems",
  "additionalItems",
  "unevaluatedProperties",
  "unevaluatedItems",
  "dependentSchemas",
]);

/** Why a schema cannot be strict: where (`path`) and what (`message`). Internal control flow only. */
export class StrictUnavailable extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(reason);
  }
}

interface StrictState {
  log: ChangeLog;
  nullable: Set<string>;
  properties: number;
  enumValues: number;
}

function allowsNull(schema: unknown): boolean {
  if (schema === true || (isObject(schema) && Object.keys(schema).length === 0)) return true;
  if (!isObject(schema)) return false;
  const type = schema["type"];
  if (type === "null" || (Array.isArray(type) && type.includes("null"))) return true;
  if (Array.isArray(schema["enum"]) && schema["enum"].includes(null)) return true;
  if (Object.hasOwn(schema, "const") && schema["const"] === null) return true;
  if (schema["nullable"] === true) return true;
  for (const key of ["anyOf", "oneOf"]) {
    const list = schema[key];
    if (Array.isArray(list) && list.some(allowsNull)) return true;
  }
  return false;
}

function makeNullable(schema: Schema): Schema {
  if (allowsNull(schema)) return schema;
  const out: Schema = { ...schema };
  const type = out["type"];
  if (Array.isArray(out["anyOf"])) {
    out["anyOf"] = [...(out["anyOf"] as unknown[]), { type: "null" }];
    return out;
  }
  if (typeof type === "string") out["type"] = [type, "null"];
  else if (Array.isArray(type)) out["type"] = [...(type as unknown[]), "null"];
  else if (Object.hasOwn(out, "const")) {
    const { description, ...rest } = out;
    return {
      ...(description === undefined ? {} : { description }),
      anyOf: [rest, { type: "null" }],
    };
  }
  if (Array.isArray(out["enum"])) out["enum"] = [...(out["enum"] as unknown[]), null];
  return out;
}

function strictNode(node: unknown, path: string, depth: number, state: StrictState): Schema {
  if (!isObject(node) || Object.keys(node).length === 0) {
    throw new StrictUnavailable(path, "it accepts any value, which strict mode cannot express");
  }
  let n: Schema = { ...node };
  const { log } = state;

  if (Array.isArray(n["oneOf"])) {
    if (Array.isArray(n["anyOf"])) throw new StrictUnavailable(path, "it combines anyOf and oneOf");
    n["anyOf"] = n["oneOf"];
    delete n["oneOf"];
    log.add(
      path,
      "keyword.converted",
      "warning",
      "oneOf became anyOf (strict mode has no oneOf; more than one variant may now match).",
    );
  }
  if (Array.isArray(n["allOf"])) {
    const { merged, lossy } = mergeAllOf(n);
    if (lossy) throw new StrictUnavailable(path, "its allOf parts conflict");
    n = merged;
    log.add(path, "allOf.merged", "info", "Merged allOf into one schema (strict mode has no allOf).");
  }
  for (const key of Object.keys(n)) {
    if (STRICT_OPEN_SHAPE.has(key)) {
      if (key === "unevaluatedProperties" && n[key] === false) {
        delete n[key];
        continue;
      }
      throw new StrictUnavailable(path, `it uses ${quoteServerText(key)}, which strict mode cannot express`);
    }
  }
  if (Object.hasOwn(n, "default")) {
    appendDescription(n, `Default: ${json(n["default"])}.`);
    delete n["default"];
    log.add(
      path,
      "keyword.converted",
      "info",
      "Moved default into the description (strict mode does not accept default).",
    );
  }
  for (const key of Object.keys(n)) {
    if (STRICT_KEYWORDS.has(key)) continue;
    const value = n[key];
    delete n[key];
    log.add(
      path,
      "keyword.dropped",
      ANNOTATION_KEYWORDS.has(key) ? "info" : "warning",
      `Removed ${quoteServerText(key)}: ${json(value)} (not supported in strict mode; the server still enforces it).`,
    );
  }
  if (typeof n["format"] === "string" && !STRICT_FORMATS.has(n["format"])) {
    log.add(
      path,
      "keyword.dropped",
      "warning",
      `Removed format ${quoteServerText(n["format"])} (strict mode supports ${[...STRICT_FORMATS].join(", ")}).`,
    );
    appendDescription(n, `Format: ${n["format"]}.`);
    delete n["format"];
  }

  const type = n["type"];
  const types = Array.isArray(type) ? (type as unknown[]) : type === undefined ? [] : [type];
  const nonNull = types.filter((t) => t !== "null");
  if (nonNull.length > 1) {
    if (nonNull.includes("object") || nonNull.includes("array")) {
      throw new StrictUnavailable(path, `its type ${json(type)} mixes structured and plain types`);
    }
    delete n["type"];
    n["anyOf"] = [
      ...nonNull.map((t) => ({ type: t })),
      ...(types.includes("null") ? [{ type: "null" }] : []),
    ];
    log.add(path, "keyword.converted", "info", `Type ${json(type)} became anyOf of single types.`);
  }

  if (Array.isArray(n["enum"])) {
    state.enumValues += (n["enum"] as unknown[]).length;
    if (state.enumValues > STRICT_MAX_ENUM_VALUES) {
      throw new StrictUnavailable(path, `it has more than ${STRICT_MAX_ENUM_VALUES} enum values in total`);
    }
  }

  const isObjectNode =
    nonNull.includes("object") ||
    (type === undefined && (isObject(n["properties"]) || Object.hasOwn(n, "required")));
  if (isObjectNode) {
    if (depth >= STRICT_MAX_OBJECT_DEPTH) {
      throw new StrictUnavailable(path, `it nests objects deeper than ${STRICT_MAX_OBJECT_DEPTH} levels`);
    }
    if (type === undefined) n["type"] = "object";
    const properties = isObject(n["properties"]) ? n["properties"] : {};
    const extra = n["additionalProperties"];
    if (extra !== undefined && extra !== false) {
      throw new StrictUnavailable(
        path,
        "it allows properties beyond the declared ones (additionalProperties), which strict mode forbids",
      );
    }
    const names = Object.keys(properties);
    if (names.length === 0 && extra === undefined && path !== "#") {
      throw new StrictUnavailable(path, "it is an object without declared properties (a free-form object)");
    }
    state.properties += names.length;
    if (state.properties > STRICT_MAX_PROPERTIES) {
      throw new StrictUnavailable(path, `it has more than ${STRICT_MAX_PROPERTIES} properties in total`);
    }
    const required = new Set(Array.isArray(n["required"]) ? (n["required"] as unknown[]) : []);
    const strictProperties: Schema = {};
    for (const name of names) {
      const propertyPath = child(path, "properties", name);
      let converted = strictNode(properties[name], propertyPath, depth + 1, state);
      if (!required.has(name)) {
        converted = makeNullable(converted);
        state.nullable.add(propertyPath);
        log.add(
          propertyPath,
          "strict.nullable",
          "info",
          `Optional property ${quoteServerText(name)} is now required and nullable; the model sends null to leave it out, and null is removed before the call.`,
        );
      }
      setOwn(strictProperties, name, converted);
    }
    n["properties"] = strictProperties;
    n["required"] = names;
    if (extra !== false) {
      n["additionalProperties"] = false;
      log.add(
        path,
        "strict.additionalProperties",
        "info",
        "Set additionalProperties to false (strict mode requires it).",
      );
    }
  }

  if (nonNull.includes("array") || (type === undefined && Object.hasOwn(n, "items"))) {
    const items = n["items"];
    if (!isObject(items)) {
      throw new StrictUnavailable(path, "it is an array without an items schema (or a tuple)");
    }
    n["items"] = strictNode(items, child(path, "items"), depth, state);
  }
  if (Array.isArray(n["anyOf"])) {
    n["anyOf"] = (n["anyOf"] as unknown[]).map((variant, index) =>
      strictNode(variant, child(path, "anyOf", index), depth, state),
    );
  }
  if (
    n["type"] === undefined &&
    !Array.isArray(n["anyOf"]) &&
    !Object.hasOwn(n, "enum") &&
    !Object.hasOwn(n, "const")
  ) {
    throw new StrictUnavailable(path, "it has no type");
  }
  return n;
}

/**
 * The strict form of a normalised, ref-free root schema plus the paths of properties made nullable,
 * or why strict mode is not possible (changes are logged only on success, by the caller).
 */
export function toStrict(
  root: Schema,
  log: ChangeLog,
): { schema: Schema; nullable: Set<string> } | { unavailable: StrictUnavailable } {
  const state: StrictState = { log, nullable: new Set(), properties: 0, enumValues: 0 };
  try {
    return { schema: strictNode(root, "#", 0, state), nullable: state.nullable };
  } catch (error) {
    if (error instanceof StrictUnavailable) return { unavailable: error };
    throw error;
  }
}

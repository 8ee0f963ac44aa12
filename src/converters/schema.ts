import { nestsDeeperThan } from "../common/jsonDepth.js";
import { setOwn } from "../common/objects.js";
import { quoteServerText } from "../errors/serverText.js";
import { geminiNode } from "./geminiSchema.js";
import {
  appendDescription,
  ChangeLog,
  child,
  isObject,
  json,
  mapSubschemas,
  mergeAllOf,
  type Schema,
  type SchemaChange,
} from "./schemaCommon.js";
import { StrictUnavailable, toStrict } from "./strictSchema.js";

export type { SchemaChange, SchemaChangeRule, SchemaChangeSeverity } from "./schemaCommon.js";

/**
 * JSON Schema simplification per LLM API.
 *
 * MCP tools describe their arguments with full JSON Schema (2020-12 by default); the LLM APIs
 * accept subsets of it:
 * - "json": OpenAI (non-strict), Anthropic, the AI SDK, Gemini's `parametersJsonSchema`. JSON
 *   Schema, but the root must be a plain `type: "object"` (no `anyOf`/`oneOf`/`allOf`/`not`/`enum`
 *   at the top level, which OpenAI and Anthropic both refuse).
 * - "openai-strict": OpenAI Structured Outputs for function calling. Every object has
 *   `additionalProperties: false` and lists every property in `required` (optional ones become
 *   nullable), and only a documented set of keywords is allowed. A schema that cannot be made strict
 *   without changing its meaning (free-form objects, tuples, recursion) stays non-strict.
 * - "gemini": Gemini's `parameters`, a subset of the OpenAPI 3.0 Schema object (upper-case types,
 *   `nullable`, string-only `enum`, no `$ref`, no `additionalProperties`, no `oneOf`).
 *
 * Every target inlines local `$ref`s first (with a guard against cycles and blow-up). Nothing is
 * changed silently: each change is reported with its JSON Pointer path, a rule and a severity
 * (`warning` when the schema the model sees is looser or different, `info` otherwise). The server
 * still validates arguments against the tool's real schema.
 */

export type SchemaTarget = "json" | "openai-strict" | "gemini";

export interface SimplifiedSchema {
  /** The schema to send (a new object; the input is not modified). */
  readonly schema: Record<string, unknown>;
  readonly changes: readonly SchemaChange[];
  /** "openai-strict": whether strict mode could be applied. Always false for other targets. */
  readonly strict: boolean;
  /** True when the schema declares no parameters at all (Gemini then omits `parameters`). */
  readonly empty: boolean;
  /**
   * Strict mode: JSON Pointers (in `schema`) of properties that were optional and became
   * required-and-nullable. `restoreStrictArguments` removes `null` at these places before a call.
   */
  readonly nullableOptional: ReadonlySet<string>;
}

export interface SimplifyOptions {
  /** Most `$ref` expansions before inlining stops (guards against exponential blow-up). @default 1000 */
  maxRefExpansions?: number | undefined;
}

/**
 * Deepest JSON nesting of a schema that is converted (the schema object is level 0), in the input and
 * after `$ref`s are inlined. Every step here recurses once or more per level, so a schema nested a
 * few thousand levels deep (or a long chain of `$ref`s, each inlined one level further down) failed
 * with a bare RangeError (stack overflow). Real schemas stay below 30 levels, and `MCPClient` skips
 * tools nested more than 100 levels deep at discovery, so only other tool sources reach this bound.
 */
const MAX_SCHEMA_DEPTH = 100;

/** Nesting of the node at JSON Pointer `path` ("#" is 0): segments are `/`-separated, a `/` in one is `~1`. */
function pointerDepth(path: string): number {
  let depth = 0;
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) depth++;
  return depth;
}

/** Removed for every target: meta keywords, meaningless once refs are inlined. */
const META_KEYWORDS = ["$schema", "$id", "$anchor", "$dynamicAnchor", "$vocabulary", "$comment"];

// ---------------------------------------------------------------------------------------------
// $ref inlining

function resolvePointer(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (isObject(node)) node = Object.hasOwn(node, segment) ? node[segment] : undefined;
    else return undefined;
  }
  return node;
}

function placeholder(target: unknown, siblings: Schema, note: string): Schema {
  const out: Schema = { ...siblings };
  if (isObject(target) && typeof target["type"] === "string") out["type"] = target["type"];
  if (out["description"] === undefined && isObject(target) && typeof target["description"] === "string") {
    out["description"] = target["description"];
  }
  appendDescription(out, note);
  return out;
}

/** Inlines local `$ref`s. Returns the new schema and whether a cycle had to be cut. */
function inlineRefs(root: Schema, log: ChangeLog, maxExpansions = 1000): { schema: Schema; cycle: boolean } {
  let expansions = 0;
  let cycle = false;
  let budgetReported = false;
  let depthReported = false;
  const inlined = new Map<string, string[]>();

  const visit = (node: Schema, path: string, stack: ReadonlySet<string>): Schema => {
    // The input is at most MAX_SCHEMA_DEPTH deep (simplifySchema checks it): only inlined targets
    // reach further down, and what they would put there is cut off.
    if (pointerDepth(path) > MAX_SCHEMA_DEPTH) {
      if (!depthReported) {
        log.add(
          path,
          "ref.budget",
          "warning",
          `Stopped inlining $ref where the schema would nest more than ${MAX_SCHEMA_DEPTH} levels deep; deeper parts are placeholders.`,
        );
        depthReported = true;
      }
      return placeholder(node, {}, "(Structure omitted: nested too deep.)");
    }
    let current = node;
    // The refs resolved at this node, kept apart from the ancestors' so that a chain of n refs costs
    // n steps, not n² copies of a growing list (the budget can be raised far above its default).
    let chain: Set<string> | undefined;
    // A ref may point at another ref: resolve until the node is not a ref.
    while (typeof current["$ref"] === "string") {
      const ref = current["$ref"];
      const { $ref: _ref, ...siblings } = current;
      if (stack.has(ref) || chain?.has(ref)) {
        cycle = true;
        log.add(
          path,
          "ref.cycle",
          "warning",
          `Recursive $ref ${quoteServerText(ref)} is not expanded again here; the model sees a placeholder without its structure.`,
        );
        return placeholder(resolvePointer(root, ref), siblings, "(Recursive structure, not expanded.)");
      }
      if (expansions >= maxExpansions) {
        if (!budgetReported) {
          log.add(
            path,
            "ref.budget",
            "warning",
            `Stopped inlining $ref after ${maxExpansions} expansions; the remaining references are placeholders.`,
          );
          budgetReported = true;
        }
        return placeholder(resolvePointer(root, ref), siblings, "(Structure omitted: schema too large.)");
      }
      const target = resolvePointer(root, ref);
      if (!isObject(target) && typeof target !== "boolean") {
        log.add(
          path,
          "ref.unresolved",
          "warning",
          `$ref ${quoteServerText(ref)} cannot be resolved (only local JSON Pointers such as "#/$defs/name" are supported); replaced by an unconstrained schema.`,
        );
        return placeholder(undefined, siblings, `(Unresolved reference ${ref}.)`);
      }
      expansions++;
      const paths = inlined.get(ref) ?? [];
      paths.push(path);
      inlined.set(ref, paths);
      const resolved: Schema = target === true ? {} : target === false ? { not: {} } : target;
      // Keywords next to a $ref (2020-12 allows them) refine the target: they win.
      current = { ...resolved, ...siblings };
      (chain ??= new Set()).add(ref);
    }
    const { $defs: _defs, definitions: _definitions, ...rest } = current;
    const below = chain ? new Set([...stack, ...chain]) : stack;
    return mapSubschemas(rest, path, (sub, subPath) => visit(sub, subPath, below));
  };

  const schema = visit(root, "#", new Set());
  for (const [ref, paths] of inlined) {
    const where = paths.length === 1 ? paths[0]! : `${paths[0]!} and ${paths.length - 1} more`;
    log.add(paths[0]!, "ref.inlined", "info", `Inlined $ref ${quoteServerText(ref)} (at ${where}).`);
  }
  if (root["$defs"] !== undefined || root["definitions"] !== undefined) {
    log.add("#", "keyword.dropped", "info", "Removed $defs/definitions (their references are inlined).");
  }
  return { schema, cycle };
}

// ---------------------------------------------------------------------------------------------
// Shared steps

function dropMeta(node: Schema, path: string, log: ChangeLog): Schema {
  const out: Schema = { ...node };
  for (const key of META_KEYWORDS) {
    if (Object.hasOwn(out, key)) {
      delete out[key];
      log.add(path, "keyword.dropped", "info", `Removed ${key}.`);
    }
  }
  return mapSubschemas(out, path, (sub, subPath) => dropMeta(sub, subPath, log));
}

function isObjectLike(schema: unknown): schema is Schema {
  return isObject(schema) && (schema["type"] === "object" || isObject(schema["properties"]));
}

/** Makes the root a plain object schema, which every API requires. */
function normaliseRoot(input: Schema, log: ChangeLog): Schema {
  let root: Schema = { ...input };
  if (Array.isArray(root["allOf"])) {
    const { merged, lossy } = mergeAllOf(root);
    root = merged;
    log.add(
      "#",
      "root.combinator",
      lossy ? "warning" : "info",
      lossy
        ? "Merged the top-level allOf into one object; conflicting keywords kept their first definition."
        : "Merged the top-level allOf into one object.",
    );
  }
  for (const key of ["anyOf", "oneOf"] as const) {
    const variants = root[key];
    if (!Array.isArray(variants)) continue;
    delete root[key];
    const objects = variants.filter(isObjectLike);
    if (objects.length === 0) {
      log.add(
        "#",
        "root.combinator",
        "warning",
        `Removed the top-level ${key} (no object variant); APIs require a plain object at the top level.`,
      );
      continue;
    }
    const properties: Schema = isObject(root["properties"]) ? { ...root["properties"] } : {};
    for (const variant of objects) {
      for (const [name, schema] of Object.entries(
        isObject(variant["properties"]) ? variant["properties"] : {},
      )) {
        if (!Object.hasOwn(properties, name)) setOwn(properties, name, schema);
      }
    }
    const requiredSets = objects.map((v) => new Set(Array.isArray(v["required"]) ? v["required"] : []));
    const common = [...requiredSets[0]!].filter((name) => requiredSets.every((set) => set.has(name)));
    const existing = Array.isArray(root["required"]) ? (root["required"] as unknown[]) : [];
    root["properties"] = properties;
    if (existing.length + common.length > 0) root["required"] = [...new Set([...existing, ...common])];
    root["type"] ??= "object";
    log.add(
      "#",
      "root.combinator",
      "warning",
      `Merged the top-level ${key} (${variants.length} variants) into one object: properties of all variants, required only where every variant requires them. The server still checks the exact variant.`,
    );
  }
  for (const key of ["not", "if", "then", "else", "enum", "const"]) {
    if (Object.hasOwn(root, key)) {
      delete root[key];
      log.add(
        "#",
        "root.combinator",
        "warning",
        `Removed "${key}" from the top level; APIs require a plain object there.`,
      );
    }
  }
  const type = root["type"];
  if (type === undefined) {
    root["type"] = "object";
    log.add("#", "root.type", "info", 'Added type "object" at the top level.');
  } else if (Array.isArray(type) && type.includes("object")) {
    root["type"] = "object";
    log.add("#", "root.type", "info", `Changed the top-level type ${json(type)} to "object".`);
  } else if (type !== "object") {
    log.add(
      "#",
      "root.type",
      "warning",
      `The top-level type is ${json(type)}, not "object" (MCP requires an object); replaced by an empty object schema.`,
    );
    return { type: "object", properties: {} };
  }
  if (!isObject(root["properties"])) {
    root["properties"] = {};
    log.add("#", "root.type", "info", "Added empty properties at the top level.");
  }
  if (Object.hasOwn(root, "required")) {
    const names = Object.keys(root["properties"] as Schema);
    const required = Array.isArray(root["required"]) ? root["required"] : [];
    const kept = required.filter((name): name is string => typeof name === "string" && names.includes(name));
    if (kept.length !== required.length) {
      log.add(
        "#/required",
        "keyword.dropped",
        "info",
        "Removed required entries that name no declared property.",
      );
    }
    if (kept.length > 0) root["required"] = kept;
    else delete root["required"];
  }
  return root;
}

// ---------------------------------------------------------------------------------------------

/**
 * Converts an MCP tool's input schema for one LLM API target. The input is never modified.
 *
 * @param input The tool's `inputSchema` (anything that is not an object becomes an empty object schema).
 */
export function simplifySchema(
  input: unknown,
  target: SchemaTarget,
  options: SimplifyOptions = {},
): SimplifiedSchema {
  const log = new ChangeLog();
  let source: Schema;
  if (isObject(input)) {
    source = input;
  } else {
    log.add(
      "#",
      "schema.invalid",
      "warning",
      `The input schema is ${input === undefined ? "missing" : "not an object"}; the tool is described as taking no arguments.`,
    );
    source = { type: "object", properties: {} };
  }
  if (nestsDeeperThan(source, MAX_SCHEMA_DEPTH)) {
    log.add(
      "#",
      "schema.invalid",
      "warning",
      `The input schema nests more than ${MAX_SCHEMA_DEPTH} levels deep, which cannot be converted safely; the tool is described as taking no arguments.`,
    );
    source = { type: "object", properties: {} };
  }
  const { schema: inlined, cycle } = inlineRefs(source, log, options.maxRefExpansions);
  const base = normaliseRoot(dropMeta(inlined, "#", log), log);
  const properties = base["properties"] as Schema;
  const freeForm = base["additionalProperties"] !== undefined && base["additionalProperties"] !== false;
  const empty = Object.keys(properties).length === 0;
  const none = new Set<string>();

  if (target === "json") {
    return { schema: base, changes: log.changes, strict: false, empty, nullableOptional: none };
  }
  if (target === "openai-strict") {
    const strictLog = new ChangeLog();
    const converted = cycle
      ? { unavailable: new StrictUnavailable("#", "it is recursive ($ref cycle)") }
      : toStrict(base, strictLog);
    if ("unavailable" in converted) {
      const { path, message } = converted.unavailable;
      log.add(
        path,
        "strict.unavailable",
        "warning",
        `Strict mode is off for this tool: at ${path} ${message}.`,
      );
      return { schema: base, changes: log.changes, strict: false, empty, nullableOptional: none };
    }
    return {
      schema: converted.schema,
      changes: [...log.changes, ...strictLog.changes],
      strict: true,
      empty,
      nullableOptional: converted.nullable,
    };
  }
  if (target === "gemini") {
    const converted = geminiNode(base, "#", log);
    if (empty && freeForm) {
      log.add(
        "#",
        "gemini.freeForm",
        "warning",
        'The tool takes arbitrary arguments, which Gemini\'s schema cannot describe; the model will call it without arguments. Consider geminiSchema: "json-schema" (parametersJsonSchema).',
      );
    }
    return { schema: converted, changes: log.changes, strict: false, empty, nullableOptional: none };
  }
  throw new RangeError(`Unknown schema target "${String(target)}"; use json, openai-strict or gemini.`);
}

/**
 * Undoes strict mode's "optional means nullable" on arguments the model produced: removes `null`
 * wherever the property was optional in the tool's real schema, so the server sees the property
 * as not given (and applies its default) instead of refusing `null`.
 */
export function restoreStrictArguments(
  args: Record<string, unknown>,
  simplified: Pick<SimplifiedSchema, "schema" | "nullableOptional">,
): Record<string, unknown> {
  if (simplified.nullableOptional.size === 0) return args;
  return restore(args, simplified.schema, "#", simplified.nullableOptional) as Record<string, unknown>;
}

function restore(value: unknown, schema: unknown, path: string, nullable: ReadonlySet<string>): unknown {
  if (!isObject(schema)) return value;
  if (Array.isArray(value)) {
    const items = schema["items"];
    return isObject(items)
      ? value.map((item) => restore(item, items, child(path, "items"), nullable))
      : value;
  }
  if (!isObject(value)) return value;
  if (!isObject(schema["properties"])) {
    // An object inside anyOf: follow the one object variant, if there is exactly one.
    const variants = Array.isArray(schema["anyOf"]) ? (schema["anyOf"] as unknown[]) : [];
    const objects = variants
      .map((variant, index) => ({ variant, index }))
      .filter(({ variant }) => isObject(variant) && isObject(variant["properties"]));
    return objects.length === 1
      ? restore(value, objects[0]!.variant, child(path, "anyOf", objects[0]!.index), nullable)
      : value;
  }
  const properties = schema["properties"];
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    const propertyPath = child(path, "properties", name);
    if (item === null && nullable.has(propertyPath)) continue;
    const schemaOf = Object.hasOwn(properties, name) ? properties[name] : undefined;
    setOwn(out, name, restore(item, schemaOf, propertyPath, nullable));
  }
  return out;
}

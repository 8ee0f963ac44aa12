import { emptyRecord, ownValue, setOwn } from "../common/objects.js";
import { MCPValidationError } from "../errors/errors.js";

/** The JSON Schema bits we read to coerce `key=value` strings. */
interface PropertySchema {
  type?: string | string[];
  properties?: Record<string, PropertySchema>;
}

/**
 * Turns the CLI's tool arguments into an object: either one JSON object (`'{"a": 1}'`) or
 * `key=value` pairs (`a=1 b=hello nested.key=true`). With the tool's input schema, values are
 * coerced to the declared type (a string property keeps `007` as text); without one, values that
 * parse as JSON are used as JSON, anything else as a string.
 */
export function parseToolArguments(
  tokens: readonly string[],
  schema?: unknown,
  options: { coerce?: boolean } = {},
): Record<string, unknown> {
  const coerceValues = options.coerce ?? true;
  if (tokens.length === 1 && tokens[0]!.trimStart().startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(tokens[0]!);
    } catch (error) {
      throw usage(`the arguments are not valid JSON: ${(error as Error).message}`, "json.parse");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw usage('the JSON arguments must be an object, e.g. \'{"message": "hi"}\'', "json.object");
    }
    return parsed as Record<string, unknown>;
  }
  // No prototypes, and every key an own property: any name a tool declares (`constructor`,
  // `__proto__`, `prototype` included) is an ordinary argument name and never reaches a prototype.
  const result = emptyRecord<unknown>();
  for (const token of tokens) {
    const eq = token.indexOf("=");
    if (eq <= 0) {
      throw usage(
        `"${token}" is not key=value; pass arguments as key=value pairs or as one JSON object`,
        "args.keyValue",
      );
    }
    const path = token.slice(0, eq).split(".");
    const raw = token.slice(eq + 1);
    if (path.some((key) => key === "")) {
      throw usage(
        `"${token.slice(0, eq)}" is not a usable argument name: a part between dots is empty`,
        "args.keyValue",
      );
    }
    let target = result;
    let props = (schema as PropertySchema | undefined)?.properties;
    for (const key of path.slice(0, -1)) {
      const next = ownValue(target, key);
      if (typeof next !== "object" || next === null || Array.isArray(next))
        setOwn(target, key, emptyRecord());
      target = target[key] as Record<string, unknown>;
      props = propertyOf(props, key)?.properties;
    }
    const last = path[path.length - 1]!;
    setOwn(target, last, coerceValues ? coerce(raw, propertyOf(props, last)?.type, last) : raw);
  }
  return result;
}

/** The schema of one property, own keys only: `toString=1` must not find Object.prototype.toString. */
function propertyOf(
  properties: Record<string, PropertySchema> | undefined,
  name: string,
): PropertySchema | undefined {
  if (typeof properties !== "object" || properties === null) return undefined;
  const schema = ownValue(properties, name);
  return typeof schema === "object" && schema !== null ? schema : undefined;
}

function coerce(raw: string, declared: string | string[] | undefined, key: string): unknown {
  const types = declared === undefined ? [] : Array.isArray(declared) ? declared : [declared];
  if (types.includes("string") && types.length === 1) return raw;
  if (types.length === 1 && (types[0] === "number" || types[0] === "integer")) {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value))
      throw usage(`${key}=${raw}: expected a number`, "args.type");
    return value;
  }
  if (types.length === 1 && types[0] === "boolean") {
    if (raw === "true") return true;
    if (raw === "false") return false;
    throw usage(`${key}=${raw}: expected true or false`, "args.type");
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function usage(message: string, rule: string): MCPValidationError {
  return new MCPValidationError(message, { code: "INVALID_ARGUMENTS", field: "arguments", rule });
}

/**
 * Guards and value descriptions for messages about values that came from outside (options,
 * configs, tool arguments): one wording everywhere, and never the whole value (it may be large or
 * hold a secret; strings are clipped).
 */

/** Longest part of a string value a message quotes. */
const MAX_QUOTED_CHARS = 40;

/**
 * True for a plain `{…}` object: not an array, not null, not a class instance. Its prototype is
 * `Object.prototype` of this or another realm (a `vm` context, a test runner's), or it has none.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * The type of a value for a message: `null`, `an array`, `an object`, `a string`, `a number`, …
 * `arrayWord` names arrays in the reader's vocabulary (`"a list"` for config files, where YAML and
 * JSON say list).
 */
export function describeType(value: unknown, arrayWord = "an array"): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return arrayWord;
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * A value for a message: numbers, booleans and bigints as they are (NaN, -1, Infinity), strings
 * quoted and clipped (`the string "5"`), anything else by its type.
 */
export function describeValue(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  if (typeof value === "string") {
    const clipped = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
    return `the string ${JSON.stringify(clipped)}`;
  }
  return describeType(value);
}

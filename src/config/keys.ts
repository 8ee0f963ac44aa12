import { emptyRecord, isPrototypeKey } from "../common/objects.js";
import type { ConfigIssue } from "../errors/errors.js";

/**
 * Key handling shared by every config section: the seed's snake_case keys and their camelCase forms
 * normalise to one camelCase object, and unknown keys are kept but reported with a typo suggestion.
 */

/** `max_retries` → `maxRetries`, `http_read_timeout` → `httpReadTimeout`; camelCase stays as is. */
export function toCamelCase(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `maxRetries` → `max_retries`, for messages that show the seed's spelling. */
export function toSnakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Damerau-free Levenshtein distance, enough to catch `timout` → `timeout`. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/** The closest known name within a small edit distance, or undefined. */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 4)) + 1;
  for (const candidate of known) {
    // The distance is at least the difference in length: a name that cannot be close is not measured
    // (the names can be a server's, of any length, and each measurement costs the product of both).
    const lower = candidate.toLowerCase();
    if (Math.abs(lower.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export interface NormalisedKeys {
  /** The object with every known key in camelCase; unknown keys kept under their own name. */
  value: Record<string, unknown>;
  /** Unknown keys (as written). */
  unknown: string[];
  /** Keys given twice, once per spelling (`max_retries` and `maxRetries`). */
  conflicts: Array<{ snake: string; camel: string }>;
}

/**
 * Normalises the keys of one config object. `known` lists the camelCase names of the section; a key
 * whose camelCase form is known is renamed, anything else is kept as written and reported.
 */
export function normaliseKeys(raw: Record<string, unknown>, known: ReadonlySet<string>): NormalisedKeys {
  // No prototype: a key from the input is always an own key, and no read of a setting is inherited.
  const value = emptyRecord<unknown>();
  const unknown: string[] = [];
  const conflicts: Array<{ snake: string; camel: string }> = [];
  const spelledAs = new Map<string, string>();
  for (const [key, child] of Object.entries(raw)) {
    const camel = toCamelCase(key);
    if (!known.has(camel)) {
      unknown.push(key);
      value[key] = child;
      continue;
    }
    const previous = spelledAs.get(camel);
    if (previous !== undefined) {
      conflicts.push({ snake: previous === camel ? key : previous, camel });
      continue;
    }
    spelledAs.set(camel, key);
    value[camel] = child;
  }
  return { value, unknown, conflicts };
}

/** True for a plain `{…}` object (not an array, not null, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A path into a config value: object keys and array indexes. */
export type KeyPath = ReadonlyArray<string | number>;

/** One thing `withoutPrototypeKeys` removed. */
export interface PrototypeKeyFinding {
  /** Where: the refused key (last segment), or the object whose prototype was replaced. */
  path: KeyPath;
  /** The refused key; undefined for an object whose prototype was replaced. */
  key: string | undefined;
}

/**
 * Finds every `__proto__`, `constructor` and `prototype` key in a config value, and every object
 * whose prototype was replaced (`{ __proto__: {…} }` written in code, `Object.create(settings)`),
 * and returns the value without them. JSON.parse and YAML make `__proto__` an own key; any copy
 * with `obj[key] = child` then turns it into the prototype, and schema checks read settings through
 * it while the key itself looks ignored. Subtrees without findings are returned as they are (same
 * objects), so a clean config is not copied at all. Only plain objects and arrays are walked.
 */
export function withoutPrototypeKeys<T>(input: T): { value: T; found: PrototypeKeyFinding[] } {
  const found: PrototypeKeyFinding[] = [];
  const active = new Set<object>();
  const visited = new Map<object, unknown>();
  const visit = (node: unknown, path: KeyPath): unknown => {
    if (typeof node !== "object" || node === null) return node;
    if (visited.has(node)) return visited.get(node);
    // A cycle (only possible in configs built in code) is left as it is: findings were recorded above.
    if (active.has(node)) return node;
    const proto = Object.getPrototypeOf(node) as unknown;
    const array = Array.isArray(node);
    const replaced =
      !array &&
      proto !== Object.prototype &&
      proto !== null &&
      !Object.hasOwn(proto as object, "constructor");
    // Class instances (Dates, Maps, a caller's own objects in unknown keys) are not config data.
    if (!array && !replaced && proto !== Object.prototype && proto !== null) return node;
    active.add(node);
    let result: unknown = node;
    if (array) {
      let copy: unknown[] | undefined;
      (node as unknown[]).forEach((item, index) => {
        const next = visit(item, [...path, index]);
        if (next !== item) (copy ??= [...(node as unknown[])])[index] = next;
      });
      if (copy) result = copy;
    } else {
      if (replaced) found.push({ path, key: undefined });
      let changed = replaced;
      const entries: Array<[string, unknown]> = [];
      for (const key of Object.keys(node)) {
        if (isPrototypeKey(key)) {
          found.push({ path: [...path, key], key });
          changed = true;
          continue;
        }
        const child = (node as Record<string, unknown>)[key];
        const next = visit(child, [...path, key]);
        if (next !== child) changed = true;
        entries.push([key, next]);
      }
      // Object.fromEntries defines own keys, and none of them is a prototype key any more.
      if (changed) result = Object.fromEntries(entries);
    }
    active.delete(node);
    visited.set(node, result);
    return result;
  };
  return { value: visit(input, []) as T, found };
}

/** The issue for one finding of `withoutPrototypeKeys`, at `path` (rendered by the caller). */
export function prototypeKeyIssue(path: string, finding: PrototypeKeyFinding): ConfigIssue {
  let message: string;
  if (finding.key === undefined) {
    message =
      "this object inherits settings from a replaced prototype (`__proto__` in an object literal, or " +
      "Object.create()), which validation does not read (rule config.prototypeKey); write every setting " +
      "as an own key of a plain object";
  } else if (finding.key === "__proto__") {
    message =
      'key "__proto__" is refused (rule config.prototypeKey): JavaScript would make its contents the ' +
      "object's prototype, so the settings under it would apply without being validated; remove it and " +
      "write its settings as ordinary keys";
  } else {
    message =
      `key "${finding.key}" is refused (rule config.prototypeKey): "__proto__", "constructor" and ` +
      '"prototype" name the prototype machinery of JavaScript objects and are never a setting, server ' +
      "or variable name; remove or rename it";
  }
  return { path, message, rule: "config.prototypeKey" };
}

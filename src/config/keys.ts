import { type KeyPath, renderKeyPath } from "../common/keyPath.js";
import { emptyRecord, isPrototypeKey } from "../common/objects.js";
import type { ConfigIssue } from "../errors/errors.js";
import { MAX_CONFIG_DEPTH } from "./defaults.js";

// Moved to common/suggest.ts; kept here for the modules that import it from config.
export { suggest } from "../common/suggest.js";

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

/** `toSnakeCase` at the type level: `"httpReadTimeout"` → `"http_read_timeout"`. */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`}${SnakeCase<Tail>}`
  : S;

/**
 * What users write for a section whose normalised keys are those of `T`: every key in camelCase
 * and in the seed's snake_case (`maxRetries` / `max_retries`), all optional, nested sections alike.
 * Lists and maps of names (`args`, `env`) are values, not sections: their keys are not renamed.
 * Unknown keys are not typed (a section that accepts them says so with its own index signature).
 */
export type KeyTwins<T> = { [K in KnownKeys<T>]?: TwinValue<T[K]> } & {
  [K in KnownKeys<T> as SnakeCase<K>]?: TwinValue<T[K]>;
};
/** The declared keys of `T`, without its index signature. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: 0 } &
  string;
/** A section (an object with declared keys) gets twins too; lists, maps and scalars stay as they are. */
type TwinValue<V> = V extends readonly unknown[]
  ? V
  : V extends object
    ? [KnownKeys<V>] extends [never]
      ? V
      : KeyTwins<V>
    : V;

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

/** Something the snapshot of a config value refused, at `path` (relative to the value given). */
export type ConfigFinding =
  /** A `__proto__`, `constructor` or `prototype` key (the key is the last segment); not copied. */
  | { kind: "prototypeKey"; path: KeyPath; key: string }
  /** An object whose prototype was replaced (`{ __proto__: {…} }` in code, `Object.create(settings)`). */
  | { kind: "replacedPrototype"; path: KeyPath }
  /** An instance of a class (`Map`, `Date`, a class with getters): config data is plain objects and arrays. */
  | { kind: "notPlain"; path: KeyPath; type: string }
  /** Reading it threw (a getter, a Proxy trap); nothing of it was copied. */
  | { kind: "unreadable"; path: KeyPath }
  /** Nested deeper than `MAX_CONFIG_DEPTH`; not copied. */
  | { kind: "tooDeep"; path: KeyPath };

export interface ConfigSnapshot {
  /** The copy: only arrays, objects of our own, and the primitives (and functions) of the input. */
  value: unknown;
  /** Everything refused, in reading order. */
  findings: ConfigFinding[];
}

export interface SnapshotOptions {
  /** Objects returned as they are (not read, not copied): configs that passed validation, which are frozen. */
  keep?: ((node: object) => boolean) | undefined;
  /**
   * Copies with `Object.prototype` (for values handed back to the caller, as `extra` and the result
   * of `validateMcpIntegration`); by default they have no prototype.
   */
  ordinary?: boolean | undefined;
}

/**
 * The one snapshot of a config value every validation works on. Each own enumerable key of a plain
 * object or array is read once (a getter once, a Proxy trap once) into a copy of our own; nothing
 * of the input is read again, so what is validated is what is used, and schema checks never read
 * through a prototype or a getter of the caller's. Refused, and reported in `findings`:
 * `__proto__`, `constructor` and `prototype` keys (JSON.parse and YAML make `__proto__` an own key,
 * which any copy by assignment turns into the prototype), objects whose prototype was replaced,
 * class instances, values that throw when read and values nested too deep. A refused object's own
 * keys are still copied (no prototype), so every other problem of the config is reported too.
 */
export function snapshotConfig(input: unknown, options: SnapshotOptions = {}): ConfigSnapshot {
  const findings: ConfigFinding[] = [];
  const copies = new Map<object, unknown>();
  const newObject = (): Record<string, unknown> => (options.ordinary ? {} : emptyRecord<unknown>());
  const visit = (node: unknown, path: KeyPath): unknown => {
    if (typeof node !== "object" || node === null) return node;
    const known = copies.get(node);
    // Shared objects (YAML aliases) stay shared, and cycles stay cycles, in the copy.
    if (known !== undefined) return known;
    if (options.keep?.(node)) return node;
    if (path.length > MAX_CONFIG_DEPTH) {
      findings.push({ kind: "tooDeep", path });
      return undefined;
    }
    // One read of a key (a getter, a Proxy trap); one that throws is refused, the others still read.
    const read = (key: string | number, at: KeyPath): { value: unknown } | undefined => {
      try {
        // Own indexes only: a hole must not be filled from a replaced Array prototype.
        if (typeof key === "number" && !Object.hasOwn(node, key)) return { value: undefined };
        return { value: (node as Record<string | number, unknown>)[key] };
      } catch {
        findings.push({ kind: "unreadable", path: at });
        return undefined;
      }
    };
    let keys: string[];
    let length = 0;
    const array = Array.isArray(node);
    try {
      const proto = Object.getPrototypeOf(node) as object | null;
      if (array) length = (node as unknown[]).length;
      keys = array ? [] : Object.keys(node);
      if (!array && proto !== Object.prototype && proto !== null) {
        const type = className(proto);
        findings.push(
          type === undefined ? { kind: "replacedPrototype", path } : { kind: "notPlain", path, type },
        );
      }
    } catch {
      findings.push({ kind: "unreadable", path });
      return undefined;
    }
    if (array) {
      const copy: unknown[] = [];
      copies.set(node, copy);
      for (let index = 0; index < length; index++) {
        const at = [...path, index];
        const item = read(index, at);
        copy.push(item === undefined ? undefined : visit(item.value, at));
      }
      return copy;
    }
    const copy = newObject();
    copies.set(node, copy);
    for (const key of keys) {
      const at = [...path, key];
      if (isPrototypeKey(key)) {
        findings.push({ kind: "prototypeKey", path: at, key });
        continue;
      }
      const child = read(key, at);
      // Own keys only, and none of them is a prototype key: assignment defines an own property.
      if (child !== undefined) copy[key] = visit(child.value, at);
    }
    return copy;
  };
  return { value: visit(input, []), findings };
}

/** The class of an instance (`Map`, `Date`, a caller's class), or undefined for a replaced prototype. */
function className(proto: object): string | undefined {
  const constructor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as unknown;
  if (typeof constructor !== "function" || constructor.prototype !== proto) return undefined;
  return constructor.name || "an anonymous class";
}

/** The issue for one finding of `snapshotConfig`, its path rendered after `base`. */
export function findingIssue(finding: ConfigFinding, base: KeyPath = []): ConfigIssue {
  const path = renderKeyPath([...base, ...finding.path]);
  switch (finding.kind) {
    case "prototypeKey":
      return {
        path,
        rule: "config.prototypeKey",
        message:
          finding.key === "__proto__"
            ? 'key "__proto__" is refused (rule config.prototypeKey): JavaScript would make its contents the ' +
              "object's prototype, so the settings under it would apply without being validated; remove it and " +
              "write its settings as ordinary keys"
            : `key "${finding.key}" is refused (rule config.prototypeKey): "__proto__", "constructor" and ` +
              '"prototype" name the prototype machinery of JavaScript objects and are never a setting, server ' +
              "or variable name; remove or rename it",
      };
    case "replacedPrototype":
      return {
        path,
        rule: "config.prototypeKey",
        message:
          "this object inherits settings from a replaced prototype (`__proto__` in an object literal, or " +
          "Object.create()), which validation does not read (rule config.prototypeKey); write every setting " +
          "as an own key of a plain object",
      };
    case "notPlain":
      return {
        path,
        rule: "config.plainObject",
        message:
          `this value is an instance of ${finding.type}, not a plain object (rule config.plainObject): config ` +
          "values are read from the own keys of plain objects and arrays only, so settings of a class (getters, " +
          "inherited members) would never be validated; pass an object literal or parsed JSON/YAML",
      };
    case "unreadable":
      return {
        path,
        rule: "config.plainObject",
        message:
          "reading this value threw (a getter or Proxy) (rule config.plainObject); config values must be " +
          "plain data: an object literal or parsed JSON/YAML",
      };
    case "tooDeep":
      return {
        path,
        rule: "config.schema",
        message: `this value is nested more than ${MAX_CONFIG_DEPTH} levels deep; no setting is, so it was not read`,
      };
  }
}

/**
 * Objects built from configs, tool schemas and arguments: keys that come from outside must never
 * reach an object's prototype. `obj["__proto__"] = v` on an ordinary object replaces its prototype
 * (so the key disappears and its contents are read through every later lookup), and `table[key]`
 * or `key in table` answer for inherited members (`toString`, `constructor`) as if they were data.
 */

/** Keys that name the prototype machinery of JavaScript objects rather than data. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** True for `__proto__`, `constructor` and `prototype`. */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/** An empty map-like object without a prototype: every assignment creates an own key, no read is inherited. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** `table[key]` for own keys only: a lookup table never answers with an inherited member. */
export function ownValue<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

/** Sets `key` as an own, enumerable property, also when it is `__proto__` on an ordinary object. */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

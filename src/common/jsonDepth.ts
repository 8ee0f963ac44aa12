/**
 * Nesting depth of data a server sent, measured without recursion.
 *
 * Validators and schema compilers (zod in the SDK, Ajv, our converters) walk JSON by recursion, one
 * or more stack frames per level, so a value nested a few thousand levels deep overflows the stack
 * ("Maximum call stack size exceeded") wherever it goes first. Measuring it first, with an explicit
 * stack, is what lets the caller refuse that one value instead of failing whatever contained it.
 */

import { setOwn } from "./objects.js";

/**
 * True when `value` holds a container (object or array) more than `maxDepth` levels below itself;
 * `value` itself is depth 0. Stops at the first such container, so a hostile value costs at most
 * one walk down to `maxDepth + 1`; a cyclic object counts as infinitely deep.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: Array<{ node: object; depth: number }> = [];
  if (typeof value === "object" && value !== null) stack.push({ node: value, depth: 0 });
  for (let next = stack.pop(); next; next = stack.pop()) {
    if (next.depth > maxDepth) return true;
    const children: unknown[] = Array.isArray(next.node) ? next.node : Object.values(next.node);
    for (const child of children) {
      if (typeof child === "object" && child !== null) stack.push({ node: child, depth: next.depth + 1 });
    }
  }
  return false;
}

/**
 * A copy of `value` whose containers more than `maxDepth` levels below it are replaced by `marker`,
 * built without recursion, so the copy is safe to hand to `JSON.stringify` and to any recursive
 * walk. A value that nests no deeper is returned as it is (no copy). An object met a second time
 * (a cycle, or one shared by two parents) is replaced by `marker` too, so the copy stays as large as
 * the value's distinct objects. Keys are copied as own properties (`__proto__` included).
 */
export function clipDepth(value: unknown, maxDepth: number, marker: unknown): unknown {
  if (!nestsDeeperThan(value, maxDepth)) return value;
  const seen = new WeakSet<object>();
  const shell = (node: object): Record<string, unknown> | unknown[] => {
    seen.add(node);
    return Array.isArray(node) ? [] : {};
  };
  const root = shell(value as object);
  const stack: Array<{ source: object; target: Record<string, unknown> | unknown[]; depth: number }> = [
    { source: value as object, target: root, depth: 0 },
  ];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { source, target, depth } = next;
    for (const [key, child] of Object.entries(source)) {
      let copy: unknown = child;
      if (typeof child === "object" && child !== null) {
        if (depth + 1 > maxDepth || seen.has(child)) {
          copy = marker;
        } else {
          copy = shell(child);
          stack.push({
            source: child,
            target: copy as Record<string, unknown> | unknown[],
            depth: depth + 1,
          });
        }
      }
      setOwn(target, key, copy);
    }
  }
  return root;
}

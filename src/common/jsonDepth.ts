/**
 * Nesting depth of data a server sent, measured without recursion.
 *
 * Validators and schema compilers (zod in the SDK, Ajv, our converters) walk JSON by recursion, one
 * or more stack frames per level, so a value nested a few thousand levels deep overflows the stack
 * ("Maximum call stack size exceeded") wherever it goes first. Measuring it first, with an explicit
 * stack, is what lets the caller refuse that one value instead of failing whatever contained it.
 */

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

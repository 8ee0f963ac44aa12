/**
 * Walks an error's `cause` chain. Errors raised below a library arrive wrapped — `fetch` turns a
 * failed request into `TypeError("fetch failed", { cause })`, the SDK wraps transport errors — and
 * the error that says what happened is further down. The walk is bounded: a chain built by a third
 * party may be long or loop on itself.
 */

/** Errors of a chain looked at, at most (the error itself, unless skipped, and its causes). */
export const MAX_CAUSE_DEPTH = 4;

/**
 * The first error in `error`'s cause chain (`error` itself first, unless `skipSelf`) that `matches`,
 * or undefined when none does within `MAX_CAUSE_DEPTH` links.
 */
export function findCause<T>(
  error: unknown,
  matches: (candidate: unknown) => candidate is T,
  options: { skipSelf?: boolean } = {},
): T | undefined {
  let current = options.skipSelf ? causeOf(error) : error;
  for (let depth = 0; current !== undefined && current !== null && depth < MAX_CAUSE_DEPTH; depth++) {
    if (matches(current)) return current;
    current = causeOf(current);
  }
  return undefined;
}

function causeOf(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return undefined;
  try {
    return (error as { cause?: unknown }).cause;
  } catch {
    // A getter of a third party's error that throws ends the chain.
    return undefined;
  }
}

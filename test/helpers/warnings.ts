/** Records the process warnings emitted until `stop()` (Node emits them on a later tick). */
export function recordWarnings(): { names: () => string[]; stop: () => void } {
  const seen: Error[] = [];
  const listener = (warning: Error) => seen.push(warning);
  process.on("warning", listener);
  return { names: () => seen.map((w) => w.name), stop: () => process.off("warning", listener) };
}

/** Resolves once the warnings of what ran before have been emitted. */
export const warningsSettled = (): Promise<unknown> => new Promise((resolve) => setImmediate(resolve));

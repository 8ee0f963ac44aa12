/** Runs `work` and reports how long it took and what it settled with (value or error). */
export async function elapsed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T | unknown }> {
  const started = performance.now();
  let value: T | unknown;
  try {
    value = await work();
  } catch (error) {
    value = error;
  }
  return { ms: performance.now() - started, value };
}

/** How `promise` has settled so far, readable without awaiting it (`settled` turns true once it has). */
export function settledState<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** The text blocks of a tool result, joined with newlines. */
export function resultText(result: { content?: unknown }): string {
  const content = (result.content ?? []) as Array<{ type?: string; text?: string }>;
  return content
    .filter((c) => c.type === undefined || c.type === "text")
    .map((c) => c.text ?? "")
    .join("\n");
}

/** A promise with its resolve and reject exposed, for tests that decide when things happen. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Rejects when `promise` has not settled within `ms`: a deadline, never a pause. */
export async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

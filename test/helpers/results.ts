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

/** The text blocks of a tool result, joined with newlines. */
export function resultText(result: { content?: unknown }): string {
  const content = (result.content ?? []) as Array<{ type?: string; text?: string }>;
  return content
    .filter((c) => c.type === undefined || c.type === "text")
    .map((c) => c.text ?? "")
    .join("\n");
}

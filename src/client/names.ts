import { suggest } from "../config/keys.js";

/** " Did you mean "x"? Available: a, b, c (and N more)." — for not-found messages. */
export function suggestNames(wanted: string, available: readonly string[], shown = 10): string {
  if (available.length === 0) return " The server offers none.";
  const close = suggest(wanted, available);
  const hint = close ? ` Did you mean "${close}"?` : "";
  const list = available.slice(0, shown).join(", ");
  const more = available.length > shown ? ` (and ${available.length - shown} more)` : "";
  return `${hint} Available: ${list}${more}.`;
}

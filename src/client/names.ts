import { suggest } from "../common/suggest.js";
import { MAX_SERVER_NAME_TEXT, sanitizeServerText } from "../errors/serverText.js";

/**
 * " Did you mean "x"? Available: a, b, c (and N more)." — for not-found messages. The names are the
 * server's (tool, prompt, resource names): each goes through the server-text gate, so ten names of
 * 100 kB each do not make a 1 MB message.
 */
export function suggestNames(wanted: string, available: readonly string[], shown = 10): string {
  if (available.length === 0) return " The server offers none.";
  const close = suggest(wanted, available);
  const clean = (name: string) => sanitizeServerText(name, MAX_SERVER_NAME_TEXT);
  const hint = close ? ` Did you mean "${clean(close)}"?` : "";
  const list = available.slice(0, shown).map(clean).join(", ");
  const more = available.length > shown ? ` (and ${available.length - shown} more)` : "";
  return `${hint} Available: ${list}${more}.`;
}

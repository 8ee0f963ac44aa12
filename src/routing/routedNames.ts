/**
 * Names of tools and prompts across servers: `mcp__{server}__{name}`, sanitised to what LLM APIs
 * accept (`^[a-zA-Z0-9_-]{1,64}$`, OpenAI's rule), and the one way a name too long for an API is
 * shortened (`withHashTail`), used for routed names and for provider names (converters/names.ts).
 */
import { createHash } from "node:crypto";

/** Prefix of every routed name. */
export const NAME_PREFIX = "mcp__";
/** Longest name LLM function-calling APIs accept. */
export const MAX_ROUTED_NAME_LENGTH = 64;
/** What LLM function-calling APIs accept (OpenAI, Anthropic, Gemini). */
export const ROUTED_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
/** Hex digits of the hash that keeps shortened names apart. */
export const NAME_HASH_LENGTH = 6;

export type NameKind = "tool" | "prompt";

/** Replaces every character outside `[A-Za-z0-9_-]` with `_` (dots, spaces, slashes, non-ASCII). */
export function sanitizeNamePart(raw: string): string {
  return raw.replace(/[^A-Za-z0-9_-]/g, "_");
}

/** The first `length` hex digits of the SHA-256 of `text`: stable across runs and machines. */
export function nameHash(text: string, length = NAME_HASH_LENGTH): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/**
 * `head`, cut as needed, then `_` and the hash of `source`, at most `maxLength` characters: how a
 * name that is too long (or taken) is made to fit, deterministically, so that two long names that
 * share a beginning stay apart. Undefined when `maxLength` leaves no room for a character of `head`.
 */
export function withHashTail(head: string, source: string, maxLength: number): string | undefined {
  const keep = maxLength - NAME_HASH_LENGTH - 1;
  if (keep < 1) return undefined;
  return `${head.slice(0, keep)}_${nameHash(source)}`;
}

/**
 * The routed name of `raw` on `server`: `mcp__{server}__{sanitised raw}{suffix}`. When that is longer
 * than 64 characters the raw part is cut and a short hash of the raw name appended, so the result is
 * deterministic and two long names that share a beginning stay apart.
 */
export function prefixedName(server: string, raw: string, suffix = ""): string {
  const head = `${NAME_PREFIX}${sanitizeNamePart(server)}__`;
  const body = sanitizeNamePart(raw);
  const budget = MAX_ROUTED_NAME_LENGTH - head.length - suffix.length;
  if (body.length <= budget) return head + body + suffix;
  const shortened = withHashTail(body, raw, budget);
  if (shortened !== undefined) return head + shortened + suffix;
  // Only a very long server name leaves this little room: the hash alone names the item.
  const room = MAX_ROUTED_NAME_LENGTH - head.length;
  return head + nameHash(`${raw}\u0000${suffix}`, Math.max(1, room));
}

/** Why a raw name cannot be routed, or undefined when it can. */
export function unusableNameReason(raw: unknown): string | undefined {
  if (typeof raw !== "string") return `its name is not a string (${raw === null ? "null" : typeof raw})`;
  if (raw.trim() === "") return "its name is empty";
  if (!/[A-Za-z0-9]/.test(raw)) return "its name has no ASCII letter or digit to build a routed name from";
  return undefined;
}

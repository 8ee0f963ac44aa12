import { ownValue } from "../common/objects.js";
import { nameHash, withHashTail } from "../routing/routedNames.js";

/**
 * Tool-name rules of the LLM APIs, and a deterministic way to fit MCP tool names into them.
 *
 * MCP allows names the APIs refuse (dots, `/`, 100+ characters), and a prefixed
 * multi-server name (`mcp__server__tool`) easily passes 64 characters. Names are therefore
 * rewritten per provider, every rewrite is reported, and the mapping back to the real name is kept
 * in a table: the real name is never recovered by slicing strings (a shortened name ends in a hash
 * of the full one). A name is shortened the way a routed name is (`withHashTail` in
 * routing/routedNames.ts: one hash, one cut); what differs is the character set of each provider
 * and that a provider name is assigned per tool set, not kept across reconnects as a routed name
 * is. Pinned by test/unit/converters/names.test.ts (`assignProviderNames`).
 */

/** The name rules of one provider. */
export interface NameRules {
  /** Short identifier used in reports (`openai`, `gemini`, …). */
  readonly id: string;
  /** Longest accepted name, in characters. */
  readonly maxLength: number;
  /** One allowed character. */
  readonly allowedChar: RegExp;
  /** An allowed first character, when the first character is more restricted than the rest. */
  readonly allowedFirstChar?: RegExp | undefined;
}

export type NameRuleSet = "openai" | "anthropic" | "gemini" | "portable";

/**
 * Documented name rules:
 * - OpenAI (Chat Completions and Responses): `a-z A-Z 0-9 _ -`, at most 64 characters.
 * - Anthropic (`tools[].name`): `^[a-zA-Z0-9_-]{1,64}$`.
 * - Gemini (`functionDeclarations[].name`): starts with a letter or `_`; `a-z A-Z 0-9 _ . : -`;
 *   at most 64 characters.
 * - portable: valid for all of the above at once (for the AI SDK, whose provider is unknown here,
 *   and MassGen-style functions, which MassGen hands to every backend).
 */
export const PROVIDER_NAME_RULES: Readonly<Record<NameRuleSet, NameRules>> = Object.freeze({
  openai: { id: "openai", maxLength: 64, allowedChar: /[A-Za-z0-9_-]/ },
  anthropic: { id: "anthropic", maxLength: 64, allowedChar: /[A-Za-z0-9_-]/ },
  gemini: { id: "gemini", maxLength: 64, allowedChar: /[A-Za-z0-9_.:-]/, allowedFirstChar: /[A-Za-z_]/ },
  portable: { id: "portable", maxLength: 64, allowedChar: /[A-Za-z0-9_-]/, allowedFirstChar: /[A-Za-z_]/ },
});

/** Why a name was rewritten. */
export type NameChangeReason =
  /** Characters outside the provider's set were replaced by `_`. */
  | "characters"
  /** The first character is not allowed there; `_` was put in front. */
  | "start"
  /** Longer than the provider allows; shortened and given a hash of the full name. */
  | "length"
  /** Another tool already got the same provider name; a hash of the full name was appended. */
  | "collision"
  /** The name was empty. */
  | "empty";

/** One rewritten name. */
export interface NameChange {
  /** The name the tool is called with (raw, or prefixed for multi-server clients). */
  readonly original: string;
  /** The name the provider sees. */
  readonly name: string;
  readonly reasons: readonly NameChangeReason[];
}

/** The two-way mapping between the names tools are called with and the names a provider sees. */
export interface NameTable {
  readonly rules: NameRules;
  /** Original name → provider name. */
  readonly toProvider: ReadonlyMap<string, string>;
  /** Provider name → original name. */
  readonly toOriginal: ReadonlyMap<string, string>;
  /** Every name that had to change, in input order. */
  readonly changes: readonly NameChange[];
}

export function resolveNameRules(rules: NameRuleSet | NameRules): NameRules {
  if (typeof rules !== "string") return rules;
  const found = ownValue(PROVIDER_NAME_RULES, rules);
  if (!found) {
    throw new RangeError(
      `Unknown name rules "${String(rules)}"; use one of ${Object.keys(PROVIDER_NAME_RULES).join(", ")}.`,
    );
  }
  return found;
}

/** True when `name` is acceptable as is under `rules`. */
export function isValidProviderName(name: string, rules: NameRuleSet | NameRules): boolean {
  const r = resolveNameRules(rules);
  const chars = [...name];
  if (chars.length === 0 || chars.length > r.maxLength) return false;
  if (r.allowedFirstChar && !r.allowedFirstChar.test(chars[0]!)) return false;
  return chars.every((c) => r.allowedChar.test(c));
}

/**
 * Replaces `name`'s tail with `_<hash of original>` so that the result fits `maxLength`; rules that
 * leave no room for a head get `_` and as much of the hash as fits.
 */
function withHash(name: string, original: string, maxLength: number): string {
  return withHashTail(name, original, maxLength) ?? `_${nameHash(original)}`.slice(0, Math.max(1, maxLength));
}

/**
 * Fits one name to `rules` without looking at other names: disallowed characters become `_`, a
 * disallowed first character gets a `_` in front, and a name that is too long keeps its head and
 * ends with `_` plus a hash of the full original name (so two long names that share a head stay
 * distinct).
 */
export function sanitizeProviderName(
  original: string,
  rules: NameRuleSet | NameRules,
): { name: string; reasons: NameChangeReason[] } {
  const r = resolveNameRules(rules);
  const reasons: NameChangeReason[] = [];
  if (original.length === 0) return { name: "tool", reasons: ["empty"] };
  // Iterate code points so that a surrogate pair becomes one `_`, not two.
  let name = [...original].map((c) => (r.allowedChar.test(c) ? c : "_")).join("");
  if (name !== original) reasons.push("characters");
  if (r.allowedFirstChar && !r.allowedFirstChar.test(name[0]!)) {
    name = `_${name}`;
    reasons.push("start");
  }
  if (name.length > r.maxLength) {
    name = withHash(name, original, r.maxLength);
    reasons.push("length");
  }
  return { name, reasons };
}

/**
 * Assigns a provider name to every original name, deterministically (the result does not depend
 * on input order):
 * 1. names already valid keep their name;
 * 2. the others are sanitised (see `sanitizeProviderName`), in sorted order of their original;
 * 3. a sanitised name that is already taken gets `_<hash of original>` instead of its tail.
 * Duplicated originals are mapped once.
 */
export function assignProviderNames(originals: Iterable<string>, rules: NameRuleSet | NameRules): NameTable {
  const r = resolveNameRules(rules);
  const unique = [...new Set(originals)];
  const toProvider = new Map<string, string>();
  const toOriginal = new Map<string, string>();
  const reasonsOf = new Map<string, NameChangeReason[]>();

  for (const original of unique) {
    if (isValidProviderName(original, r)) {
      toProvider.set(original, original);
      toOriginal.set(original, original);
    }
  }
  const rewrite = unique.filter((original) => !toProvider.has(original)).sort();
  for (const original of rewrite) {
    const { name, reasons } = sanitizeProviderName(original, r);
    let candidate = name;
    if (toOriginal.has(candidate)) {
      candidate = withHash(name, original, r.maxLength);
      reasons.push("collision");
      // Two different originals with the same short hash and the same head: count up.
      for (let n = 2; toOriginal.has(candidate); n++) {
        candidate = withHash(name, `${original}#${n}`, r.maxLength);
      }
    }
    toProvider.set(original, candidate);
    toOriginal.set(candidate, original);
    reasonsOf.set(original, reasons);
  }

  const changes: NameChange[] = [];
  for (const original of unique) {
    const reasons = reasonsOf.get(original);
    if (reasons) changes.push({ original, name: toProvider.get(original)!, reasons });
  }
  return { rules: r, toProvider, toOriginal, changes };
}

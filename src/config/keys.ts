/**
 * Key handling shared by every config section: the seed's snake_case keys and their camelCase forms
 * normalise to one camelCase object, and unknown keys are kept but reported with a typo suggestion.
 */

/** `max_retries` → `maxRetries`, `http_read_timeout` → `httpReadTimeout`; camelCase stays as is. */
export function toCamelCase(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `maxRetries` → `max_retries`, for messages that show the seed's spelling. */
export function toSnakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Damerau-free Levenshtein distance, enough to catch `timout` → `timeout`. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(above + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

/** The closest known name within a small edit distance, or undefined. */
export function suggest(name: string, known: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 4)) + 1;
  for (const candidate of known) {
    const distance = editDistance(wanted, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export interface NormalisedKeys {
  /** The object with every known key in camelCase; unknown keys kept under their own name. */
  value: Record<string, unknown>;
  /** Unknown keys (as written). */
  unknown: string[];
  /** Keys given twice, once per spelling (`max_retries` and `maxRetries`). */
  conflicts: Array<{ snake: string; camel: string }>;
}

/**
 * Normalises the keys of one config object. `known` lists the camelCase names of the section; a key
 * whose camelCase form is known is renamed, anything else is kept as written and reported.
 */
export function normaliseKeys(raw: Record<string, unknown>, known: ReadonlySet<string>): NormalisedKeys {
  const value: Record<string, unknown> = {};
  const unknown: string[] = [];
  const conflicts: Array<{ snake: string; camel: string }> = [];
  const spelledAs = new Map<string, string>();
  for (const [key, child] of Object.entries(raw)) {
    const camel = toCamelCase(key);
    if (!known.has(camel)) {
      unknown.push(key);
      value[key] = child;
      continue;
    }
    const previous = spelledAs.get(camel);
    if (previous !== undefined) {
      conflicts.push({ snake: previous === camel ? key : previous, camel });
      continue;
    }
    spelledAs.set(camel, key);
    value[camel] = child;
  }
  return { value, unknown, conflicts };
}

/** True for a plain `{…}` object (not an array, not null, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Typo suggestions for unknown keys and names. */

/** Damerau-free Levenshtein distance, enough to catch `timout` → `timeout`. */
export function editDistance(a: string, b: string): number {
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
    // The distance is at least the difference in length: a name that cannot be close is not measured
    // (the names can be a server's, of any length, and each measurement costs the product of both).
    const lower = candidate.toLowerCase();
    if (Math.abs(lower.length - wanted.length) >= bestDistance) continue;
    const distance = editDistance(wanted, lower);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

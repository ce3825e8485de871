/** Edit distance, enough to spot a typo such as `on_ture` for `on_true`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate within two edits, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** "unknown key" with a suggestion when the key looks like a typo of an allowed one. */
export function unknownKey(kind: string, key: string, allowed: readonly string[]): string {
  const guess = key.length > 64 ? undefined : closest(key, allowed);
  const base = `unknown ${kind} key "${key.length > 64 ? `${key.slice(0, 64)}…` : key}"`;
  return guess === undefined ? base : `${base}; did you mean "${guess}"?`;
}

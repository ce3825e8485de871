/**
 * True when objects and arrays nest deeper than `limit` (the top level is depth 1). Walks with
 * its own stack: a hostile body of a million `[` must not overflow the call stack here or in
 * any recursive code after validation.
 */
export function nestsDeeperThan(input: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[input, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [value, depth] = entry;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

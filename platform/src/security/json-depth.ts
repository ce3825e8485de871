/**
 * What a hostile body can do to code after validation: nest deeper than `limit` (the top level
 * is depth 1), or carry a NUL character, which PostgreSQL text and jsonb cannot store. Walks
 * with its own stack, so a million `[` overflow nothing here.
 */
export function bodyProblem(input: unknown, limit: number): 'too-deep' | 'nul' | undefined {
  const stack: [unknown, number][] = [[input, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [value, depth] = entry;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return 'nul';
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return 'too-deep';
    for (const [key, child] of Object.entries(value)) {
      if (key.includes('\u0000')) return 'nul';
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

export function nestsDeeperThan(input: unknown, limit: number): boolean {
  return bodyProblem(input, limit) === 'too-deep';
}

export type BodyProblem = 'too-deep' | 'nul' | 'lone-surrogate' | 'not-finite';

// A string that is not well formed holds a UTF-16 surrogate without its other half: JSON can
// spell it (`"\ud800"`), UTF-8 cannot, and PostgreSQL's jsonb refuses it.
const stringProblem = (value: string): BodyProblem | undefined =>
  value.includes('\u0000') ? 'nul' : value.isWellFormed() ? undefined : 'lone-surrogate';

/**
 * What a hostile body can do to code after validation: nest deeper than `limit` (the top level
 * is depth 1), carry a character PostgreSQL text and jsonb cannot store (NUL, a lone UTF-16
 * surrogate), or a number too large for a double (`1e400` parses as Infinity, which passes a
 * number schema and is stored as null). Walks with its own stack, so a million `[` overflow
 * nothing here.
 */
export function bodyProblem(input: unknown, limit: number): BodyProblem | undefined {
  const stack: [unknown, number][] = [[input, 1]];
  for (let entry = stack.pop(); entry !== undefined; entry = stack.pop()) {
    const [value, depth] = entry;
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) return problem;
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) return 'not-finite';
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limit) return 'too-deep';
    for (const [key, child] of Object.entries(value)) {
      const problem = stringProblem(key);
      if (problem) return problem;
      stack.push([child, depth + 1]);
    }
  }
  return undefined;
}

export function nestsDeeperThan(input: unknown, limit: number): boolean {
  return bodyProblem(input, limit) === 'too-deep';
}

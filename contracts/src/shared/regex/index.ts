import { RegexSyntaxError } from './ast.js';
import { parseRegex } from './parse.js';
import type { Instruction } from './program.js';
import { compileProgram } from './program.js';
import { runProgram } from './vm.js';

export { MAX_PATTERN_LENGTH, MAX_REPEAT } from './parse.js';
export { MAX_PROGRAM_SIZE } from './program.js';

/**
 * Regexes for the `regex` operator, matched in time linear in the input (no backtracking),
 * so a user-written pattern such as `(a+)+$` cannot stall the engine.
 */
export interface SafeRegex {
  readonly source: string;
  readonly ignoreCase: boolean;
  readonly program: readonly Instruction[];
}

/** Instruction visits allowed per match; about 20 ms of work on a slow machine. */
export const DEFAULT_REGEX_STEP_BUDGET = 1_000_000;

export type RegexCompilation =
  | { readonly ok: true; readonly regex: SafeRegex }
  | { readonly ok: false; readonly message: string };
export type RegexMatch = { readonly ok: true; readonly matched: boolean } | { readonly ok: false; readonly message: string };

export const compileSafeRegex = (source: string): RegexCompilation => {
  try {
    const { node, ignoreCase } = parseRegex(source);
    return { ok: true, regex: { source, ignoreCase, program: compileProgram(node) } };
  } catch (error) {
    // Only syntax errors are expected; anything else is a bug and must surface.
    if (error instanceof RegexSyntaxError) return { ok: false, message: `invalid regex: ${error.message}` };
    throw error;
  }
};

/** Whether the pattern matches anywhere in the input (like RegExp.prototype.test). */
export const testSafeRegex = (regex: SafeRegex, input: string, budget = DEFAULT_REGEX_STEP_BUDGET): RegexMatch => {
  const codes = Array.from(input, (char) => char.codePointAt(0) ?? 0);
  const result = runProgram(regex.program, codes, regex.ignoreCase, budget);
  return result.ok
    ? result
    : { ok: false, message: `regex step budget of ${budget} exhausted on an input of ${codes.length} characters` };
};

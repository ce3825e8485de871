import type { Assertion, CharClass } from './ast.js';
import { classMatches, inUnion, isWordCharacter } from './ast.js';
import type { Instruction } from './program.js';

/**
 * Unanchored search by simulating the NFA on all threads at once (Thompson / Pike, without
 * captures): each input position visits each instruction at most once, so the cost is
 * O(input × program) whatever the pattern. `budget` caps the instruction visits on top of that.
 */
export type VmResult = { readonly ok: true; readonly matched: boolean } | { readonly ok: false };

interface Run {
  readonly program: readonly Instruction[];
  readonly input: readonly number[];
  readonly ignoreCase: boolean;
  readonly marks: Int32Array;
  steps: number;
  readonly budget: number;
  matched: boolean;
}

export const runProgram = (
  program: readonly Instruction[],
  input: readonly number[],
  ignoreCase: boolean,
  budget: number,
): VmResult => {
  const marks = new Int32Array(program.length).fill(-1);
  const run: Run = { program, input, ignoreCase, marks, steps: 0, budget, matched: false };
  let current: number[] = [];
  for (let pos = 0; pos <= input.length; pos += 1) {
    // A fresh thread at every position makes the search unanchored.
    addThread(run, current, 0, pos);
    if (run.matched) return { ok: true, matched: true };
    if (run.steps > budget) return { ok: false };
    if (pos === input.length) break;
    const next: number[] = [];
    for (const pc of current) stepThread(run, pc, pos, next);
    if (run.matched) return { ok: true, matched: true };
    if (run.steps > budget) return { ok: false };
    current = next;
  }
  return { ok: true, matched: false };
};

const stepThread = (run: Run, pc: number, pos: number, next: number[]): void => {
  const instruction = run.program[pc];
  const code = run.input[pos];
  if (instruction?.op !== 'class' || code === undefined) return;
  if (matchesCode(run, instruction.chars, code)) addThread(run, next, pc + 1, pos + 1);
};

/**
 * Case-insensitively, a class matches when any case variant of the character is in its union;
 * a negated class is negated after that, so `[^a]` matches neither `a` nor `A` (as in JavaScript).
 */
const matchesCode = (run: Run, chars: CharClass, code: number): boolean => {
  if (!run.ignoreCase) return classMatches(chars, code);
  return caseVariants(code).some((variant) => inUnion(chars, variant)) !== chars.negated;
};

const caseVariants = (code: number): number[] => {
  const char = String.fromCodePoint(code);
  const variants = [code];
  for (const variant of [char.toLowerCase(), char.toUpperCase()]) {
    const single = [...variant];
    if (single.length === 1) variants.push(variant.codePointAt(0) ?? code);
  }
  return variants;
};

/** Follows jumps, splits and assertions from `start`, adding the threads that wait for input. */
const addThread = (run: Run, list: number[], start: number, pos: number): void => {
  const pending = [start];
  for (let pc = pending.pop(); pc !== undefined; pc = pending.pop()) {
    if (run.marks[pc] === pos) continue;
    run.marks[pc] = pos;
    run.steps += 1;
    const instruction = run.program[pc];
    if (instruction === undefined) continue;
    switch (instruction.op) {
      case 'class':
        list.push(pc);
        break;
      case 'match':
        run.matched = true;
        return;
      case 'jump':
        pending.push(instruction.target);
        break;
      case 'split':
        pending.push(instruction.targets[1], instruction.targets[0]);
        break;
      case 'assert':
        if (holds(instruction.assertion, run.input, pos)) pending.push(pc + 1);
        break;
    }
  }
};

const holds = (assertion: Assertion, input: readonly number[], pos: number): boolean => {
  switch (assertion) {
    case 'start':
      return pos === 0;
    case 'end':
      return pos === input.length;
    case 'word_boundary':
      return isWordCharacter(input[pos - 1]) !== isWordCharacter(input[pos]);
    case 'not_word_boundary':
      return isWordCharacter(input[pos - 1]) === isWordCharacter(input[pos]);
  }
};

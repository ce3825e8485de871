import type { Assertion, CharClass, RegexNode } from './ast.js';
import { syntaxError } from './ast.js';

/**
 * A regex compiled to instructions for a Thompson-style NFA simulation (vm.ts). Counted
 * repetition is unrolled, so the program size is bounded to keep matching cost predictable.
 */
export type Instruction =
  | { readonly op: 'class'; readonly chars: CharClass }
  | { readonly op: 'assert'; readonly assertion: Assertion }
  | { readonly op: 'split'; readonly targets: readonly [number, number] }
  | { readonly op: 'jump'; readonly target: number }
  | { readonly op: 'match' };

export const MAX_PROGRAM_SIZE = 20_000;

type Slot = Instruction | { readonly op: 'hole' };

export const compileProgram = (node: RegexNode): readonly Instruction[] => {
  const program: Slot[] = [];
  emit(program, node);
  program.push({ op: 'match' });
  return program.map((slot) => (slot.op === 'hole' ? syntaxError('internal: unpatched instruction') : slot));
};

const append = (program: Slot[], slot: Slot): number => {
  if (program.length >= MAX_PROGRAM_SIZE) syntaxError('the pattern is too large once repetitions are expanded');
  program.push(slot);
  return program.length - 1;
};

const emit = (program: Slot[], node: RegexNode): void => {
  switch (node.kind) {
    case 'class':
      append(program, { op: 'class', chars: node.chars });
      return;
    case 'assert':
      append(program, { op: 'assert', assertion: node.assertion });
      return;
    case 'concat':
      for (const item of node.items) emit(program, item);
      return;
    case 'alt':
      emitAlternation(program, node.options);
      return;
    case 'repeat':
      emitRepeat(program, node.node, node.min, node.max);
      return;
  }
};

const emitAlternation = (program: Slot[], options: readonly RegexNode[]): void => {
  const exits: number[] = [];
  options.forEach((option, index) => {
    const last = index === options.length - 1;
    const split = last ? -1 : append(program, { op: 'hole' });
    emit(program, option);
    if (!last) {
      exits.push(append(program, { op: 'hole' }));
      program[split] = { op: 'split', targets: [split + 1, program.length] };
    }
  });
  for (const exit of exits) program[exit] = { op: 'jump', target: program.length };
};

const emitRepeat = (program: Slot[], node: RegexNode, min: number, max: number | undefined): void => {
  for (let i = 0; i < min; i += 1) emit(program, node);
  if (max === undefined) {
    // loop: split(body, out); body; jump loop
    const loop = append(program, { op: 'hole' });
    emit(program, node);
    append(program, { op: 'jump', target: loop });
    program[loop] = { op: 'split', targets: [loop + 1, program.length] };
    return;
  }
  const skips: number[] = [];
  for (let i = min; i < max; i += 1) {
    skips.push(append(program, { op: 'hole' }));
    emit(program, node);
  }
  for (const skip of skips) program[skip] = { op: 'split', targets: [skip + 1, program.length] };
};

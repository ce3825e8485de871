/** Syntax tree and character classes of the safe regex subset (see parse.ts). */

export type CodeRange = readonly [low: number, high: number];

/** A set of code points given by ranges, possibly complemented (`\D`, `.`). */
export interface CharSet {
  readonly ranges: readonly CodeRange[];
  readonly negated: boolean;
}

/** A union of sets, possibly complemented (`[^a-z\d]`). A literal is a one-point class. */
export interface CharClass {
  readonly sets: readonly CharSet[];
  readonly negated: boolean;
}

export type Assertion = 'start' | 'end' | 'word_boundary' | 'not_word_boundary';

export type RegexNode =
  | { readonly kind: 'class'; readonly chars: CharClass }
  | { readonly kind: 'assert'; readonly assertion: Assertion }
  | { readonly kind: 'concat'; readonly items: readonly RegexNode[] }
  | { readonly kind: 'alt'; readonly options: readonly RegexNode[] }
  | { readonly kind: 'repeat'; readonly node: RegexNode; readonly min: number; readonly max: number | undefined };

export class RegexSyntaxError extends Error {
  override readonly name = 'RegexSyntaxError';
}

/** Parsers and the compiler throw this (and only this) to abort; the public API returns it. */
export const syntaxError = (message: string): never => {
  throw new RegexSyntaxError(message);
};

const LINE_TERMINATORS: readonly CodeRange[] = [
  [0x0a, 0x0a],
  [0x0d, 0x0d],
  [0x2028, 0x2029],
];
const DIGITS: readonly CodeRange[] = [[0x30, 0x39]];
const WORD: readonly CodeRange[] = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];
// The characters JavaScript's \s matches: ASCII and Unicode white space and line terminators.
const SPACE: readonly CodeRange[] = [
  [0x09, 0x0d],
  [0x20, 0x20],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];

/** The set behind `\d \D \w \W \s \S`, keyed by the escape letter. */
export const ESCAPE_SETS: Readonly<Record<string, CharSet>> = {
  d: { ranges: DIGITS, negated: false },
  D: { ranges: DIGITS, negated: true },
  w: { ranges: WORD, negated: false },
  W: { ranges: WORD, negated: true },
  s: { ranges: SPACE, negated: false },
  S: { ranges: SPACE, negated: true },
};

export const classOf = (set: CharSet): CharClass => ({ sets: [set], negated: false });
export const literalClass = (code: number): CharClass => classOf({ ranges: [[code, code]], negated: false });
/** `.` matches anything but a line terminator, as in JavaScript without the `s` flag. */
export const DOT: CharClass = classOf({ ranges: LINE_TERMINATORS, negated: true });

const inRanges = (ranges: readonly CodeRange[], code: number): boolean =>
  ranges.some(([low, high]) => code >= low && code <= high);

/** Whether the code point is in the union of the class's sets, before the class's own negation. */
export const inUnion = (chars: CharClass, code: number): boolean =>
  chars.sets.some((set) => inRanges(set.ranges, code) !== set.negated);

export const classMatches = (chars: CharClass, code: number): boolean => inUnion(chars, code) !== chars.negated;

export const isWordCharacter = (code: number | undefined): boolean => code !== undefined && inRanges(WORD, code);

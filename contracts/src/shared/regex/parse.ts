import type { RegexNode } from './ast.js';
import { DOT, literalClass, syntaxError } from './ast.js';
import { readClass } from './class.js';
import type { Cursor } from './escapes.js';
import { charAt, isAt, peek, readEscape } from './escapes.js';

/**
 * The supported subset of JavaScript regex syntax: literals, `.`, classes, `\d \w \s` and their
 * negations, `^ $ \b \B` (whole input, no multiline), groups `( )`, `(?: )`, `(?<name> )`,
 * alternation, and `* + ? {n} {n,} {n,m}` (lazy forms accepted: only whether it matches counts).
 * A leading `(?i)` makes the match case-insensitive. Anything else, notably backreferences and
 * lookaround, is a syntax error. Patterns are read by code point.
 */
export const MAX_PATTERN_LENGTH = 1_000;
export const MAX_REPEAT = 1_000;
const MAX_GROUP_DEPTH = 50;

export interface ParsedRegex {
  readonly node: RegexNode;
  readonly ignoreCase: boolean;
}

interface State extends Cursor {
  depth: number;
}

export const parseRegex = (pattern: string): ParsedRegex => {
  const chars = Array.from(pattern, (char) => char.codePointAt(0) ?? 0);
  if (chars.length > MAX_PATTERN_LENGTH) syntaxError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  const ignoreCase = pattern.startsWith('(?i)');
  const state: State = { chars, pos: ignoreCase ? 4 : 0, depth: 0 };
  const node = parseAlternation(state);
  if (peek(state) !== undefined) syntaxError(`unmatched ")" at position ${state.pos}`);
  return { node, ignoreCase };
};

const parseAlternation = (state: State): RegexNode => {
  const options = [parseSequence(state)];
  while (isAt(state, '|')) {
    state.pos += 1;
    options.push(parseSequence(state));
  }
  return options.length === 1 && options[0] !== undefined ? options[0] : { kind: 'alt', options };
};

const parseSequence = (state: State): RegexNode => {
  const items: RegexNode[] = [];
  while (peek(state) !== undefined && !isAt(state, '|') && !isAt(state, ')')) items.push(parseQuantified(state));
  return items.length === 1 && items[0] !== undefined ? items[0] : { kind: 'concat', items };
};

const parseQuantified = (state: State): RegexNode => {
  const node = parseAtom(state);
  const bounds = readQuantifier(state);
  if (bounds === undefined) return node;
  if (node.kind === 'assert') syntaxError('nothing to repeat: an assertion cannot be quantified');
  if (isAt(state, '?')) state.pos += 1;
  if (startsQuantifier(state)) syntaxError(`nothing to repeat at position ${state.pos}`);
  return { kind: 'repeat', node, min: bounds.min, max: bounds.max };
};

const parseAtom = (state: State): RegexNode => {
  const char = charAt(state);
  switch (char) {
    case '(':
      return parseGroup(state);
    case '[':
      return { kind: 'class', chars: readClass(state) };
    case '\\': {
      const escape = readEscape(state, false);
      if (escape.kind === 'assert') return escape;
      return { kind: 'class', chars: escape.kind === 'set' ? { sets: [escape.set], negated: false } : literalClass(escape.code) };
    }
    default:
      if (startsQuantifier(state)) return syntaxError(`nothing to repeat at position ${state.pos}`);
      state.pos += 1;
      if (char === '.') return { kind: 'class', chars: DOT };
      if (char === '^') return { kind: 'assert', assertion: 'start' };
      if (char === '$') return { kind: 'assert', assertion: 'end' };
      return { kind: 'class', chars: literalClass(char.codePointAt(0) ?? 0) };
  }
};

const parseGroup = (state: State): RegexNode => {
  state.pos += 1;
  if (isAt(state, '?')) skipGroupPrefix(state);
  state.depth += 1;
  if (state.depth > MAX_GROUP_DEPTH) syntaxError(`groups nest deeper than ${MAX_GROUP_DEPTH}`);
  const node = parseAlternation(state);
  if (!isAt(state, ')')) syntaxError('missing ")"');
  state.pos += 1;
  state.depth -= 1;
  // A group may be quantified even around an assertion (`(\b)*`), unlike a bare assertion.
  return node.kind === 'assert' ? { kind: 'concat', items: [node] } : node;
};

const skipGroupPrefix = (state: State): void => {
  const next = charAt(state, 1);
  const after = charAt(state, 2);
  if (next === ':') {
    state.pos += 2;
  } else if (next === '=' || next === '!' || (next === '<' && (after === '=' || after === '!'))) {
    syntaxError('lookahead and lookbehind are not supported');
  } else if (next === '<') {
    const close = state.chars.indexOf(0x3e, state.pos);
    const name = close < 0 ? '' : String.fromCodePoint(...state.chars.slice(state.pos + 2, close));
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) syntaxError('invalid group name');
    state.pos = close + 1;
  } else {
    syntaxError(`unsupported group "(?${next}"${next === 'i' ? ': (?i) is only allowed at the start' : ''}`);
  }
};

interface Bounds {
  readonly min: number;
  readonly max: number | undefined;
}

const SIMPLE_QUANTIFIERS: Readonly<Record<string, Bounds>> = {
  '*': { min: 0, max: undefined },
  '+': { min: 1, max: undefined },
  '?': { min: 0, max: 1 },
};

const startsQuantifier = (state: State): boolean => {
  const char = charAt(state);
  return char === '*' || char === '+' || char === '?' || (char === '{' && braceBounds(state) !== undefined);
};

const readQuantifier = (state: State): Bounds | undefined => {
  const char = charAt(state);
  const simple = SIMPLE_QUANTIFIERS[char];
  if (simple !== undefined) {
    state.pos += 1;
    return simple;
  }
  const braces = char === '{' ? braceBounds(state) : undefined;
  if (braces === undefined) return undefined;
  state.pos += braces.length;
  if (braces.max !== undefined && braces.max < braces.min) syntaxError('numbers out of order in {} quantifier');
  if (Math.max(braces.min, braces.max ?? 0) > MAX_REPEAT) syntaxError(`repetition counts are limited to ${MAX_REPEAT}`);
  return braces;
};

/** `{n}`, `{n,}` or `{n,m}` at the cursor; any other `{` is a literal, as in JavaScript. */
const braceBounds = (state: State): (Bounds & { readonly length: number }) | undefined => {
  const rest = String.fromCodePoint(...state.chars.slice(state.pos, state.pos + 24));
  const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
  if (match === null) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : match[3] === '' ? undefined : Number(match[3]);
  return { min, max, length: match[0].length };
};

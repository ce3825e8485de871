import type { Assertion, CharSet } from './ast.js';
import { ESCAPE_SETS, syntaxError } from './ast.js';

/** A pattern being read, one code point at a time. */
export interface Cursor {
  readonly chars: readonly number[];
  pos: number;
}

export const peek = (cursor: Cursor, offset = 0): number | undefined => cursor.chars[cursor.pos + offset];
export const isAt = (cursor: Cursor, text: string, offset = 0): boolean =>
  peek(cursor, offset) === text.codePointAt(0);
export const charAt = (cursor: Cursor, offset = 0): string => {
  const code = peek(cursor, offset);
  return code === undefined ? '' : String.fromCodePoint(code);
};

export type Escape =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'set'; readonly set: CharSet }
  | { readonly kind: 'assert'; readonly assertion: Assertion };

const CONTROL: Readonly<Record<string, number>> = { n: 0x0a, r: 0x0d, t: 0x09, f: 0x0c, v: 0x0b };

/**
 * Reads the escape after a backslash. Supported: `\d \D \w \W \s \S`, `\b \B` (backspace
 * inside a class), `\n \r \t \f \v \0`, `\xHH`, `\uHHHH`, `\u{H…}`, and any escaped punctuation.
 * Backreferences and property escapes are rejected, as is any other escaped letter or digit,
 * rather than silently read as a literal.
 */
export const readEscape = (cursor: Cursor, inClass: boolean): Escape => {
  cursor.pos += 1; // the backslash
  const letter = charAt(cursor);
  if (letter === '') return syntaxError('the pattern ends with a lone backslash');
  cursor.pos += 1;
  const set = ESCAPE_SETS[letter];
  if (set !== undefined) return { kind: 'set', set };
  const control = CONTROL[letter];
  if (control !== undefined) return { kind: 'char', code: control };
  if (letter === 'b') return inClass ? { kind: 'char', code: 0x08 } : { kind: 'assert', assertion: 'word_boundary' };
  if (letter === 'B' && !inClass) return { kind: 'assert', assertion: 'not_word_boundary' };
  if (letter === '0' && !/\d/.test(charAt(cursor))) return { kind: 'char', code: 0 };
  if (letter === 'x') return { kind: 'char', code: readHex(cursor, 2) };
  if (letter === 'u') return { kind: 'char', code: readUnicodeEscape(cursor) };
  if (/[1-9]/.test(letter) || letter === 'k') return syntaxError(`backreferences (\\${letter}) are not supported`);
  if (letter === 'p' || letter === 'P') return syntaxError('Unicode property escapes are not supported');
  if (/[\p{L}\p{N}]/u.test(letter)) return syntaxError(`unsupported escape \\${letter}`);
  return { kind: 'char', code: letter.codePointAt(0) ?? 0 };
};

const readUnicodeEscape = (cursor: Cursor): number => {
  if (!isAt(cursor, '{')) return readHex(cursor, 4);
  const close = cursor.chars.indexOf(0x7d, cursor.pos);
  const digits = close < 0 ? '' : String.fromCodePoint(...cursor.chars.slice(cursor.pos + 1, close));
  if (!/^[0-9a-fA-F]{1,6}$/.test(digits) || Number.parseInt(digits, 16) > 0x10ffff) {
    return syntaxError('invalid \\u{…} escape');
  }
  cursor.pos = close + 1;
  return Number.parseInt(digits, 16);
};

const readHex = (cursor: Cursor, length: number): number => {
  const digits = String.fromCodePoint(...cursor.chars.slice(cursor.pos, cursor.pos + length));
  if (digits.length !== length || !/^[0-9a-fA-F]+$/.test(digits)) {
    return syntaxError(`expected ${length} hexadecimal digits after \\${length === 2 ? 'x' : 'u'}`);
  }
  cursor.pos += length;
  return Number.parseInt(digits, 16);
};

import type { CharClass, CharSet } from './ast.js';
import { syntaxError } from './ast.js';
import type { Cursor } from './escapes.js';
import { isAt, peek, readEscape } from './escapes.js';

type ClassItem = { readonly kind: 'char'; readonly code: number } | { readonly kind: 'set'; readonly set: CharSet };

/**
 * Reads `[...]` or `[^...]` with the cursor on the `[`. As in JavaScript, `]` right after the
 * opening closes the class (`[]` matches nothing, `[^]` anything), and `-` is literal at either
 * end. A range needs single characters at both ends, in order.
 */
export const readClass = (cursor: Cursor): CharClass => {
  cursor.pos += 1;
  const negated = isAt(cursor, '^');
  if (negated) cursor.pos += 1;
  const sets: CharSet[] = [];
  while (!isAt(cursor, ']')) {
    if (peek(cursor) === undefined) return syntaxError('unterminated character class');
    const item = readItem(cursor);
    if (isAt(cursor, '-') && peek(cursor, 1) !== undefined && !isAt(cursor, ']', 1)) {
      cursor.pos += 1;
      sets.push(rangeSet(item, readItem(cursor)));
    } else {
      sets.push(item.kind === 'set' ? item.set : { ranges: [[item.code, item.code]], negated: false });
    }
  }
  cursor.pos += 1;
  return { sets, negated };
};

const readItem = (cursor: Cursor): ClassItem => {
  if (isAt(cursor, '\\')) {
    const escape = readEscape(cursor, true);
    if (escape.kind === 'assert') return syntaxError('assertions are not allowed in a character class');
    return escape;
  }
  const code = peek(cursor) ?? 0;
  cursor.pos += 1;
  return { kind: 'char', code };
};

const rangeSet = (low: ClassItem, high: ClassItem): CharSet => {
  if (low.kind !== 'char' || high.kind !== 'char') return syntaxError('a class range needs a character at each end');
  if (low.code > high.code) return syntaxError('class range out of order');
  return { ranges: [[low.code, high.code]], negated: false };
};

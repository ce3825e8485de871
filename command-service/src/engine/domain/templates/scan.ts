import { someJsonString } from '../json.js';
import { parsePath } from './path.js';

/**
 * A template string split into literal text and references. `{{ path }}` and `${ path }` are
 * references (whitespace inside is ignored). `${{` is a literal `$` followed by a `{{`
 * reference, as legacy messages write prices (`${{order.total}}`). A delimited expression that
 * is not a valid path (`{{ a b }}`, `${x + 1}`) is kept as literal text and reported as invalid;
 * an unclosed `{{` or `${` is plain text. There is no escape syntax.
 */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'ref'; readonly path: string; readonly raw: string }
  | { readonly kind: 'invalid'; readonly raw: string };

interface Delimited {
  readonly expression: string;
  readonly raw: string;
  readonly end: number;
}

export const parseTemplate = (text: string): readonly TemplatePart[] => {
  const parts: TemplatePart[] = [];
  let literal = '';
  let index = 0;
  // Knowing where the last closer is keeps unclosed openers from making the scan quadratic.
  const last = { '}}': text.lastIndexOf('}}'), '}': text.lastIndexOf('}') };
  while (index < text.length) {
    const delimited = delimitedAt(text, index, last);
    if (delimited === undefined) {
      literal += text[index] ?? '';
      index += 1;
      continue;
    }
    if (literal !== '') parts.push({ kind: 'text', text: literal });
    literal = '';
    parts.push(toPart(delimited));
    index = delimited.end;
  }
  if (literal !== '') parts.push({ kind: 'text', text: literal });
  return parts;
};

/** Every reference path in a (not yet rendered) JSON value, in order of appearance. */
export const templatePaths = (template: unknown): readonly string[] => {
  const paths: string[] = [];
  someJsonString(template, (text) => {
    for (const part of parseTemplate(text)) if (part.kind === 'ref') paths.push(part.path);
    return false;
  });
  return paths;
};

type Closer = '}}' | '}';

const delimitedAt = (text: string, index: number, last: Record<Closer, number>): Delimited | undefined => {
  const close = (closer: Closer): Delimited | undefined =>
    last[closer] < index + 2 ? undefined : closeAt(text, index, closer);
  if (text.startsWith('{{', index)) return close('}}');
  // `${{` is a dollar sign before a `{{` reference, not a `${` reference.
  if (text.startsWith('${', index) && text[index + 2] !== '{') return close('}');
  return undefined;
};

const closeAt = (text: string, start: number, close: Closer): Delimited | undefined => {
  const openLength = 2;
  const closing = text.indexOf(close, start + openLength);
  if (closing < 0) return undefined;
  const end = closing + close.length;
  return { expression: text.slice(start + openLength, closing).trim(), raw: text.slice(start, end), end };
};

const toPart = ({ expression, raw }: Delimited): TemplatePart =>
  parsePath(expression) === undefined ? { kind: 'invalid', raw } : { kind: 'ref', path: expression, raw };

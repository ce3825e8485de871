import { ValueErrorType } from '@sinclair/typebox/errors';
import type { ValueError } from '@sinclair/typebox/errors';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FieldError } from '../shared/errors.js';
import { PATTERN_MESSAGES } from './schema-common.js';

/** Says why an unexpected key is wrong (and what was probably meant). */
export type UnknownKeyHint = (key: string) => string;

const defaultHint: UnknownKeyHint = (key) => `unknown key "${key}"`;

function allowedLiterals(schema: TSchema): string[] | undefined {
  const options: unknown = schema['anyOf'];
  if (!Array.isArray(options)) return undefined;
  const values: unknown[] = options.map((option: TSchema): unknown => option['const']);
  const strings = values.filter((value): value is string => typeof value === 'string');
  return strings.length === values.length ? strings : undefined;
}

function lastKey(path: string): string {
  const key = path.slice(path.lastIndexOf('/') + 1);
  return key.replaceAll('~1', '/').replaceAll('~0', '~');
}

type Describe = (error: ValueError, hint: UnknownKeyHint) => string;

const bound = (error: ValueError, name: string): string => String(error.schema[name]);
const fixed = (message: string): Describe => () => message;

/** Messages for the error kinds our schemas can produce; others keep TypeBox's message. */
const MESSAGES: Partial<Record<ValueErrorType, Describe>> = {
  [ValueErrorType.ObjectRequiredProperty]: fixed('is required'),
  [ValueErrorType.ObjectAdditionalProperties]: (error, hint) => hint(lastKey(error.path)),
  [ValueErrorType.StringPattern]: (error) => {
    const pattern: unknown = error.schema['pattern'];
    return (typeof pattern === 'string' ? PATTERN_MESSAGES[pattern] : undefined) ?? error.message;
  },
  [ValueErrorType.Union]: (error) => {
    const literals = allowedLiterals(error.schema);
    return literals ? `must be one of: ${literals.join(', ')}` : error.message;
  },
  [ValueErrorType.Literal]: (error) => `must be ${JSON.stringify(error.schema['const'])}`,
  [ValueErrorType.String]: fixed('must be a string'),
  [ValueErrorType.Boolean]: fixed('must be a boolean'),
  [ValueErrorType.Integer]: fixed('must be an integer'),
  [ValueErrorType.Number]: fixed('must be a number'),
  [ValueErrorType.Object]: fixed('must be an object'),
  [ValueErrorType.Array]: fixed('must be an array'),
  [ValueErrorType.StringMinLength]: (error) =>
    error.schema['minLength'] === 1 ? 'must not be empty' : `must have at least ${bound(error, 'minLength')} characters`,
  [ValueErrorType.StringMaxLength]: (error) => `must have at most ${bound(error, 'maxLength')} characters`,
  [ValueErrorType.ArrayMinItems]: (error) => `must have at least ${bound(error, 'minItems')} item(s)`,
  [ValueErrorType.ArrayMaxItems]: (error) => `must have at most ${bound(error, 'maxItems')} items`,
  [ValueErrorType.IntegerMinimum]: (error) => `must be at least ${bound(error, 'minimum')}`,
  [ValueErrorType.IntegerMaximum]: (error) => `must be at most ${bound(error, 'maximum')}`,
};

function describe(error: ValueError, hint: UnknownKeyHint): string {
  return MESSAGES[error.type]?.(error, hint) ?? error.message;
}

/**
 * Errors of `value` against `schema`, as field errors under `pointer`: one per field,
 * a missing field reported once as "is required".
 */
export function schemaErrors(schema: TSchema, value: unknown, pointer: string, hint: UnknownKeyHint = defaultHint): FieldError[] {
  const byPath = new Map<string, string>();
  for (const error of Value.Errors(schema, value)) {
    const existing = byPath.get(error.path);
    if (existing === undefined || error.type === ValueErrorType.ObjectRequiredProperty) byPath.set(error.path, describe(error, hint));
  }
  return [...byPath].map(([path, message]) => ({ pointer: pointer + path, message }));
}

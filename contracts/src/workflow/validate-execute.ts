import { EXECUTE_ITEM_SCHEMAS, EXECUTE_TYPES, RECIPIENT_SCHEMES } from './schema-execute.js';
import type { ExecuteType } from './schema-execute.js';
import { schemaErrors } from './schema-errors.js';
import { isTemplate } from './templates.js';
import { unknownKey } from './suggest.js';
import { checkDuration, isObject, pointerTo, rejectSecrets, report } from './walk.js';
import type { Walk } from './walk.js';

const LEADING_TEMPLATE = /^(\{\{[^{}]*\}\}|\$\{[^{}]*\})/;
const ANY_TEMPLATE = /\{\{[^{}]*\}\}|\$\{[^{}]*\}/g;
const EMAIL = /^[^\s@:]+@[^\s@]+$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.+)$/;

/** A URL must be absolute http(s); templates inside it stand for any text. */
export function urlError(url: string): string | undefined {
  // A leading template supplies scheme and host at run time.
  if (LEADING_TEMPLATE.test(url)) return undefined;
  try {
    const parsed = new URL(url.replace(ANY_TEMPLATE, 'x'));
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : 'must be an http or https URL';
  } catch {
    return 'must be an absolute http or https URL';
  }
}

export function recipientError(recipient: string): string | undefined {
  if (LEADING_TEMPLATE.test(recipient) || EMAIL.test(recipient)) return undefined;
  const match = SCHEME.exec(recipient);
  const schemes = RECIPIENT_SCHEMES.map((scheme) => `${scheme}:`).join(', ');
  if (match === null) return `must be an email address, a template, or start with one of ${schemes}`;
  const scheme = (match[1] ?? '').toLowerCase();
  if (!(RECIPIENT_SCHEMES as readonly string[]).includes(scheme)) return `unknown recipient scheme "${scheme}:"; use one of ${schemes}`;
  return scheme === 'webhook' ? urlError(match[2] ?? '') : undefined;
}

function checkSemantics(walk: Walk, type: ExecuteType, item: Record<string, unknown>, pointer: string): void {
  switch (type) {
    case 'http_request':
    case 'webhook': {
      const url = item['url'];
      const problem = typeof url === 'string' ? urlError(url) : undefined;
      if (problem !== undefined) report(walk, pointerTo(pointer, 'url'), problem);
      return;
    }
    case 'notify': {
      const recipients = item['recipients'];
      if (Array.isArray(recipients)) {
        recipients.forEach((recipient, index) => {
          const problem = typeof recipient === 'string' ? recipientError(recipient) : undefined;
          if (problem !== undefined) report(walk, pointerTo(pointerTo(pointer, 'recipients'), index), problem);
        });
      }
      rejectSecrets(walk, item['message'], pointerTo(pointer, 'message'));
      return;
    }
    case 'create_approval_request': {
      const data = item['data'];
      const expires = isObject(data) ? data['expires_in'] : undefined;
      if (typeof expires === 'string' && !isTemplate(expires)) checkDuration(walk, expires, `${pointer}/data/expires_in`);
      rejectSecrets(walk, item, pointer);
      return;
    }
    case 'create_record':
    case 'update_record':
    case 'emit':
    case 'log':
      // Their values end up in events or the execution history.
      rejectSecrets(walk, item, pointer);
      return;
  }
}

function validateItem(walk: Walk, item: unknown, pointer: string): void {
  if (!isObject(item)) {
    report(walk, pointer, 'must be an object');
    return;
  }
  const type = item['type'];
  if (typeof type !== 'string' || !(EXECUTE_TYPES as readonly string[]).includes(type)) {
    const message = type === undefined ? 'is required' : `unknown execute type; use one of ${EXECUTE_TYPES.join(', ')}`;
    report(walk, pointerTo(pointer, 'type'), message);
    return;
  }
  const known = type as ExecuteType;
  const schema = EXECUTE_ITEM_SCHEMAS[known];
  const allowed = Object.keys(schema.properties);
  walk.errors.push(...schemaErrors(schema, item, pointer, (key) => unknownKey(`${known} item`, key, allowed)));
  checkSemantics(walk, known, item, pointer);
}

/** Validates each item of an `execute` list (the list's own bounds are the step schema's). */
export function validateExecuteList(walk: Walk, list: unknown, pointer: string): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, index) => validateItem(walk, item, pointerTo(pointer, index)));
}

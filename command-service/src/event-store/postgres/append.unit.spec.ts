import { randomUUID } from 'node:crypto';
import { DomainError, DuplicateEventIdError } from '@iwf/contracts';
import type { NewEvent } from '@iwf/contracts';
import { describe, expect, it } from 'vitest';
import { appendArguments, encodeExpected } from './append.js';
import { likePrefix } from './read.js';

const event = (extra: Partial<NewEvent> = {}): NewEvent => ({
  event_id: randomUUID(),
  type: 'thing.happened',
  data: { a: 1 },
  metadata: { tenant: 't', actor: 'a', correlation_id: 'c' },
  ...extra,
});

describe('append arguments', () => {
  it('encode the expected revision for iwf_events.append', () => {
    expect([encodeExpected('any'), encodeExpected('exists'), encodeExpected('no_stream'), encodeExpected(0), encodeExpected(41)]).toEqual([-2, -3, -1, 0, 41]);
    expect(() => encodeExpected(-1)).toThrow(DomainError);
    expect(() => encodeExpected(1.5)).toThrow(DomainError);
  });

  it('carry lower-case ids, default schema version 1 and JSON text', () => {
    const id = randomUUID().toUpperCase();
    const [stream, expected, ids, types, versions, data, metadata] = appendArguments('s', [event({ event_id: id }), event({ schema_version: 2 })], 3);
    expect([stream, expected, ids[0], types, versions]).toEqual(['s', 3, id.toLowerCase(), ['thing.happened', 'thing.happened'], [1, 2]]);
    expect(JSON.parse(data)).toEqual([{ a: 1 }, { a: 1 }]);
    expect(JSON.parse(metadata)).toMatchObject([{ tenant: 't' }, { tenant: 't' }]);
  });

  it('refuse an empty batch, a malformed id and an id repeated within the batch', () => {
    expect(() => appendArguments('s', [], 'any')).toThrow(DomainError);
    expect(() => appendArguments('s', [event({ event_id: 'nope' })], 'any')).toThrow(DomainError);
    const repeated = event();
    expect(() => appendArguments('s', [repeated, { ...repeated }], 'any')).toThrow(DuplicateEventIdError);
  });
});

describe('characters the read models cannot store', () => {
  const pointerOf = (events: NewEvent[]): unknown => {
    try {
      appendArguments('s', events, 'any');
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      return (error as DomainError).errors.map((entry) => entry.pointer);
    }
  };

  it('refuse a NUL character or a lone surrogate, naming the event and the part', () => {
    expect(pointerOf([event(), event({ data: { note: 'a\u0000b' } })])).toEqual(['/events/1/data']);
    expect(pointerOf([event({ metadata: { tenant: 't', actor: '\ud800', correlation_id: 'c' } })])).toEqual(['/events/0/metadata']);
    expect(pointerOf([event({ data: { ['key\udc00']: 1 } })])).toEqual(['/events/0/data']);
    expect(pointerOf([event({ data: { note: '\\\u0000' } })])).toEqual(['/events/0/data']);
  });

  it('accept a surrogate pair and text that only spells an escape with a literal backslash', () => {
    expect(pointerOf([event({ data: { emoji: '\ud83d\ude00', spelled: '\\u0000 and \\ud800', doubled: '\\\\u0000' } })])).toBeUndefined();
  });
});

describe('type prefix patterns', () => {
  it('escape LIKE wildcards so prefixes match literally', () => {
    expect(likePrefix('order.')).toBe('order.%');
    expect(likePrefix('a_b%c\\')).toBe('a\\_b\\%c\\\\%');
  });
});

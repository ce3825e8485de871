import { describe, expect, it } from 'vitest';
import { parseIsoInstant, toEpochMillis } from './instant.js';

describe('parseIsoInstant', () => {
  it.each([
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T10:00', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:05', '2026-03-01T10:00:05.000Z'],
    ['2026-03-01T10:00:05.1Z', '2026-03-01T10:00:05.100Z'],
    ['2026-03-01T10:00:05.123456789Z', '2026-03-01T10:00:05.123Z'],
    ['2026-03-01 10:00:00+02:00', '2026-03-01T08:00:00.000Z'],
    ['2026-03-01T10:00:00-0530', '2026-03-01T15:30:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
    ['0050-01-01', '0050-01-01T00:00:00.000Z'],
  ])('parses %s as UTC %s when no offset is given', (text, iso) => {
    expect(parseIsoInstant(text)).toBe(Date.parse(iso));
  });

  it.each([
    '2026-3-1',
    '2026-13-01',
    '2026-02-30',
    '2025-02-29',
    '2026-03-01T24:00',
    '2026-03-01T10:60',
    '2026-03-01T10:00:00+25:00',
    '2026-03-01T10',
    'March 1, 2026',
    '1700000000',
    '',
  ])('rejects %j', (text) => {
    expect(parseIsoInstant(text)).toBeUndefined();
  });
});

describe('toEpochMillis', () => {
  it('accepts dates and ISO text, and drops invalid ones', () => {
    expect(toEpochMillis(new Date(5))).toBe(5);
    expect(toEpochMillis('1970-01-01T00:00:00.007Z')).toBe(7);
    expect(toEpochMillis(new Date(Number.NaN))).toBeUndefined();
    expect(toEpochMillis('soon')).toBeUndefined();
    expect(toEpochMillis(undefined)).toBeUndefined();
  });
});

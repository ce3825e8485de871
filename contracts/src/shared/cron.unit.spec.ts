import { describe, expect, it } from 'vitest';
import { cronError, isValidTimeZone, lastCronFire, nextCronFire } from './cron.js';

describe('cronError', () => {
  it.each(['0 */6 * * *', '*/15 * * * * *', '0 9 * * MON-FRI', '0 0 L * *', '@hourly', '@Daily', '@midnight', '  5 4 * * *  '])('accepts %j', (cron) => {
    expect(cronError(cron)).toBeUndefined();
  });

  it.each([
    ['', /5 fields/],
    ['* * * *', /5 fields/],
    ['* * * * * * *', /5 fields/],
    ['61 * * * *', /0-59/],
    ['@reboot', /unknown descriptor/],
    ['H * * * *', /not valid cron syntax/],
    ['0 0 30 2 *', /day of month/],
  ])('rejects %j', (cron, message) => {
    expect(cronError(cron)).toMatch(message);
  });

  it('rejects an unknown time zone', () => {
    expect(cronError('@hourly', 'Mars/Olympus')).toMatch(/time zone/);
  });
});

describe('isValidTimeZone', () => {
  it('accepts IANA names and UTC, rejects the rest', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('+01:00')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });
});

describe('fire times', () => {
  const at = new Date('2024-03-30T10:15:00.000Z');

  it('gives the next fire strictly after a time, in UTC by default', () => {
    expect(nextCronFire('0 */6 * * *', at)).toEqual(new Date('2024-03-30T12:00:00.000Z'));
    expect(nextCronFire('0 12 * * *', new Date('2024-03-30T12:00:00.000Z'))).toEqual(new Date('2024-03-31T12:00:00.000Z'));
  });

  it('follows the time zone across a daylight saving change', () => {
    // Paris moves from UTC+1 to UTC+2 on 2024-03-31.
    expect(nextCronFire('0 9 * * *', at, 'Europe/Paris')).toEqual(new Date('2024-03-31T07:00:00.000Z'));
    expect(nextCronFire('0 9 * * *', new Date('2024-03-29T12:00:00.000Z'), 'Europe/Paris')).toEqual(new Date('2024-03-30T08:00:00.000Z'));
  });

  it('gives the latest fire at or before a time, for catching up once after downtime', () => {
    expect(lastCronFire('0 */6 * * *', at)).toEqual(new Date('2024-03-30T06:00:00.000Z'));
    expect(lastCronFire('0 */6 * * *', new Date('2024-03-30T12:00:00.000Z'))).toEqual(new Date('2024-03-30T12:00:00.000Z'));
  });

  it('supports seconds and descriptors', () => {
    expect(nextCronFire('*/20 * * * * *', at)).toEqual(new Date('2024-03-30T10:15:20.000Z'));
    expect(nextCronFire('@hourly', at)).toEqual(new Date('2024-03-30T11:00:00.000Z'));
  });

  it('throws RangeError on an invalid schedule', () => {
    expect(() => nextCronFire('nope', at)).toThrow(RangeError);
  });
});

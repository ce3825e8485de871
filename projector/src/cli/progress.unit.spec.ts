import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Progress, progressWanted } from './progress.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  return Object.assign(stream, { isTTY, text: () => text });
}

describe('progress', () => {
  it('shows a bar, the count, the rate and the time left when the total is known', () => {
    let now = 0;
    const progress = new Progress({ label: 'rebuild workflows', unit: 'events', total: 1000, enabled: true, stream: sink(false), now: () => now });
    now = 2000;
    progress.update(250);
    expect(progress.render()).toBe('rebuild workflows [######------------------] 25% 250/1,000 events 125 events/s ETA 0:06');
  });

  it('shows the count and rate alone without a total', () => {
    let now = 0;
    const progress = new Progress({ label: 'verify-chain', unit: 'events', enabled: true, stream: sink(false), now: () => now });
    now = 4000;
    progress.update(10_000);
    expect(progress.render()).toBe('verify-chain 10,000 events 2,500 events/s 0:04');
  });

  it('redraws in place on a terminal, prints lines otherwise, and nothing when disabled', () => {
    let now = 0;
    const tty = sink(true);
    const onTerminal = new Progress({ label: 'x', unit: 'events', total: 10, enabled: true, stream: tty, now: () => now });
    onTerminal.update(1);
    now = 200;
    onTerminal.update(5);
    onTerminal.finish(10);
    expect(tty.text().split('\r').length).toBe(4);
    expect(tty.text().endsWith('\n')).toBe(true);

    const log = sink(false);
    const intoLog = new Progress({ label: 'x', unit: 'events', total: 10, enabled: true, stream: log, now: () => now });
    intoLog.update(1);
    intoLog.update(2);
    intoLog.finish(10);
    expect(log.text().trim().split('\n')).toHaveLength(2);

    const quiet = sink(true);
    const off = new Progress({ label: 'x', unit: 'events', enabled: false, stream: quiet });
    off.update(1);
    off.finish();
    expect(quiet.text()).toBe('');
  });

  it('is wanted on a terminal or when asked for', () => {
    expect(progressWanted(undefined, { isTTY: true })).toBe(true);
    expect(progressWanted(undefined, { isTTY: false })).toBe(false);
    expect(progressWanted(true, {})).toBe(true);
  });
});

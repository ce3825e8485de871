import { describe, expect, it } from 'vitest';
import { createNotifier } from './notifier.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('notifier', () => {
  it('keeps one NOTIFY in flight and folds a burst of pokes into one more', async () => {
    let sent = 0;
    const releases: (() => void)[] = [];
    const notifier = createNotifier(
      () =>
        new Promise<void>((resolve) => {
          sent += 1;
          releases.push(resolve);
        }),
      () => undefined,
    );
    notifier.poke();
    for (let n = 0; n < 50; n += 1) notifier.poke();
    expect(sent).toBe(1);
    releases.shift()?.();
    await tick();
    expect(sent).toBe(2);
    releases.shift()?.();
    await notifier.drain();
    expect(sent).toBe(2);
  });

  it('reports a failed NOTIFY and keeps serving later pokes', async () => {
    const errors: unknown[] = [];
    let attempts = 0;
    const notifier = createNotifier(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('connection lost');
    }, (error) => errors.push(error));
    notifier.poke();
    await notifier.drain();
    notifier.poke();
    await notifier.drain();
    expect(attempts).toBe(2);
    expect(errors).toEqual([new Error('connection lost')]);
  });

  it('spaces NOTIFYs by the minimum interval under load but sends at once when idle', async () => {
    const starts: number[] = [];
    const notifier = createNotifier(async () => void starts.push(performance.now()), () => undefined, 40);
    const first = performance.now();
    notifier.poke();
    await tick();
    notifier.poke();
    notifier.poke();
    await notifier.drain();
    expect(starts).toHaveLength(2);
    expect(starts[0]! - first).toBeLessThan(20);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(39);
  });

  it('does not send without a poke', async () => {
    let sent = 0;
    const notifier = createNotifier(async () => void (sent += 1), () => undefined);
    await notifier.drain();
    expect(sent).toBe(0);
  });
});

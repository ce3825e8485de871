import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LogPosition } from '@iwf/contracts';
import { comparePositions } from '@iwf/contracts';
import type { PartitionProgress } from '../offsets.js';
import { groupWatermark } from './watermark.js';

const at = (n: number): LogPosition => ({ commit: BigInt(n), prepare: BigInt(n) });
const heads = (...highs: number[]): Map<number, bigint> => new Map(highs.map((high, partition) => [partition, BigInt(high)]));
const progress = (...entries: ([number, number] | undefined)[]): Map<number, PartitionProgress> =>
  new Map(entries.flatMap((entry, partition) => (entry ? [[partition, { next: BigInt(entry[0]), applied: at(entry[1]) }] as const] : [])));

describe('groupWatermark', () => {
  it('is the relay checkpoint when every partition is consumed to its head', () => {
    expect(groupWatermark(at(90), heads(3, 2, 0), progress([3, 40], [2, 90]))).toEqual(at(90));
  });

  it('is held at what a partition with messages pending has applied', () => {
    expect(groupWatermark(at(90), heads(3, 5), progress([3, 40], [2, 30]))).toEqual(at(30));
  });

  it('is not held back by an idle partition while the others are pending', () => {
    expect(groupWatermark(at(90), heads(0, 5, 4), progress(undefined, [4, 70], [4, 85]))).toEqual(at(70));
  });

  it('takes what a consumed partition applied when the relay checkpoint is behind it (acks seen, checkpoint not yet written)', () => {
    expect(groupWatermark(at(50), heads(2, 2), progress([2, 60], [2, 70]))).toEqual(at(60));
  });

  it('has none while a partition holds messages nobody applied, or nothing is known', () => {
    expect(groupWatermark(at(90), heads(3, 2), progress(undefined, [2, 90]))).toBeUndefined();
    expect(groupWatermark(undefined, heads(0, 0), progress())).toBeUndefined();
    expect(groupWatermark(at(10), new Map(), progress())).toBeUndefined();
  });

  it('is the relay checkpoint for an empty topic once the relay has relayed (integration events only, say)', () => {
    expect(groupWatermark(at(12), heads(0, 0, 0), progress())).toEqual(at(12));
  });

  // The model: a log relayed in order, batch by batch, to partitions by key. An attempt that
  // failed may have reached some partitions (each partition's share arrives whole or not at
  // all) and is sent again whole; the batch after the last acknowledged one may sit on some
  // partitions unacknowledged. Each partition is consumed to some offset. Whatever the case,
  // the watermark must never claim an event that was not applied.
  it('never claims an event that was not applied (random logs, partial attempts, resends and consumption)', () => {
    const log = fc.record({
      partitions: fc.integer({ min: 1, max: 5 }),
      keys: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 60 }),
      batch: fc.integer({ min: 1, max: 8 }),
      failedFirst: fc.array(fc.boolean(), { maxLength: 20 }),
      reached: fc.array(fc.boolean(), { minLength: 100, maxLength: 100 }),
      relayedBatches: fc.nat(),
      consumed: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(log, ({ partitions, keys, batch, failedFirst, reached, relayedBatches, consumed }) => {
        const events = keys.map((key, n) => ({ position: at(n + 1), partition: key % partitions }));
        const topic: { position: LogPosition; partition: number }[][] = Array.from({ length: partitions }, () => []);
        const batches = Math.ceil(events.length / batch);
        const acked = relayedBatches % (batches + 1);
        const send = (b: number, partial: boolean): void => {
          for (let partition = 0; partition < partitions; partition++) {
            if (partial && !reached[(b * 5 + partition) % reached.length]) continue;
            for (const event of events.slice(b * batch, (b + 1) * batch)) if (event.partition === partition) topic[partition]!.push(event);
          }
        };
        for (let b = 0; b < acked; b++) {
          if (failedFirst[b]) send(b, true);
          send(b, false);
        }
        if (acked < batches) send(acked, true);
        const relayed = acked === 0 ? undefined : events[Math.min(acked * batch, events.length) - 1]!.position;
        const head = new Map(topic.map((messages, partition) => [partition, BigInt(messages.length)]));
        const applied = new Map<number, PartitionProgress>();
        topic.forEach((messages, partition) => {
          const next = Math.min(consumed[partition]!, messages.length);
          if (next === 0) return;
          let top = messages[0]!.position;
          for (const message of messages.slice(0, next)) if (comparePositions(message.position, top) > 0) top = message.position;
          applied.set(partition, { next: BigInt(next), applied: top });
        });
        const watermark = groupWatermark(relayed, head, applied);
        if (!watermark) return;
        const done = new Set(topic.flatMap((messages, partition) => messages.slice(0, Number(applied.get(partition)?.next ?? 0n)).map((message) => message.position.commit)));
        for (const event of events) if (comparePositions(event.position, watermark) <= 0) expect(done.has(event.position.commit)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

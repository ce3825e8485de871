import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionFor } from './partitioner.js';

// Expected values are those of Kafka's Java client (`Utils.murmur2`, its own unit test cases).
const JAVA_MURMUR2: [string | Uint8Array, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  [new Uint8Array([0x61, 0x62, 0x63]), 479470107],
  ['1', -1993445489],
  ['12', 126087238],
  ['123', -267702483],
  ['1234', -1614185708],
  ['12345', -1188365604],
];

const bytes = (key: string | Uint8Array): Uint8Array => (typeof key === 'string' ? Buffer.from(key, 'utf8') : key);

describe('Java-compatible partitioning', () => {
  it.each(JAVA_MURMUR2)('murmur2(%s) is what the Java client computes', (key, expected) => {
    expect(murmur2(bytes(key))).toBe(expected);
  });

  it('masks the sign bit rather than taking an absolute value, as Java does', () => {
    // -973932308 & 0x7fffffff = 1173551340; Math.abs would give 973932308.
    expect(partitionFor('21', 1_000_000_007)).toBe(1173551340 % 1_000_000_007);
    expect(partitionFor('21', 6)).toBe(1173551340 % 6);
  });

  it('kafkajs DefaultPartitioner puts every key where the Java client would', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
      const keys = [...JAVA_MURMUR2.map(([key]) => Buffer.from(bytes(key))), ...Array.from({ length: 500 }, (_, n) => Buffer.from(`workflow:tenant-${n % 7}:${n}`))];
      for (const key of keys) {
        const chosen = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(chosen).toBe(partitionFor(key, partitions));
      }
    }
  });

  it('keeps a key on its partition even when that partition has no leader', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: partitionId === 1 ? -1 : 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));
    const key = Array.from({ length: 100 }, (_, n) => `s-${n}`).find((candidate) => partitionFor(candidate, 3) === 1)!;
    expect(partitioner({ topic: 't', partitionMetadata, message: { key, value: null } })).toBe(1);
  });

  it('refuses a partition count below one', () => {
    expect(() => partitionFor('k', 0)).toThrow(RangeError);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEvents, newStreamId } from '../contract/helpers.js';
import { verifyAllStreamChains, verifyStreamChain } from './chain.js';
import { asIntruder, createEventStoreTestbed } from './testing.js';
import type { EventStoreTestbed } from './testing.js';

describe('PostgreSQL hash chain verification', () => {
  let testbed: EventStoreTestbed;
  beforeAll(async () => {
    testbed = await createEventStoreTestbed('event_store_chain');
  });
  afterAll(async () => {
    await testbed.teardown();
  });

  async function streamWith(count: number): Promise<string> {
    const stream = newStreamId();
    await testbed.store.append(stream, newEvents(count), 'no_stream');
    return stream;
  }

  it('accepts untouched streams, across appends of one and many events', async () => {
    const stream = await streamWith(3);
    await testbed.store.append(stream, newEvents(1), 2);
    await testbed.store.append(stream, newEvents(4), 'any');
    expect(await verifyStreamChain(testbed.pool, stream)).toEqual({ stream_id: stream, ok: true, events: 8 });
    expect(await verifyStreamChain(testbed.pool, newStreamId())).toMatchObject({ ok: true, events: 0 });
  });

  it('finds a changed type, metadata or recorded time at its revision', async () => {
    const changes = [
      `SET type = 'contract.forged'`,
      `SET metadata = (metadata::jsonb || '{"actor":"user:mallory"}')::json`,
      // The same JSON values, spelled as jsonb renders them: the chain covers the text as sent.
      `SET data = data::jsonb::json`,
      `SET recorded_at = recorded_at - interval '1 day'`,
    ];
    for (const change of changes) {
      const stream = await streamWith(3);
      await asIntruder(testbed.pool, `UPDATE iwf_events.events ${change} WHERE stream_id = $1 AND stream_revision = 1`, [stream]);
      expect(await verifyStreamChain(testbed.pool, stream)).toEqual({ stream_id: stream, ok: false, revision: 1, problem: 'hash_mismatch' });
    }
  });

  it('finds a removed event as a gap and a forged head as a head mismatch', async () => {
    const gapped = await streamWith(3);
    await asIntruder(testbed.pool, 'DELETE FROM iwf_events.events WHERE stream_id = $1 AND stream_revision = 1', [gapped]);
    expect(await verifyStreamChain(testbed.pool, gapped)).toMatchObject({ ok: false, revision: 1, problem: 'revision_gap' });

    const truncated = await streamWith(3);
    await asIntruder(testbed.pool, 'DELETE FROM iwf_events.events WHERE stream_id = $1 AND stream_revision = 2', [truncated]);
    expect(await verifyStreamChain(testbed.pool, truncated)).toMatchObject({ ok: false, revision: 2, problem: 'revision_gap' });

    const headless = await streamWith(2);
    await testbed.pool.query(`UPDATE iwf_events.streams SET last_hash = sha256('forged') WHERE stream_id = $1`, [headless]);
    expect(await verifyStreamChain(testbed.pool, headless)).toMatchObject({ ok: false, revision: 1, problem: 'head_mismatch' });
  });

  it('verifies every stream and names the broken ones', async () => {
    const broken = await streamWith(2);
    await asIntruder(testbed.pool, `UPDATE iwf_events.events SET data = '{"n":99}' WHERE stream_id = $1 AND stream_revision = 0`, [broken]);
    const verdicts = [];
    for await (const verdict of verifyAllStreamChains(testbed.pool)) verdicts.push(verdict);
    const streams = await testbed.pool.query('SELECT count(*)::int AS n FROM iwf_events.streams');
    expect(verdicts).toHaveLength(streams.rows[0].n);
    expect(verdicts.find((verdict) => verdict.stream_id === broken)).toMatchObject({ ok: false, revision: 0 });
  });
});

import type { RecordedEvent } from '@iwf/contracts';
import { START } from '@iwf/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, ids, newEvents, newStreamId, sleep } from '../contract/helpers.js';
import { LISTENER_APPLICATION_NAME } from './listener.js';
import { createEventStoreTestbed, newestPosition } from './testing.js';
import type { EventStoreTestbed } from './testing.js';

// The other store polls once a minute, so anything it sees within seconds came through LISTEN/NOTIFY.
const NO_POLL = { timing: { pollMs: 60_000 } };

describe('PostgreSQL event store wake-ups across processes', () => {
  let testbed: EventStoreTestbed;
  beforeAll(async () => {
    testbed = await createEventStoreTestbed('event_store_listen');
  });
  afterAll(async () => {
    await testbed.teardown();
  });

  async function listenerPids(): Promise<number[]> {
    const result = await testbed.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [LISTENER_APPLICATION_NAME],
    );
    return result.rows.map((row) => row.pid);
  }

  it('a subscriber in another process is woken by NOTIFY, also after its LISTEN connection was killed', async () => {
    const errors: unknown[] = [];
    const reader = testbed.otherStore({ ...NO_POLL, onError: (error) => errors.push(error) });
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribe(async (batch) => void received.push(...batch), { after: START });
    await eventually(async () => expect(await listenerPids()).toHaveLength(1));

    const first = newEvents(2);
    await testbed.store.append(newStreamId(), first, 'no_stream');
    await eventually(() => expect(ids(received)).toEqual(ids(first)), 5_000);

    const [pid] = await listenerPids();
    await testbed.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(async () => {
      const pids = await listenerPids();
      expect(pids).toHaveLength(1);
      expect(pids[0]).not.toBe(pid);
    }, 10_000);
    expect(errors).toEqual([expect.objectContaining({ code: '57P01' })]);
    await sleep(50);

    const second = newEvents(3);
    await testbed.store.append(newStreamId(), second, 'no_stream');
    await eventually(() => expect(ids(received)).toEqual(ids([...first, ...second])), 5_000);
    await subscription.stop();
    await eventually(async () => expect(await listenerPids()).toEqual([]));
  });

  it('a burst of concurrent appends wakes a subscriber in another process for all of them', async () => {
    const reader = testbed.otherStore(NO_POLL);
    const head = (await newestPosition(testbed.pool)) ?? START;
    const received: RecordedEvent[] = [];
    const subscription = reader.subscribe(async (batch) => void received.push(...batch), { after: head });
    await sleep(200);
    const bursts = Array.from({ length: 8 }, () => newEvents(1));
    await Promise.all(bursts.map((events) => testbed.store.append(newStreamId(), events, 'no_stream')));
    await eventually(() => expect(received).toHaveLength(8), 5_000);
    expect(new Set(ids(received))).toEqual(new Set(ids(bursts.flat())));
    await subscription.stop();
  });
});

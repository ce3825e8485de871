import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, newEvents, newStreamId } from '@iwf/command-service/event-store/contract/helpers';
import { createEventStoreTestbed, type EventStoreTestbed } from '@iwf/command-service/event-store/postgres/testing';
import { listAuditEvents } from '@iwf/query-service/audit/read-model';

// A source cluster whose transaction counter was far ahead of this one's.
const SOURCE_AHEAD = 1_000_000_000_000n;

/**
 * `/audit/events` reads the log below its horizon, as the store's readers do. After a restore
 * the log's transaction ids carry an offset (schema/tx-offset.ts); a horizon without it sits
 * below every restored event and every event written since, and the list stays empty.
 */
describe('audit events after a restore', () => {
  let bed: EventStoreTestbed;
  const stream = newStreamId('workflow');
  const setOffset = (offset: bigint): Promise<unknown> =>
    bed.pool.query(`CREATE OR REPLACE FUNCTION iwf_events.tx_offset() RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS 'SELECT ${offset}::bigint'`);

  beforeAll(async () => {
    bed = await createEventStoreTestbed('audit_restore');
  });
  afterAll(() => bed.teardown());

  it('lists the restored events and those written after continue_after_restore, in log order', async () => {
    // Written with ids as far ahead as a restored backup's, then loaded "here" (offset 0).
    const restored = newEvents(3, 'WorkflowCreated');
    await setOffset(SOURCE_AHEAD);
    await bed.store.append(stream, restored, 'no_stream');
    await setOffset(0n);
    await bed.pool.query('SELECT * FROM iwf_events.continue_after_restore()');

    const later = newEvents(2, 'WorkflowEnabled');
    await bed.store.append(stream, later, 2);

    // Other test files' open transactions hold the server-wide horizon back for a moment.
    const listed = await eventually(async () => {
      const page = await listAuditEvents(bed.pool, 'tenant-a', { limit: 50, order: 'asc' });
      expect(page.items.map((item) => item.event_id)).toEqual([...restored, ...later].map((event) => event.event_id));
      return page.items;
    });
    expect(listed.map((item) => item.stream_revision)).toEqual([0, 1, 2, 3, 4]);
    const newest = await listAuditEvents(bed.pool, 'tenant-a', { limit: 1 });
    expect(newest.items.map((item) => item.event_id)).toEqual([later[1]!.event_id]);
    expect(newest.next_cursor).toBeDefined();
  });
});

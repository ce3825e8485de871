import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventIngested } from '@iwf/contracts';
import type { EventVisibility, IngestedEventFilter } from '@iwf/query-service/ingested-events/read-model';
import { getIngestedEvent, listIngestedEvents } from '@iwf/query-service/ingested-events/read-model';
import { t } from '../executions/testing/execution-events.js';
import type { ReadModelHarness } from '../executions/testing/harness.js';
import { createReadModelHarness, dumpTable } from '../executions/testing/harness.js';
import { ingestedEventsProjection } from './projection.js';

const T = 'acme';
const ALL: EventVisibility = { all: true };
let h: ReadModelHarness;

function ingested(event_id: string, event_type: string, at: string, executions: EventIngested['data']['executions'] = []): EventIngested {
  return { type: 'EventIngested', data: { event_id, event_type, source: 'shop', payload: { order: { id: event_id } }, received_at: at, executions } };
}

beforeAll(async () => {
  h = await createReadModelHarness('ingested_events');
  const started = [{ execution_id: 'x1', workflow_id: 'orders', workflow_revision: 2 }, { execution_id: 'x2', workflow_id: 'audit', workflow_revision: 1 }];
  await h.append('ingest', T, 'ev-1', [ingested('ev-1', 'order.created', t(10), started)], 'agent-7');
  await h.append('ingest', T, 'ev-2', [ingested('ev-2', 'order.paid', t(20))], 'agent-8');
  await h.append('ingest', T, 'ev-3', [ingested('ev-3', 'order.created', t(30))], 'agent-7');
  await h.append('ingest', 'globex', 'ev-1', [ingested('ev-1', 'invoice.sent', t(5))], 'agent-7');
  await h.project(ingestedEventsProjection, 2);
});

afterAll(async () => {
  await h.close();
});

const ids = async (filter: Partial<IngestedEventFilter>, visibility: EventVisibility = ALL): Promise<string[]> =>
  (await listIngestedEvents(h.pool, T, { limit: 50, ...filter }, visibility)).items.map((item) => item.event_id);

describe('ingested events projection', () => {
  it('keeps each event with the executions it started', async () => {
    expect(await getIngestedEvent(h.pool, T, 'ev-1', ALL)).toEqual({
      event_id: 'ev-1',
      event_type: 'order.created',
      source: 'shop',
      payload: { order: { id: 'ev-1' } },
      received_at: t(10),
      executions: [
        { execution_id: 'x1', workflow_id: 'orders', workflow_revision: 2 },
        { execution_id: 'x2', workflow_id: 'audit', workflow_revision: 1 },
      ],
      revision: 0,
    });
  });

  it('filters by type and receive time, pages newest first or oldest first', async () => {
    expect(await ids({})).toEqual(['ev-3', 'ev-2', 'ev-1']);
    expect(await ids({ order: 'asc' })).toEqual(['ev-1', 'ev-2', 'ev-3']);
    expect(await ids({ event_type: 'order.created' })).toEqual(['ev-3', 'ev-1']);
    expect(await ids({ from: new Date(t(20)) })).toEqual(['ev-3', 'ev-2']);
    expect(await ids({ to: new Date(t(20)) })).toEqual(['ev-1']);
    const first = await listIngestedEvents(h.pool, T, { limit: 2 }, ALL);
    expect(first.next_cursor).not.toBeNull();
    expect(await listIngestedEvents(h.pool, T, { limit: 2, cursor: first.next_cursor! }, ALL)).toMatchObject({ items: [{ event_id: 'ev-1' }], next_cursor: null });
  });

  it('shows an agent only the events it ingested', async () => {
    const agent: EventVisibility = { all: false, ingested_by: 'agent-7' };
    expect(await ids({}, agent)).toEqual(['ev-3', 'ev-1']);
    expect(await getIngestedEvent(h.pool, T, 'ev-2', agent)).toBeUndefined();
    expect(await getIngestedEvent(h.pool, T, 'ev-2', { all: false, ingested_by: 'agent-8' })).toMatchObject({ event_type: 'order.paid' });
  });

  it('keeps tenants apart, and changes nothing when the log is applied again', async () => {
    expect((await getIngestedEvent(h.pool, 'globex', 'ev-1', ALL))?.event_type).toBe('invoice.sent');
    expect(await getIngestedEvent(h.pool, 'globex', 'ev-2', ALL)).toBeUndefined();
    const before = await dumpTable(h.pool, 'ingested_events', 'tenant, event_id');
    await h.replay(ingestedEventsProjection, 1);
    expect(await dumpTable(h.pool, 'ingested_events', 'tenant, event_id')).toEqual(before);
  });

  it('adds executions a later record of the same ingestion names, never twice', async () => {
    const later = ingested('ev-2', 'order.paid', t(20), [{ execution_id: 'x9', workflow_id: 'orders', workflow_revision: 2 }]);
    await h.append('ingest', T, 'ev-2', [later, later]);
    await h.project(ingestedEventsProjection);
    expect(await getIngestedEvent(h.pool, T, 'ev-2', ALL)).toMatchObject({ executions: [{ execution_id: 'x9' }], revision: 2, received_at: t(20) });
  });
});

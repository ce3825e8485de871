import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEvent } from '@iwf/contracts';
import { DomainError } from '@iwf/contracts';
import type { ExecutionFilter } from '@iwf/query-service/executions/read-model';
import { listExecutions } from '@iwf/query-service/executions/read-model';
import { executionsProjection } from './projection.js';
import * as e from './testing/execution-events.js';
import type { ReadModelHarness } from './testing/harness.js';
import { createReadModelHarness } from './testing/harness.js';
import { failedWithRetries, nestedBlocks, orderApproval, statusLoop } from './testing/scenarios.js';

const T = 'lists';
let h: ReadModelHarness;

// Executions started an hour apart: x1 oldest … x6 newest; x3 and x4 start at the same time.
beforeAll(async () => {
  h = await createReadModelHarness('executions_lists');
  const at = (hours: number, events: ExecutionEvent[]): ExecutionEvent[] => e.shiftTimes(events, hours * 3600);
  await h.append('execution', T, 'x1', at(1, orderApproval('x1')));
  await h.append('execution', T, 'x2', at(2, failedWithRetries('x2')));
  await h.append('execution', T, 'x3', at(3, statusLoop('x3')));
  await h.append('execution', T, 'x4', at(3, nestedBlocks('x4')));
  await h.append('execution', T, 'x5', at(5, [e.started('x5', { event_id: null })]));
  await h.append('execution', T, 'x6', at(6, orderApproval('x6').slice(0, 10)));
  await h.append('execution', 'intruder', 'x7', at(4, orderApproval('x7')));
  await h.project(executionsProjection);
});

afterAll(async () => {
  await h.close();
});

const ids = async (filter: Partial<ExecutionFilter>): Promise<string[]> =>
  (await listExecutions(h.pool, T, { limit: 50, ...filter })).items.map((item) => item.execution_id);

describe('execution lists', () => {
  it('lists summaries newest first, oldest first on request, within the tenant only', async () => {
    expect(await ids({})).toEqual(['x6', 'x5', 'x4', 'x3', 'x2', 'x1']);
    expect(await ids({ order: 'asc' })).toEqual(['x1', 'x2', 'x3', 'x4', 'x5', 'x6']);
    const [first] = (await listExecutions(h.pool, T, { limit: 1 })).items;
    expect(first).toEqual({
      execution_id: 'x6',
      workflow_id: 'orders',
      workflow_revision: 1,
      workflow_version: '1.0.0',
      trigger_kind: 'event',
      trigger_event_id: 'ev-x6',
      status: 'waiting',
      decision: null,
      current_step_id: 'await_payment',
      error: null,
      started_at: e.t(6 * 3600),
      completed_at: null,
      duration_ms: null,
      updated_at: e.t(6 * 3600 + 2),
      revision: 9,
    });
  });

  it('filters by workflow, status, decision and start time (from inclusive, to exclusive)', async () => {
    expect(await ids({ workflow_id: 'orders' })).toEqual(['x6', 'x5', 'x1']);
    expect(await ids({ status: 'waiting' })).toEqual(['x6', 'x4']);
    expect(await ids({ status: 'running' })).toEqual(['x5']);
    expect(await ids({ status: 'failed', workflow_id: 'erp_sync' })).toEqual(['x2']);
    expect(await ids({ decision: 'blocked' })).toEqual(['x3']);
    expect(await ids({ decision: 'allowed', workflow_id: 'orders' })).toEqual(['x1']);
    expect(await ids({ from: new Date(e.t(3 * 3600)) })).toEqual(['x6', 'x5', 'x4', 'x3']);
    expect(await ids({ to: new Date(e.t(3 * 3600)) })).toEqual(['x2', 'x1']);
    expect(await ids({ from: new Date(e.t(2 * 3600)), to: new Date(e.t(5 * 3600)), order: 'asc' })).toEqual(['x2', 'x3', 'x4']);
  });

  it('pages with a keyset cursor in both directions, ties on start time included', async () => {
    for (const order of ['asc', 'desc'] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listExecutions(h.pool, T, { limit: 2, order, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((item) => item.execution_id));
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(await ids({ order }));
    }
    const filtered = await listExecutions(h.pool, T, { limit: 1, workflow_id: 'orders' });
    expect(filtered.items.map((item) => item.execution_id)).toEqual(['x6']);
    const rest = await listExecutions(h.pool, T, { limit: 5, workflow_id: 'orders', cursor: filtered.next_cursor! });
    expect(rest).toMatchObject({ items: [{ execution_id: 'x5' }, { execution_id: 'x1' }], next_cursor: null });
  });

  it('rejects a cursor it did not issue and a limit out of range', async () => {
    for (const cursor of ['nope', Buffer.from('["2024-01-01T00:00:00Z","x"]').toString('base64url'), Buffer.from('[1,"x"]').toString('base64url')]) {
      const error: unknown = await listExecutions(h.pool, T, { limit: 5, cursor }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'validation', errors: [{ pointer: '/querystring/cursor' }] });
    }
    await expect(listExecutions(h.pool, T, { limit: 0 })).rejects.toMatchObject({ errors: [{ pointer: '/querystring/limit' }] });
  });
});

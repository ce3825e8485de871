import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalyticsSummaryView, AnalyticsTrendsView, EventStore } from '@iwf/contracts';
import { currentSchemaVersion, formatPosition, streamId } from '@iwf/contracts';
import { createPostgresEventStore } from '@iwf/command-service/event-store/index';
import type { ApiClient } from '../runtime/testing/http.js';
import { apiClient } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';
import type { Variant } from '../verify/testing/templates.js';
import { buildTemplate } from '../verify/testing/templates.js';

let system: TestSystem;
let pool: pg.Pool;
let store: EventStore;
let api: ApiClient;
let position = '';
const HOUR = 3_600_000;
const now = Date.now();

/** Appends an execution the engine decided, started `hoursAgo` hours ago, in the tenant. */
async function record(tenant: string, id: string, variant: Variant, hoursAgo: number): Promise<void> {
  const template = buildTemplate(variant, new Date(now - hoursAgo * HOUR).toISOString(), id, `ev-${id}`);
  const events = template.decisions.flat().map((event) => ({
    event_id: randomUUID(),
    type: event.type,
    schema_version: currentSchemaVersion(event.type),
    data: event.data,
    metadata: { tenant, actor: 'engine', correlation_id: id },
  }));
  const appended = await store.append(streamId('execution', tenant, id), events, 'no_stream');
  position = formatPosition(appended.position);
}

beforeAll(async () => {
  system = await startTestSystem('analytics');
  pool = new pg.Pool({ connectionString: system.config.databaseUrl, max: 2 });
  store = createPostgresEventStore({ pool });
  const acme = system.tenant('acme');
  const recorded: [Variant, number][] = [
    ['screen-small', 1], ['screen-small', 2], ['screen-big', 3], ['notify', 1], ['flaky', 5],
    ['review-yes', 20], ['review-no', 23], ['slow', 2], ['screen-small', 30], ['flaky', 100],
  ];
  for (const [index, [variant, hoursAgo]] of recorded.entries()) await record(acme, `ex-${index}`, variant, hoursAgo);
  await record(system.tenant('other'), 'ex-x', 'flaky', 1);
  api = apiClient(system.app, await system.tokenFor('acme', ['workflow_viewer']));
});

afterAll(async () => {
  await store.close();
  await pool.end();
  await system.close();
});

const read = async <T>(path: string): Promise<T> => {
  const reply = await api.get(path, { 'x-min-position': position });
  expect(reply.statusCode, reply.body).toBe(200);
  expect(reply.headers['x-log-position']).toMatch(/^[0-9a-z]+-[0-9a-z]+$/);
  return reply.json() as T;
};

describe('GET /analytics/summary', () => {
  it('counts the executions started in the range by status and decision, with success rate and exact percentiles, per workflow', async () => {
    const summary = await read<AnalyticsSummaryView>('/analytics/summary?time_range=24h');
    expect(summary).toMatchObject({
      time_range: '24h',
      workflow_id: null,
      total: 8,
      by_status: { running: 0, completed: 6, failed: 1, cancelled: 0, timed_out: 1 },
      by_decision: { allowed: 4, blocked: 2, pending_approval: 0, executed: 0 },
    });
    // All 8 finished: 6 completed, one failed, one timed out.
    expect(summary.success_rate).toBe(0.75);
    // Durations (ms), sorted: 0, 0, 0 (screens), 250 (flaky), 1,500 (notify), 300,250 twice (reviews), 3,600,000 (slow).
    expect(summary.duration_ms).toEqual({ p50: 250, p95: 3_600_000, p99: 3_600_000, avg: Math.round(((250 + 1_500 + 300_250 * 2 + 3_600_000) / 8) * 1000) / 1000, max: 3_600_000 });
    expect(Date.parse(summary.to) - Date.parse(summary.from)).toBe(24 * HOUR);
    expect(summary.workflows.map((workflow) => [workflow.workflow_id, workflow.total])).toEqual([['screen', 3], ['review', 2], ['flaky', 1], ['notify', 1], ['slow', 1]]);
    expect(summary.workflows.find((workflow) => workflow.workflow_id === 'review')).toMatchObject({ by_decision: { allowed: 1, blocked: 1 }, success_rate: 1, duration_ms: { p50: 300_250 } });
  });

  it('narrows to a workflow and widens with the range; other tenants never count', async () => {
    const flaky = await read<AnalyticsSummaryView>('/analytics/summary?time_range=7d&workflow_id=flaky');
    expect(flaky).toMatchObject({ workflow_id: 'flaky', total: 2, by_status: { failed: 2 }, success_rate: 0, duration_ms: { p50: 250, max: 250 } });
    expect((await read<AnalyticsSummaryView>('/analytics/summary?time_range=1h')).total).toBe(0);
    expect((await read<AnalyticsSummaryView>('/analytics/summary?time_range=30d')).total).toBe(10);
    const empty = await read<AnalyticsSummaryView>('/analytics/summary?workflow_id=none');
    expect(empty).toMatchObject({ total: 0, success_rate: null, duration_ms: { p50: null, p95: null, p99: null, avg: null, max: null }, workflows: [] });
  });

  it('rejects an unknown range and answers 403 to a role that may not read analytics', async () => {
    expect((await api.get('/analytics/summary?time_range=2h')).statusCode).toBe(400);
    const agent = apiClient(system.app, await system.tokenFor('acme', ['agent']));
    expect((await agent.get('/analytics/summary')).statusCode).toBe(403);
  });
});

describe('GET /analytics/trends', () => {
  it('buckets the same figures by hour, oldest first, empty hours included', async () => {
    const trends = await read<AnalyticsTrendsView>('/analytics/trends?interval=hour');
    expect(trends).toMatchObject({ interval: 'hour', time_range: '24h' });
    expect(trends.buckets.length).toBeGreaterThanOrEqual(24);
    expect(trends.buckets.map((bucket) => bucket.bucket)).toEqual([...trends.buckets.map((bucket) => bucket.bucket)].sort());
    expect(trends.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(8);
    const hourOf = (hoursAgo: number): string => new Date(Math.floor((now - hoursAgo * HOUR) / HOUR) * HOUR).toISOString();
    expect(trends.buckets.find((bucket) => bucket.bucket === hourOf(2))).toMatchObject({ total: 2, by_status: { completed: 1, timed_out: 1 } });
    expect(trends.buckets.find((bucket) => bucket.bucket === hourOf(5))).toMatchObject({ total: 1, success_rate: 0 });
  });

  it('buckets by day over a week', async () => {
    const days = await read<AnalyticsTrendsView>('/analytics/trends?interval=day');
    expect(days).toMatchObject({ interval: 'day', time_range: '7d' });
    expect(days.buckets.every((bucket) => bucket.bucket.endsWith('T00:00:00.000Z'))).toBe(true);
    expect(days.buckets.reduce((sum, bucket) => sum + bucket.total, 0)).toBe(10);
  });
});

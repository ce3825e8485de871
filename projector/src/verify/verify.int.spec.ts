import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCache } from '@iwf/platform/cache/memory-cache';
import { projections } from '../read-models.js';
import { readCheckpoint } from '../runner/checkpoints.js';
import type { RunnerLogger } from '../runner/logger.js';
import { ProjectionRunner } from '../runner/runner.js';
import type { ProjectorFixture } from '../runner/testing/fixture.js';
import { createProjectorFixture, eventually } from '../runner/testing/fixture.js';
import { getWorkflow } from '@iwf/query-service/workflows/read-model';
import { created } from '../workflows/testing/workflow-events.js';
import { cacheKey } from '@iwf/platform/cache/cache';
import { iwf, serviceCache, toolingEnv } from './testing/cli.js';
import { appendLoad, generateLoad } from './testing/load.js';

const quiet: RunnerLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
let fx: ProjectorFixture;
let runners: ProjectionRunner[];
let total: number;
let env: Record<string, string>;

beforeAll(async () => {
  fx = await createProjectorFixture('verify_drift');
  env = toolingEnv(fx.db.url);
  total = await appendLoad(fx.pool, generateLoad({ tenants: 2, orders: 40, seed: 9 }));
  runners = projections.map((projection) => new ProjectionRunner({ projection, store: fx.store, pool: fx.pool, cache: createMemoryCache(), logger: quiet }));
  for (const projection of projections) {
    await eventually(async () => (await readCheckpoint(fx.pool, projection.name))?.events_applied, (applied) => applied === total, 30_000);
  }
});

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await fx.close();
});

const one = async (sql: string): Promise<Record<string, string>> => (await fx.pool.query<Record<string, string>>(sql)).rows[0]!;

describe('iwf verify and iwf rebuild', () => {
  it('finds no drift in models the runners built', async () => {
    const result = await iwf(['verify', '--all'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const projection of projections) expect(result.stdout).toContain(`${projection.name}: no drift (${total} events replayed`);
  });

  it('prints every difference of a tampered model (key, field, live and replayed values) and exits 1', async () => {
    const execution = await one("SELECT tenant, execution_id, status FROM iwf_read.executions WHERE status = 'completed' ORDER BY execution_id LIMIT 1");
    await fx.pool.query("UPDATE iwf_read.executions SET status = 'failed' WHERE tenant = $1 AND execution_id = $2", [execution['tenant'], execution['execution_id']]);
    const workflow = await one("SELECT tenant, workflow_id FROM iwf_read.workflows ORDER BY tenant, workflow_id LIMIT 1");
    await fx.pool.query('DELETE FROM iwf_read.workflows WHERE tenant = $1 AND workflow_id = $2', [workflow['tenant'], workflow['workflow_id']]);
    await fx.pool.query("INSERT INTO iwf_read.analytics_executions VALUES ('ghost', 'ex-0', 'wf', 'running', NULL, now(), NULL, NULL, 0)");
    await fx.pool.query("UPDATE iwf_read.projection_checkpoints SET events_applied = events_applied + 1 WHERE projection = 'rules'");

    const result = await iwf(['verify', '--all'], env);
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    const key = JSON.stringify({ tenant: execution['tenant'], execution_id: execution['execution_id'] });
    expect(lines).toContain(`executions\texecutions\t${key}\tstatus\t"failed"\t"completed"`);
    expect(result.stdout).toContain('executions: DRIFT in 1 row(s)');
    expect(lines.find((line) => line.startsWith(`workflows\tworkflows\t${JSON.stringify({ tenant: workflow['tenant'], workflow_id: workflow['workflow_id'] })}\t(row)\tnull\t{`))).toBeDefined();
    expect(lines).toContain(`analytics\tanalytics_executions\t{"tenant":"ghost","execution_id":"ex-0"}\t(row)\t${lines.find((line) => line.includes('"ghost"'))!.split('\t')[4]}\tnull`);
    expect(lines).toContain(`rules\tprojection_checkpoints\t{"projection":"rules"}\tevents_applied\t${total + 1}\t${total}`);
    expect(result.stdout).toContain('approvals: no drift');

    const json = await iwf(['verify', 'executions', '--json'], env);
    expect(JSON.parse(json.stdout)).toMatchObject({ projection: 'executions', drift: 1, differences: [{ table: 'executions', field: 'status', live: 'failed', replayed: 'completed' }] });
  });

  it('rebuilds every model blue/green, which repairs the drift and clears the cache, while the runners keep running', async () => {
    // The services' entries (under their CACHE_NAMESPACE) are cleared; another deployment's stay.
    const services = serviceCache(env);
    const neighbour = serviceCache(env, 'neighbour');
    const key = cacheKey('t1', 'workflow', 'cached');
    await services.setIfNewer(key, 7, { stale: true });
    await neighbour.setIfNewer(key, 7, { theirs: true });
    const rebuilt = await iwf(['rebuild', '--all'], env);
    expect(rebuilt).toMatchObject({ code: 0, stderr: '' });
    try {
      expect(await services.get(key)).toBeUndefined();
      expect(await neighbour.get(key)).toEqual({ revision: 7, value: { theirs: true } });
    } finally {
      await neighbour.delete([key]);
      await Promise.all([services.close(), neighbour.close()]);
    }
    for (const projection of projections) {
      expect(rebuilt.stdout).toMatch(new RegExp(`^rebuilt ${projection.name} v${projection.version}: ${total} events in [0-9.]+ s \\(\\d+ events/s\\), 0 parked, swapped in at [0-9a-z]+-[0-9a-z]+$`, 'm'));
    }
    const after = await iwf(['verify', '--all'], env);
    expect(after.code, after.stdout).toBe(0);
    // The runners resume from the swapped-in checkpoints and count each new event once.
    await fx.append('t9', 'late', [created('late', '2024-06-01T00:00:00Z')]);
    for (const projection of projections) {
      await eventually(async () => (await readCheckpoint(fx.pool, projection.name))?.events_applied, (applied) => applied === total + 1, 10_000);
    }
    expect(await getWorkflow(fx.pool, 't9', 'late')).toMatchObject({ revision: 0 });
  });

  it('finds every generated execution (decided by the engine) replays the same through it', async () => {
    const executions = Number((await fx.pool.query<{ n: string }>("SELECT count(*)::text AS n FROM iwf_events.streams WHERE stream_id LIKE 'execution:%'")).rows[0]!.n);
    const result = await iwf(['replay-check'], env);
    expect(result).toMatchObject({ code: 0, stdout: `checked ${executions} executions: all replay the same\n` });
  });

  it('refuses bad usage with exit 2', async () => {
    for (const args of [['verify'], ['verify', 'nope'], ['rebuild', '--all', 'workflows'], ['rebuild', '--batch-size', '0', 'workflows'], ['verify', '--limit', 'x', '--all'], ['verify', '--bogus']]) {
      expect((await iwf(args, env)).code, args.join(' ')).toBe(2);
    }
  });
});

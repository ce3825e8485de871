import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@iwf/platform/testing/database';
import { startCluster, type Cluster } from '../support/cluster.js';
import { ROOT, run } from '../support/processes.js';
import { call, serviceEnv, startServices, token, type Services } from '../support/system.js';

/**
 * Back up a system running on one PostgreSQL cluster, restore it into a fresh database of
 * another (the local one), run the services there: the restored cluster's transaction ids are
 * far below the backed-up ones (the source cluster's counter starts in epoch 5), which is the
 * case iwf_events.continue_after_restore exists for.
 */
const SOURCE_EPOCH = 5;
// A Redis database of its own, so the cache the restore clears is only this test's.
const REDIS_URL = 'redis://127.0.0.1:6379/11';
// The same cache namespace before and after, as when a system is restored under its old
// database name: the restore must clear the entries the restored services would read.
const CACHE = { CACHE_NAMESPACE: `restore-${randomBytes(4).toString('hex')}` };

let source: Cluster;
let target: TestDatabase;
let work: string;
let bearer: string;
let backupFile: string;
let restored: Services | undefined;
let restoreOutput: string;

async function workflow(name: string, id: string): Promise<Record<string, unknown>> {
  const document = JSON.parse(await readFile(join(ROOT, 'fixtures/workflows/legacy', name), 'utf8')) as Record<string, unknown>;
  return { ...document, workflow_id: id };
}

/** Writes through the command service and waits until the query service has projected it. */
async function write(services: Services, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const answer = await call<{ position: string }>(services.command, method, path, { token: bearer, body });
  expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
  const read = await call(services.query, 'GET', '/api/v1/workflows?limit=1', { token: bearer, headers: { 'x-min-position': answer.body.position } });
  expect(read.status, JSON.stringify(read.body)).toBe(200);
  return answer.body;
}

const iwf = (args: string[], databaseUrl: string): Promise<string> =>
  run(process.execPath, [join(ROOT, 'projector/dist/cli/main.js'), ...args], serviceEnv(databaseUrl, REDIS_URL));

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iwf-backup-'));
  backupFile = join(work, 'workflows.dump');
  bearer = await token(`restore-${randomBytes(4).toString('hex')}`);
  source = await startCluster({ epoch: SOURCE_EPOCH });
  const sourceUrl = source.url('workflows');
  await run('psql', [source.url('postgres'), '-XAtqc', 'CREATE DATABASE workflows']);
  const services = await startServices(sourceUrl, REDIS_URL, CACHE);
  try {
    // Before the backup: A (then disabled) and B.
    await write(services, 'POST', '/api/v1/workflows', await workflow('high-value-order-approval.json', 'wf_a'));
    await write(services, 'POST', '/api/v1/workflows/wf_a/disable');
    await write(services, 'POST', '/api/v1/workflows', await workflow('cart-fraud-detection.json', 'wf_b'));
    const backup = await run('bash', ['scripts/backup.sh', backupFile], { ...process.env, DATABASE_URL: sourceUrl });
    expect(backup).toContain(`backup: ${backupFile}`);
    // After the backup, lost with the source: C, and A enabled again (cached by the query service).
    await write(services, 'POST', '/api/v1/workflows', await workflow('product-inventory-sync.json', 'wf_c'));
    await write(services, 'POST', '/api/v1/workflows/wf_a/enable');
    expect((await call(services.query, 'GET', '/api/v1/workflows/wf_a', { token: bearer })).body).toMatchObject({ enabled: true, revision: 2 });
  } finally {
    await services.stop();
  }
  target = await createTestDatabase('restored');
  restoreOutput = await run('bash', ['scripts/restore.sh', backupFile], { ...process.env, ...CACHE, DATABASE_URL: target.url, REDIS_URL });
  restored = await startServices(target.url, REDIS_URL, CACHE);
}, 180_000);

afterAll(async () => {
  await restored?.stop();
  await target?.drop();
  await source?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('backup and restore into another cluster', () => {
  it('restores the state at the backup: what was written after it is gone, stale cache entries too', async () => {
    const services = restored!;
    expect(restoreOutput).toMatch(/restore: \d+ events into/);
    expect(restoreOutput).toMatch(new RegExp(`restore: removed [1-9]\\d* cached entries under ${CACHE.CACHE_NAMESPACE}:iwf:c: from`));
    expect((await call(services.query, 'GET', '/api/v1/workflows/wf_a', { token: bearer })).body).toMatchObject({ workflow_id: 'wf_a', enabled: false, revision: 1 });
    expect((await call(services.query, 'GET', '/api/v1/workflows/wf_b', { token: bearer })).status).toBe(200);
    expect((await call(services.query, 'GET', '/api/v1/workflows/wf_c', { token: bearer })).status).toBe(404);
  });

  it('moves the log past the restored transaction ids (the source cluster was far ahead)', async () => {
    const offset = /transaction id offset (\d+)/.exec(restoreOutput)?.[1];
    expect(BigInt(offset ?? '0')).toBeGreaterThan(BigInt(SOURCE_EPOCH - 1) << 32n);
  });

  it('takes new writes after the restore, and they project (read-your-writes through X-Min-Position)', async () => {
    const services = restored!;
    const created = await call<{ position: string }>(services.command, 'POST', '/api/v1/workflows', { token: bearer, body: await workflow('product-inventory-sync.json', 'wf_d') });
    expect(created.status).toBe(201);
    const read = await call(services.query, 'GET', '/api/v1/workflows/wf_d', { token: bearer, headers: { 'x-min-position': created.body.position } });
    expect(read.status, JSON.stringify(read.body)).toBe(200);

    const enabled = await call<{ position: string; revision: number }>(services.command, 'POST', '/api/v1/workflows/wf_a/enable', { token: bearer });
    expect(enabled.body.revision).toBe(2);
    const again = await call(services.query, 'GET', '/api/v1/workflows/wf_a', { token: bearer, headers: { 'x-min-position': enabled.body.position } });
    expect(again.body).toMatchObject({ enabled: true, revision: 2 });

    // In the log, every new event sorts after every restored one.
    const [restoredMax, freshMin, freshCount] = (
      await run('psql', [target.url, '-XAtq', '-F', ' ', '-c', `
        SELECT max(e.tx_id::text::numeric) FILTER (WHERE e.tx_id <= t.last_restored_tx),
               min(e.tx_id::text::numeric) FILTER (WHERE e.tx_id > t.last_restored_tx),
               count(*) FILTER (WHERE e.tx_id > t.last_restored_tx)
        FROM iwf_events.events e, iwf_events.tx_epochs t`])
    ).trim().split(' ');
    expect(Number(freshCount)).toBeGreaterThanOrEqual(2);
    expect(BigInt(freshMin!)).toBeGreaterThan(BigInt(restoredMax!));
  });

  it('iwf verify finds the read models equal to a fresh replay, and iwf verify-chain finds every chain intact', async () => {
    // Exit code 0 means no drift (run() rejects on any other); each read model says so.
    const verify = await iwf(['verify', '--all'], target.url);
    const lines = verify.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^\w+: no drift \(\d+ events replayed/);
    expect(verify).toMatch(/^workflows: no drift \(5 events replayed/m);
    await iwf(['verify-chain'], target.url);
  });

  it('refuses to back up in KurrentDB mode, where the log is not in PostgreSQL, and writes no file', async () => {
    const file = join(work, 'kurrentdb.dump');
    await expect(run('bash', ['scripts/backup.sh', file], { ...process.env, EVENT_STORE: 'kurrentdb', DATABASE_URL: target.url })).rejects.toThrow(
      /EVENT_STORE=kurrentdb keeps the event log in KurrentDB/,
    );
    expect(existsSync(file)).toBe(false);
  });

  it('refuses to restore over a database that already holds the system', async () => {
    await expect(run('bash', ['scripts/restore.sh', backupFile], { ...process.env, DATABASE_URL: target.url, REDIS_URL })).rejects.toThrow(
      /already holds iwf_\* schemas; restore into a new, empty database/,
    );
  });
});

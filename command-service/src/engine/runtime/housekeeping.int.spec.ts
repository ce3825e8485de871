import { afterAll, beforeAll, expect, it } from 'vitest';
import { housekeeping } from './housekeeping.js';
import { startEngineSystem, type EngineTestSystem } from './testing/system.js';

let system: EngineTestSystem;

beforeAll(async () => {
  system = await startEngineSystem('housekeeping', { ENGINE_WORKERS: 'false' });
});

afterAll(async () => {
  await system?.close();
});

it('forgets the sync rows of executions that ended long ago, and only those', async () => {
  await system.pool.query(
    `INSERT INTO iwf_command.engine_executions (tenant, execution_id, workflow_id, status, synced_revision, updated_at) VALUES
       ('t', 'old-done', 'w', 'completed', 5, now() - interval '2 days'),
       ('t', 'old-waiting', 'w', 'waiting', 3, now() - interval '2 days'),
       ('t', 'new-done', 'w', 'failed', 4, now())`,
  );
  const task = housekeeping(system.pool, () => new Date());
  expect(await task.run()).toBe(false);
  const left = await system.pool.query<{ execution_id: string }>('SELECT execution_id FROM iwf_command.engine_executions ORDER BY 1');
  expect(left.rows.map((row) => row.execution_id)).toEqual(['new-done', 'old-waiting']);
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventIngested } from '@iwf/contracts';
import { streamId } from '@iwf/contracts';
import { awaitEvent } from '../engine/runtime/testing/await.js';
import { startEngineSystem, type EngineTestSystem } from '../engine/runtime/testing/system.js';
import { createWorkflow } from '../engine/runtime/testing/world.js';
import { engineIds } from '../engine/runtime/ids.js';

let system: EngineTestSystem;

const decisionWorkflow = (decision: string) => ({
  workflow_id: 'verdict', version: decision, name: 'verdict', trigger: { type: 'event', event: 'case.opened' },
  steps: [{ id: 'rule', type: 'action', action: { type: decision } }],
});

beforeAll(async () => {
  system = await startEngineSystem('recover');
  await createWorkflow(system, decisionWorkflow('allow'));
  expect((await system.call('PUT', '/workflows/verdict', decisionWorkflow('block'))).status).toBe(200);
});

afterAll(async () => {
  await system?.close();
});

/** An ingest record as a process that died right after appending it (before its starts) leaves it. */
async function orphanRecord(eventId: string, revision = 1): Promise<string> {
  const executionId = engineIds.eventExecution(system.tenant, eventId, 'verdict');
  const data: EventIngested['data'] = {
    event_id: eventId, event_type: 'case.opened', source: 'api', payload: { case: { id: eventId } }, received_at: new Date().toISOString(),
    executions: [{ execution_id: executionId, workflow_id: 'verdict', workflow_revision: revision }],
  };
  const metadata = { tenant: system.tenant, actor: 'client', correlation_id: randomUUID() };
  await system.store.append(streamId('ingest', system.tenant, eventId), [{ event_id: engineIds.ingestRecord(system.tenant, eventId), type: 'EventIngested', data, metadata }], 'no_stream');
  return executionId;
}

describe('an ingest record whose executions never started', () => {
  it('starts them when the client retries the event id, pinned to the revision the record names', async () => {
    const executionId = await orphanRecord('case-1');
    const retried = await system.call('POST', '/events?wait=true', { event_type: 'case.opened', event_id: 'case-1', payload: { case: { id: 'case-1' } } });
    expect(retried.status).toBe(202);
    // Revision 1 allowed; the current revision 2 blocks: the record's pin wins.
    expect(retried.body['executions']).toEqual([{ execution_id: executionId, workflow_id: 'verdict', status: 'completed', decision: 'allowed' }]);
    const [started] = await system.execution(executionId);
    expect(started?.data).toMatchObject({ workflow_revision: 1, trigger: { kind: 'event', event_id: 'case-1' }, context: { case: { id: 'case-1' } } });
  });

  it('starts them from the repair subscription when nobody retries', async () => {
    const executionId = await orphanRecord('case-2');
    const started = await awaitEvent(system.store, (event) => event.type === 'ExecutionStarted' && event.stream_id.endsWith(executionId));
    expect(started.data).toMatchObject({ workflow_revision: 1 });
    const ended = await awaitEvent(system.store, (event) => event.type === 'ExecutionCompleted' && event.stream_id.endsWith(executionId));
    expect(ended.data).toMatchObject({ decision: 'allowed' });
  });

  it('a record the repair cannot complete is logged and skipped, and later ones are still repaired', async () => {
    await orphanRecord('case-3', 99);
    const executionId = await orphanRecord('case-4');
    await awaitEvent(system.store, (event) => event.type === 'ExecutionCompleted' && event.stream_id.endsWith(executionId));
    const skipped = system.logLines.map((line) => JSON.parse(line) as { msg: string; stream_id?: string }).filter((line) => line.msg.startsWith('engine repair skipped'));
    expect(skipped.map((line) => line.stream_id)).toEqual([`ingest:${system.tenant}:case-3`]);
  });

  it('ingesting normally starts the current revision', async () => {
    const reply = await system.call('POST', '/events?wait=true', { event_type: 'case.opened', payload: {} });
    expect(reply.body['executions']).toEqual([expect.objectContaining({ decision: 'blocked' })]);
  });
});

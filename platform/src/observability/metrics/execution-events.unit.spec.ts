import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { EventStore, NewEvent, RecordedEvent } from '@iwf/contracts';
import { observeExecutionEvents } from './execution-events.js';
import { createWorkflowMetrics } from './workflow.js';

const at = (second: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, second)).toISOString();
let ids = 0;
const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  event_id: `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  type,
  data,
  metadata: { tenant: 'acme', actor: 'engine', correlation_id: 'c' },
});

/** Keeps what was appended per stream; answers `appended: false` for a repeated first event id. */
function memoryStore(): EventStore {
  const streams = new Map<string, NewEvent[]>();
  return {
    async append(streamId, events) {
      const stream = streams.get(streamId) ?? [];
      const repeated = stream.some((known) => known.event_id === events[0]?.event_id);
      if (!repeated) stream.push(...events);
      streams.set(streamId, stream);
      return { next_revision: stream.length - 1, position: { commit: 1n, prepare: 1n }, appended: !repeated };
    },
    async readStream(streamId, options) {
      return (streams.get(streamId) ?? []).slice(0, options?.max_count).map((known, revision) => ({ ...known, stream_id: streamId, stream_revision: revision }) as unknown as RecordedEvent);
    },
  } as Partial<EventStore> as EventStore;
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

describe('workflow series from appended execution events', () => {
  it('counts starts and endings, times steps and approvals, once per event', async () => {
    const registry = new Registry();
    const raw = memoryStore();
    const store = observeExecutionEvents(raw, createWorkflowMetrics(registry));
    const stream = 'execution:acme:e1';
    const started = event('ExecutionStarted', { execution_id: 'e1', workflow_id: 'orders', started_at: at(0) });
    await store.append(stream, [started, event('StepStarted', { run: 0, step_id: 'ask', step_type: 'approval', attempt: 1, at: at(1) })], 'no_stream');
    await store.append(stream, [event('ApprovalRequested', { run: 0, approval_id: 'a1', at: at(1) })], 0);
    await store.append(stream, [event('ApprovalResolved', { run: 0, approval_id: 'a1', status: 'approved', at: at(31) })], 1);
    await store.append(stream, [event('StepCompleted', { run: 0, step_id: 'ask', at: at(31) }), event('StepStarted', { run: 1, step_id: 'call', step_type: 'execute', attempt: 1, at: at(31) })], 2);
    await store.append(stream, [event('StepFailed', { run: 1, attempt: 1, retry_at: at(33), at: at(32) })], 3);
    await store.append(stream, [event('StepFailed', { run: 1, attempt: 2, retry_at: null, at: at(35) })], 4);
    await store.append(stream, [event('ExecutionCompleted', { decision: 'allowed', at: at(36), duration_ms: 36_000 })], 5);
    // A retried append that wrote nothing changes nothing.
    await store.append(stream, [started], 'any');
    await settle();
    const text = await registry.metrics();
    expect(text).toContain('iwf_workflow_executions_started_total{workflow="orders"} 1');
    expect(text).toContain('iwf_workflow_executions_total{workflow="orders",status="completed",decision="allowed"} 1');
    expect(text).toContain('iwf_workflow_execution_duration_seconds_sum{workflow="orders",status="completed"} 36');
    expect(text).toContain('iwf_workflow_step_duration_seconds_sum{workflow="orders",step_type="approval",status="completed"} 30');
    // The failed attempt that was retried is part of the step's run, which failed for good at 35 s.
    expect(text).toContain('iwf_workflow_step_duration_seconds_sum{workflow="orders",step_type="execute",status="failed"} 4');
    expect(text).toContain('iwf_approvals_requested_total{workflow="orders"} 1');
    expect(text).toContain('iwf_approvals_decided_total{workflow="orders",decision="approved"} 1');
    expect(text).toContain('iwf_approval_wait_seconds_sum{decision="approved"} 30');
  });

  it('counts a withdrawn approval under its execution’s workflow and ending, once, and nothing else on approval streams', async () => {
    const raw = memoryStore();
    await raw.append('execution:acme:e3', [event('ExecutionStarted', { execution_id: 'e3', workflow_id: 'refunds', started_at: at(0) })], 'no_stream');
    const registry = new Registry();
    const store = observeExecutionEvents(raw, createWorkflowMetrics(registry));
    const withdrawn = event('ApprovalWithdrawn', { approval_id: 'a3', execution_id: 'e3', execution_status: 'timed_out', at: at(9) });
    await store.append('approval:acme:a3', [event('ApprovalCreated', { approval_id: 'a3', execution_id: 'e3', workflow_id: 'refunds' }), withdrawn], 'no_stream');
    await store.append('approval:acme:a3', [withdrawn], 'any');
    await store.append('approval:acme:a4', [event('ApprovalApproved', { approval_id: 'a4', decided_by: 'u', comment: null, at: at(9) })], 'no_stream');
    await settle();
    const text = await registry.metrics();
    expect(text).toContain('iwf_approvals_withdrawn_total{workflow="refunds",execution_status="timed_out"} 1');
    expect(text).not.toContain('iwf_approvals_decided_total{');
    expect(text).not.toContain('iwf_approvals_requested_total{');
  });

  it('finds the workflow of an execution another process started', async () => {
    const raw = memoryStore();
    await raw.append('execution:acme:e2', [event('ExecutionStarted', { execution_id: 'e2', workflow_id: 'quotes', started_at: at(0) })], 'no_stream');
    const registry = new Registry();
    const store = observeExecutionEvents(raw, createWorkflowMetrics(registry));
    await store.append('execution:acme:e2', [event('ExecutionFailed', { step_id: null, path: [], error: {}, at: at(2), duration_ms: 2_000 })], 0);
    await store.append('workflow:acme:w', [event('ExecutionFailed', { at: at(2), duration_ms: 1 })], 'any');
    await settle();
    const text = await registry.metrics();
    expect(text).toContain('iwf_workflow_executions_total{workflow="quotes",status="failed",decision="none"} 1');
    expect(text).not.toContain('workflow="unknown"');
  });
});

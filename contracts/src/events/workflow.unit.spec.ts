import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../event-store/types.js';
import { WORKFLOW_EVENT_DATA_SCHEMAS, WORKFLOW_EVENT_TYPES } from '../workflow/events.js';
import { parseWorkflowDocument } from '../workflow/parse.js';
import { currentSchemaVersion, eventRegistry, upcast, upcastRecorded } from './catalog.js';

const fixture = fileURLToPath(new URL('../../../fixtures/workflows/legacy/quote-multi-level-approval.json', import.meta.url));
const legacy = JSON.parse(readFileSync(fixture, 'utf8')) as Record<string, unknown>;

/** WorkflowCreated data as version 1 wrote it: the submitted legacy document plus created_at. */
const v1: Record<string, unknown> = { ...legacy, created_at: '2023-05-01T08:00:00.000Z' };

describe('workflow events in the registry', () => {
  it('registers every workflow event type', () => {
    for (const type of WORKFLOW_EVENT_TYPES) expect(eventRegistry.currentVersion(type), type).toBeGreaterThanOrEqual(1);
  });

  it('writes ExecutionRetried as v2, and reads a v1 one (no timeout_at: the deadline stays) as it was', () => {
    expect(currentSchemaVersion('ExecutionRetried')).toBe(2);
    const v1Retried = { from_step_id: 'call', run: 1, by: 'ops-1', at: '2024-05-01T11:00:00.000Z' };
    expect(upcast('ExecutionRetried', 1, v1Retried)).toEqual(v1Retried);
  });

  it('writes WorkflowCreated as v2, the others as v1', () => {
    expect(currentSchemaVersion('WorkflowCreated')).toBe(2);
    expect(currentSchemaVersion('WorkflowEnabled')).toBe(1);
    expect(currentSchemaVersion('NotRegisteredYet')).toBe(1);
  });
});

describe('WorkflowCreated v1 → v2', () => {
  const upcasted = upcast('WorkflowCreated', 1, v1) as Record<string, unknown>;

  it('nests the definition the way parseWorkflowDocument does', () => {
    const parsed = parseWorkflowDocument(legacy);
    expect(parsed.ok && upcasted['definition']).toEqual(parsed.ok && parsed.document.definition);
    for (const key of ['trigger', 'context', 'timeout', 'steps']) expect(upcasted).not.toHaveProperty(key);
  });

  it('keeps the header and adds an empty extra', () => {
    expect(upcasted).toMatchObject({ workflow_id: 'quote_multi_level_approval', version: '1.0.0', enabled: true, extra: {}, created_at: v1['created_at'] });
  });

  it('gives data valid under the current schema', () => {
    expect(Value.Check(WORKFLOW_EVENT_DATA_SCHEMAS.WorkflowCreated, upcasted)).toBe(true);
  });

  it('fills description, tags and enabled when v1 left them out', () => {
    const { description: _d, tags: _t, enabled: _e, ...bare } = v1;
    expect(upcast('WorkflowCreated', 1, bare)).toMatchObject({ description: null, tags: [], enabled: true });
  });

  it('does not change its input', () => {
    const input = structuredClone(v1);
    upcast('WorkflowCreated', 1, input);
    expect(input).toEqual(v1);
  });

  it('is applied to recorded events, which then carry the current version', () => {
    const recorded: RecordedEvent = {
      event_id: 'e1',
      stream_id: 'workflow:t1:quote_multi_level_approval',
      stream_revision: 0,
      position: { commit: 1n, prepare: 1n },
      type: 'WorkflowCreated',
      schema_version: 1,
      data: v1,
      metadata: { tenant: 't1', actor: 'a', correlation_id: 'c' },
      recorded_at: new Date(0),
    };
    const current = upcastRecorded(recorded);
    expect(current.schema_version).toBe(2);
    expect(current.data).toEqual(upcasted);
    expect(upcastRecorded(current)).toBe(current);
  });
});

import { describe, expect, it } from 'vitest';
import type { RecordedEvent, WorkflowEvent } from '@iwf/contracts';
import type { WorkflowChange, WorkflowRecord } from './evolve.js';
import { evolveWorkflow } from './evolve.js';
import { archived, created, definition, disabled, enabled, published, recordAll } from './testing/workflow-events.js';

const T = 'acme';

/** Given events already applied, when one more arrives, then the fold gives this change. */
function given(events: readonly WorkflowEvent[]) {
  const recorded = recordAll(T, 'wf', events);
  const fold = (upTo: readonly RecordedEvent[]): WorkflowRecord | undefined =>
    upTo.reduce<WorkflowRecord | undefined>((record, event) => evolveWorkflow(record, T, event)?.record ?? record, undefined);
  return {
    state: () => fold(recorded),
    when(event: WorkflowEvent): WorkflowChange | undefined {
      const next = recordAll(T, 'wf', [...events, event])[events.length]!;
      return evolveWorkflow(fold(recorded), T, next);
    },
    replaying: (index: number) => evolveWorkflow(fold(recorded), T, recorded[index]!),
  };
}

describe('workflow fold', () => {
  it('creates the view, its first version and the trigger columns', () => {
    const change = given([]).when(
      created('wf', '2024-03-01T10:00:00Z', { name: 'Orders', tags: ['a'], extra: { owner: 'ops' }, definition: definition('order.*') }),
    );
    expect(change?.record).toMatchObject({
      tenant: T,
      trigger_type: 'event',
      trigger_event: 'order.*',
      position: { commit: 1n, prepare: 1n },
      view: {
        workflow_id: 'wf',
        name: 'Orders',
        tags: ['a'],
        enabled: true,
        archived: false,
        definition_revision: 1,
        revision: 0,
        metadata: { owner: 'ops' },
        created_at: '2024-03-01T10:00:00.000Z',
        updated_at: '2024-03-01T10:00:00.000Z',
      },
    });
    expect(change?.version).toMatchObject({ definition_revision: 1, name: 'Orders', published_at: '2024-03-01T10:00:00.000Z' });
  });

  it('publishes a new definition: replaces the header, counts the revision, keeps created_at and enabled', () => {
    const history = given([created('wf', '2024-03-01T10:00:00Z', { enabled: false })]);
    const change = history.when(
      published('wf', '2024-03-02T10:00:00.123456Z', { name: 'Renamed', version: '2.0.0', tags: ['b'], description: null, definition: definition('invoice.paid') }),
    );
    expect(change?.record.view).toMatchObject({
      name: 'Renamed',
      version: '2.0.0',
      description: null,
      tags: ['b'],
      enabled: false,
      definition_revision: 2,
      revision: 1,
      created_at: '2024-03-01T10:00:00.000Z',
      updated_at: '2024-03-02T10:00:00.123Z',
    });
    expect(change?.record.trigger_event).toBe('invoice.paid');
    expect(change?.version).toMatchObject({ definition_revision: 2, version: '2.0.0', published_at: '2024-03-02T10:00:00.123Z' });
  });

  it('toggles enabled and archives without a new version', () => {
    const history = given([created('wf', '2024-03-01T10:00:00Z'), disabled('wf', '2024-03-01T11:00:00Z')]);
    expect(history.state()?.view).toMatchObject({ enabled: false, revision: 1, updated_at: '2024-03-01T11:00:00.000Z' });
    expect(history.when(enabled('wf', '2024-03-01T12:00:00Z'))).toMatchObject({ record: { view: { enabled: true, revision: 2 } } });
    const archive = history.when(archived('wf', '2024-03-01T13:00:00Z'));
    expect(archive?.record.view).toMatchObject({ archived: true, enabled: false, definition_revision: 1 });
    expect(archive?.version).toBeUndefined();
  });

  it('skips an event the record already reflects (redelivery)', () => {
    const history = given([created('wf', '2024-03-01T10:00:00Z'), published('wf', '2024-03-02T10:00:00Z')]);
    expect(history.replaying(0)).toBeUndefined();
    expect(history.replaying(1)).toBeUndefined();
    expect(history.state()?.view.definition_revision).toBe(2);
  });

  it('refuses events that cannot be applied', () => {
    expect(() => given([]).when(enabled('wf', '2024-03-01T10:00:00Z'))).toThrow(/before it was created/);
    expect(() => given([created('wf', '2024-03-01T10:00:00Z')]).when(created('wf', '2024-03-01T10:00:00Z'))).toThrow(/created twice/);
    expect(() => given([]).when(created('wf', 'not a time'))).toThrow(/invalid timestamp/);
    const unknown = { ...recordAll(T, 'wf', [created('wf', '2024-03-01T10:00:00Z')])[0]!, type: 'WorkflowRenamed' };
    expect(() => evolveWorkflow(undefined, T, unknown)).toThrow(/unknown workflow event type/);
  });
});

import { describe, expect, it } from 'vitest';
import type { WorkflowCommand, WorkflowCreated, WorkflowDocument, WorkflowEvent } from '@iwf/contracts';
import { deciderSpec } from '../../testing/decider-spec.js';
import { evolve, initialState, workflowDecider } from './decider.js';

const spec = deciderSpec(workflowDecider);
const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-02T10:00:00.000Z';

const document = (overrides: Partial<WorkflowDocument> = {}): WorkflowDocument => ({
  workflow_id: 'order_approval',
  version: '1.0.0',
  name: 'Order approval',
  description: null,
  tags: ['orders'],
  enabled: true,
  definition: { trigger: { type: 'event', event: 'order.created' }, steps: [{ id: 'ok', type: 'action', action: { type: 'allow' } }] },
  extra: {},
  ...overrides,
});

const content = ({ name, version, description, tags, definition, extra }: WorkflowDocument) => ({ name, version, description, tags, definition, extra });

const created = (doc = document(), at = T0): WorkflowCreated => ({
  type: 'WorkflowCreated',
  data: { workflow_id: doc.workflow_id, ...content(doc), enabled: doc.enabled, created_at: at },
});
const disabled: WorkflowEvent = { type: 'WorkflowDisabled', data: { workflow_id: 'order_approval', disabled_at: T0 } };
const archived: WorkflowEvent = { type: 'WorkflowArchived', data: { workflow_id: 'order_approval', archived_at: T0 } };

const createCmd = (doc = document()): WorkflowCommand => ({ type: 'CreateWorkflow', data: { document: doc, now: T1 } });
const publishCmd = (doc: WorkflowDocument): WorkflowCommand => ({ type: 'PublishWorkflowDefinition', data: { document: doc, now: T1 } });
const toggleCmd = (type: 'EnableWorkflow' | 'DisableWorkflow' | 'ArchiveWorkflow'): WorkflowCommand => ({
  type,
  data: { workflow_id: 'order_approval', now: T1 },
});

const v2 = document({ version: '2.0.0', definition: { trigger: { type: 'manual' }, steps: [{ id: 'no', type: 'action', action: { type: 'block' } }] } });

describe('CreateWorkflow', () => {
  it('creates a workflow with the document and the command time', () => {
    spec.given([]).when(createCmd()).then([created(document(), T1)]);
  });

  it('keeps enabled: false and extra metadata from the document', () => {
    const doc = document({ enabled: false, extra: { owner: 'ops' } });
    spec.given([]).when(createCmd(doc)).then([created(doc, T1)]);
  });

  it('rejects an id that exists', () => {
    const error = spec.given([created()]).when(createCmd()).thenThrows('conflict', 'workflow-exists');
    expect(error.errors).toEqual([{ pointer: '/workflow_id', message: 'already exists' }]);
  });

  it('rejects an id that was archived', () => {
    spec.given([created(), archived]).when(createCmd()).thenThrows('conflict', 'workflow-exists');
  });
});

describe('PublishWorkflowDefinition', () => {
  it('publishes a new definition', () => {
    spec.given([created()]).when(publishCmd(v2)).then([
      { type: 'WorkflowDefinitionPublished', data: { workflow_id: 'order_approval', ...content(v2), published_at: T1 } },
    ]);
  });

  it('appends nothing when the content is what is already published', () => {
    spec.given([created()]).when(publishCmd(document())).then([]);
  });

  it('compares with the latest publish, not the creation', () => {
    const published: WorkflowEvent = { type: 'WorkflowDefinitionPublished', data: { workflow_id: 'order_approval', ...content(v2), published_at: T0 } };
    spec.given([created(), published]).when(publishCmd(v2)).then([]);
    spec.given([created(), published]).when(publishCmd(document())).then([
      { type: 'WorkflowDefinitionPublished', data: { workflow_id: 'order_approval', ...content(document()), published_at: T1 } },
    ]);
  });

  it('does not change enabled: a publish of an enabled:true document leaves a disabled workflow disabled', () => {
    spec.given([created(), disabled]).when(publishCmd(v2)).then([
      { type: 'WorkflowDefinitionPublished', data: { workflow_id: 'order_approval', ...content(v2), published_at: T1 } },
    ]);
  });

  it('rejects a document naming another workflow', () => {
    const error = spec.given([created()]).when(publishCmd(document({ workflow_id: 'other' }))).thenThrows('validation');
    expect(error.errors[0]?.pointer).toBe('/workflow_id');
  });

  it('rejects an absent workflow', () => {
    spec.given([]).when(publishCmd(v2)).thenThrows('not_found');
  });

  it('rejects an archived workflow', () => {
    spec.given([created(), archived]).when(publishCmd(v2)).thenThrows('illegal_state', 'workflow-archived');
  });
});

describe('EnableWorkflow and DisableWorkflow', () => {
  it('disables an enabled workflow', () => {
    spec.given([created()]).when(toggleCmd('DisableWorkflow')).then([{ type: 'WorkflowDisabled', data: { workflow_id: 'order_approval', disabled_at: T1 } }]);
  });

  it('enables a disabled workflow', () => {
    spec.given([created(), disabled]).when(toggleCmd('EnableWorkflow')).then([{ type: 'WorkflowEnabled', data: { workflow_id: 'order_approval', enabled_at: T1 } }]);
  });

  it('enables a workflow created disabled', () => {
    spec.given([created(document({ enabled: false }))]).when(toggleCmd('EnableWorkflow')).then([{ type: 'WorkflowEnabled', data: { workflow_id: 'order_approval', enabled_at: T1 } }]);
  });

  it('is idempotent: enabling an enabled workflow or disabling a disabled one appends nothing', () => {
    spec.given([created()]).when(toggleCmd('EnableWorkflow')).then([]);
    spec.given([created(), disabled]).when(toggleCmd('DisableWorkflow')).then([]);
  });

  it.each(['EnableWorkflow', 'DisableWorkflow'] as const)('%s rejects an absent workflow', (type) => {
    spec.given([]).when(toggleCmd(type)).thenThrows('not_found');
  });

  it.each(['EnableWorkflow', 'DisableWorkflow'] as const)('%s rejects an archived workflow', (type) => {
    spec.given([created(), archived]).when(toggleCmd(type)).thenThrows('illegal_state', 'workflow-archived');
  });
});

describe('ArchiveWorkflow', () => {
  it('archives an active workflow, enabled or not', () => {
    const expected = [{ type: 'WorkflowArchived', data: { workflow_id: 'order_approval', archived_at: T1 } }] as const;
    spec.given([created()]).when(toggleCmd('ArchiveWorkflow')).then(expected);
    spec.given([created(), disabled]).when(toggleCmd('ArchiveWorkflow')).then(expected);
  });

  it('rejects an absent workflow', () => {
    spec.given([]).when(toggleCmd('ArchiveWorkflow')).thenThrows('not_found');
  });

  it('rejects archiving twice', () => {
    spec.given([created(), archived]).when(toggleCmd('ArchiveWorkflow')).thenThrows('illegal_state', 'workflow-archived');
  });
});

describe('evolve', () => {
  const fold = (events: readonly WorkflowEvent[]) => events.reduce(evolve, initialState);

  it('counts definition revisions and tracks enabled and archived', () => {
    const published: WorkflowEvent = { type: 'WorkflowDefinitionPublished', data: { workflow_id: 'order_approval', ...content(v2), published_at: T1 } };
    expect(fold([])).toEqual({ status: 'absent' });
    expect(fold([created(), published, disabled])).toMatchObject({ status: 'active', enabled: false, definition_revision: 2, content: { version: '2.0.0' } });
    expect(fold([created(), published, archived])).toMatchObject({ status: 'archived', definition_revision: 2 });
    expect(fold([created(), archived])).not.toHaveProperty('enabled');
  });
});

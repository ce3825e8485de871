import { Type } from '@sinclair/typebox';
import type { Static, TSchema } from '@sinclair/typebox';
import { WorkflowDefinitionBodySchema } from './definition.js';
import type { WorkflowDefinitionBody } from './definition.js';

/**
 * Events of the workflow aggregate (stream `workflow:<tenant>:<workflow_id>`). Past tense;
 * each carries everything a read model needs, so projections never look back.
 */
export interface WorkflowCreated {
  readonly type: 'WorkflowCreated';
  readonly data: {
    readonly workflow_id: string;
    readonly name: string;
    readonly version: string;
    readonly description: string | null;
    readonly tags: readonly string[];
    readonly enabled: boolean;
    readonly definition: WorkflowDefinitionBody;
    /** Unknown top-level keys of the submitted document, kept as metadata. */
    readonly extra: Readonly<Record<string, unknown>>;
    readonly created_at: string;
  };
}

export interface WorkflowDefinitionPublished {
  readonly type: 'WorkflowDefinitionPublished';
  readonly data: {
    readonly workflow_id: string;
    readonly name: string;
    readonly version: string;
    readonly description: string | null;
    readonly tags: readonly string[];
    readonly definition: WorkflowDefinitionBody;
    readonly extra: Readonly<Record<string, unknown>>;
    readonly published_at: string;
  };
}

export interface WorkflowEnabled {
  readonly type: 'WorkflowEnabled';
  readonly data: { readonly workflow_id: string; readonly enabled_at: string };
}

export interface WorkflowDisabled {
  readonly type: 'WorkflowDisabled';
  readonly data: { readonly workflow_id: string; readonly disabled_at: string };
}

export interface WorkflowArchived {
  readonly type: 'WorkflowArchived';
  readonly data: { readonly workflow_id: string; readonly archived_at: string };
}

export type WorkflowEvent = WorkflowCreated | WorkflowDefinitionPublished | WorkflowEnabled | WorkflowDisabled | WorkflowArchived;
export type WorkflowEventType = WorkflowEvent['type'];

export const WORKFLOW_EVENT_TYPES: readonly WorkflowEventType[] = [
  'WorkflowCreated',
  'WorkflowDefinitionPublished',
  'WorkflowEnabled',
  'WorkflowDisabled',
  'WorkflowArchived',
];

const Timestamp = Type.String({ description: 'ISO-8601 UTC' });
const document = {
  workflow_id: Type.String(),
  name: Type.String(),
  version: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  tags: Type.Array(Type.String()),
  definition: WorkflowDefinitionBodySchema,
  extra: Type.Record(Type.String(), Type.Unknown()),
};

/** Schemas of each event's current data, for documentation and tests; the interfaces above are the contract. */
export const WORKFLOW_EVENT_DATA_SCHEMAS = {
  WorkflowCreated: Type.Object({ ...document, enabled: Type.Boolean(), created_at: Timestamp }),
  WorkflowDefinitionPublished: Type.Object({ ...document, published_at: Timestamp }),
  WorkflowEnabled: Type.Object({ workflow_id: Type.String(), enabled_at: Timestamp }),
  WorkflowDisabled: Type.Object({ workflow_id: Type.String(), disabled_at: Timestamp }),
  WorkflowArchived: Type.Object({ workflow_id: Type.String(), archived_at: Timestamp }),
} satisfies Record<WorkflowEventType, TSchema>;

// Compile-time check that a value valid under the schema satisfies the interface.
type DataOf<T extends WorkflowEventType> = Extract<WorkflowEvent, { type: T }>['data'];
type SchemaMatches<T extends WorkflowEventType> = Static<(typeof WORKFLOW_EVENT_DATA_SCHEMAS)[T]> extends DataOf<T> ? true : never;
const _schemasMatchEvents: { [T in WorkflowEventType]: SchemaMatches<T> } = {
  WorkflowCreated: true,
  WorkflowDefinitionPublished: true,
  WorkflowEnabled: true,
  WorkflowDisabled: true,
  WorkflowArchived: true,
};

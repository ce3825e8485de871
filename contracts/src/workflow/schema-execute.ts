import { Type } from '@sinclair/typebox';
import type { Static, TObject, TProperties } from '@sinclair/typebox';
import { DurationSchema, EventTypeSchema, NonEmptyString, StringEnum } from './schema-common.js';

export const EXECUTE_TYPES = [
  'http_request',
  'webhook',
  'notify',
  'create_approval_request',
  'create_record',
  'update_record',
  'emit',
  'log',
] as const;
export type ExecuteType = (typeof EXECUTE_TYPES)[number];

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** Schemes a notify recipient may use; a bare email address or a template is accepted too. */
export const RECIPIENT_SCHEMES = ['mailto', 'slack', 'pagerduty', 'webhook', 'role'] as const;

/** Every item has its type and may carry a name; unknown keys are rejected (a typo would change meaning). */
function item<T extends ExecuteType, P extends TProperties>(type: T, properties: P) {
  return Type.Object(
    { type: Type.Literal(type), name: Type.Optional(NonEmptyString(200)), description: Type.Optional(Type.String()), ...properties },
    { additionalProperties: false },
  );
}

const Data = Type.Record(Type.String(), Type.Unknown());

const http = {
  url: NonEmptyString(4000),
  method: Type.Optional(StringEnum(HTTP_METHODS, 'Default POST')),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  body: Type.Optional(Type.Unknown()),
};

export const ApprovalRequestDataSchema = Type.Object(
  { approver_role: NonEmptyString(200), reason: Type.String({ maxLength: 2000 }), expires_in: DurationSchema },
  { additionalProperties: true, description: 'More keys are kept as the approval data' },
);

export const EXECUTE_ITEM_SCHEMAS = {
  http_request: item('http_request', http),
  webhook: item('webhook', http),
  notify: item('notify', {
    recipients: Type.Array(NonEmptyString(500), { minItems: 1, maxItems: 50 }),
    message: NonEmptyString(10_000),
  }),
  create_approval_request: item('create_approval_request', {
    entity: NonEmptyString(200),
    entity_id: NonEmptyString(500),
    data: ApprovalRequestDataSchema,
  }),
  create_record: item('create_record', { entity: NonEmptyString(200), entity_id: Type.Optional(NonEmptyString(500)), data: Data }),
  update_record: item('update_record', { entity: NonEmptyString(200), entity_id: Type.Optional(NonEmptyString(500)), data: Data }),
  emit: item('emit', { event_type: EventTypeSchema, payload: Data }),
  log: item('log', { message: NonEmptyString(10_000), level: Type.Optional(StringEnum(LOG_LEVELS, 'Default info')) }),
} satisfies Record<ExecuteType, TObject>;

export const ExecuteItemSchema = Type.Union(Object.values(EXECUTE_ITEM_SCHEMAS), { $id: 'WorkflowExecuteItem' });
export type ExecuteItem = { [K in ExecuteType]: Static<(typeof EXECUTE_ITEM_SCHEMAS)[K]> }[ExecuteType];

import { Type } from '@sinclair/typebox';
import { cronError, isValidTimeZone } from '../shared/cron.js';
import { ContextSchema, DurationSchema, TRIGGER_SCHEMAS, TRIGGER_TYPES } from './schema-common.js';
import type { TriggerType } from './schema-common.js';
import { schemaErrors } from './schema-errors.js';
import { unknownKey } from './suggest.js';
import { checkGraph } from './graph.js';
import { validateStepList } from './validate-steps.js';
import { checkDuration, isObject, pointerTo, report } from './walk.js';
import type { Walk } from './walk.js';

export const DEFINITION_KEYS = ['trigger', 'context', 'timeout', 'steps'] as const;

const ShallowBody = Type.Object(
  {
    trigger: Type.Unknown(),
    context: Type.Optional(ContextSchema),
    timeout: Type.Optional(DurationSchema),
    steps: Type.Array(Type.Unknown(), { minItems: 1 }),
  },
  { additionalProperties: false },
);

function validateSchedule(walk: Walk, trigger: Record<string, unknown>, pointer: string): void {
  const { cron, timezone } = trigger;
  let zone = 'UTC';
  if (typeof timezone === 'string') {
    if (isValidTimeZone(timezone)) zone = timezone;
    else report(walk, pointerTo(pointer, 'timezone'), `unknown time zone "${timezone.slice(0, 64)}"; use an IANA name such as "Europe/Paris"`);
  }
  if (typeof cron !== 'string') return;
  const problem = cronError(cron, zone);
  if (problem !== undefined) report(walk, pointerTo(pointer, 'cron'), problem);
}

function validateTrigger(walk: Walk, trigger: unknown, pointer: string): void {
  if (trigger === undefined) return; // reported as required by the body schema
  if (!isObject(trigger)) {
    report(walk, pointer, 'must be an object');
    return;
  }
  const type = trigger['type'];
  if (typeof type !== 'string' || !(TRIGGER_TYPES as readonly string[]).includes(type)) {
    report(walk, pointerTo(pointer, 'type'), type === undefined ? 'is required' : `must be one of: ${TRIGGER_TYPES.join(', ')}`);
    return;
  }
  const schema = TRIGGER_SCHEMAS[type as TriggerType];
  const allowed = Object.keys(schema.properties);
  walk.errors.push(...schemaErrors(schema, trigger, pointer, (key) => unknownKey(`${type} trigger`, key, allowed)));
  if (type === 'schedule') validateSchedule(walk, trigger, pointer);
}

/** Validates `{ trigger, context?, timeout?, steps }` found at `pointer` of the submission. */
export function validateDefinition(walk: Walk, body: Record<string, unknown>, pointer: string): void {
  walk.errors.push(...schemaErrors(ShallowBody, body, pointer, (key) => unknownKey('definition', key, DEFINITION_KEYS)));
  validateTrigger(walk, body['trigger'], pointerTo(pointer, 'trigger'));
  checkDuration(walk, body['timeout'], pointerTo(pointer, 'timeout'));
  validateStepList(walk, body['steps'], pointerTo(pointer, 'steps'), 'top');
  checkGraph(walk);
}

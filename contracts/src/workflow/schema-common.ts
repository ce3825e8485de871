import { Type } from '@sinclair/typebox';
import type { TLiteral, TUnion } from '@sinclair/typebox';
import { ID_PATTERN } from '../shared/streams.js';
import { WORKFLOW_LIMITS } from './limits.js';
import { TEMPLATE_PATTERN } from './templates.js';

/** A union of string literals; the validator names the allowed values when one does not match. */
export function StringEnum<T extends string>(values: readonly T[], description?: string): TUnion<TLiteral<T>[]> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    description === undefined ? {} : { description },
  );
}

export const IdSchema = Type.String({
  pattern: ID_PATTERN,
});

/** Checked by `parseDuration` (the grammar is not a regular pattern worth exposing). */
export const DurationSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'A duration: 250ms, 30s, 5m, 48h, 7d, or parts in descending units such as 1h30m.',
  examples: ['30s', '5m', '1h30m', '7d'],
});

export const TemplateSchema = Type.String({
  pattern: TEMPLATE_PATTERN,
});

export const ITEM_VAR_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';

export const CONTEXT_PATH_PATTERN = '^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]+)*$';
export const ContextPathSchema = Type.String({
  pattern: CONTEXT_PATH_PATTERN,
  maxLength: 256,
});

/** `order.created`, or a prefix ending in `*` (`order.*`, `*`). */
export const EVENT_PATTERN_PATTERN = '^(\\*|[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(\\.\\*|\\*)?)$';
export const EventPatternSchema = Type.String({
  pattern: EVENT_PATTERN_PATTERN,
  maxLength: 200,
});

export const EVENT_TYPE_PATTERN = '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*$';
export const EventTypeSchema = Type.String({
  pattern: EVENT_TYPE_PATTERN,
  maxLength: 200,
});

export const NonEmptyString = (maxLength = 2000) => Type.String({ minLength: 1, maxLength });

export const TRIGGER_TYPES = ['event', 'schedule', 'manual'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const TRIGGER_SCHEMAS = {
  event: Type.Object({ type: Type.Literal('event'), event: EventPatternSchema }, { additionalProperties: false }),
  schedule: Type.Object(
    {
      type: Type.Literal('schedule'),
      cron: Type.String({ minLength: 1, maxLength: 200, description: '5- or 6-field cron, or @hourly-style descriptor' }),
      timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone; UTC by default' })),
    },
    { additionalProperties: false },
  ),
  manual: Type.Object({ type: Type.Literal('manual') }, { additionalProperties: false }),
};

export const TriggerSchema = Type.Union([TRIGGER_SCHEMAS.event, TRIGGER_SCHEMAS.schedule, TRIGGER_SCHEMAS.manual], {
  $id: 'WorkflowTrigger',
});

export const ContextSchema = Type.Object(
  { load: Type.Optional(Type.Array(ContextPathSchema, { maxItems: WORKFLOW_LIMITS.maxContextLoads })) },
  { additionalProperties: false },
);

export const BACKOFF_STRATEGIES = ['fixed', 'linear', 'exponential'] as const;
export const RETRY_ON = ['timeout', '5xx', '4xx', 'network', '*'] as const;

export const RetrySchema = Type.Object(
  {
    max_attempts: Type.Integer({ minimum: 1, maximum: WORKFLOW_LIMITS.maxRetryAttempts, description: 'Attempts in all, the first included' }),
    backoff: StringEnum(BACKOFF_STRATEGIES),
    initial_interval: Type.Optional(DurationSchema),
    max_interval: Type.Optional(DurationSchema),
    retry_on: Type.Array(StringEnum(RETRY_ON), { minItems: 1 }),
  },
  { additionalProperties: false },
);

/**
 * What a pattern means, said to the author. Kept out of the schemas so they stay plain JSON
 * Schema for OpenAPI and any validator.
 */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [ID_PATTERN]: 'must start with a letter or digit and contain only letters, digits, "_", "." or "-" (at most 128)',
  [TEMPLATE_PATTERN]: 'must be a template such as "{{order.lines}}" or "${order.lines}"',
  [CONTEXT_PATH_PATTERN]: 'must be a dotted context path such as "customer.profile"',
  [EVENT_PATTERN_PATTERN]: 'must be an event type such as "order.created", or a prefix ending in "*" such as "order.*"',
  [EVENT_TYPE_PATTERN]: 'must be an event type such as "order.created"',
  [ITEM_VAR_PATTERN]: 'must be an identifier such as "line"',
};

import { Type } from '@sinclair/typebox';

/**
 * Scale-out variables (docs/SCALE-OUT.md), spread into the process configuration schema
 * (config.ts): which event store, and whether projectors read the store or Kafka.
 */
export const SCALE_OUT_ENV = {
  EVENT_STORE: Type.Union([Type.Literal('postgres'), Type.Literal('kurrentdb')], { default: 'postgres' }),
  KURRENTDB_URL: Type.Optional(Type.String({ pattern: '^(kurrentdb|kdb|esdb)(\\+discover)?://' })),
  PROJECTOR_SOURCE: Type.Union([Type.Literal('store'), Type.Literal('kafka')], { default: 'store' }),
  KAFKA_BROKERS: Type.Optional(Type.String({ pattern: '^[^\\s:,]+:\\d{1,5}(,[^\\s:,]+:\\d{1,5})*$' })),
  KAFKA_CLIENT_ID: Type.String({ minLength: 1, maxLength: 255, default: 'iwf' }),
  KAFKA_EVENTS_TOPIC: Type.String({ pattern: '^[A-Za-z0-9._-]{1,249}$', default: 'iwf.events' }),
  KAFKA_INTEGRATION_TOPIC: Type.String({ pattern: '^[A-Za-z0-9._-]{1,249}$', default: 'iwf.integration' }),
  KAFKA_GROUP_ID: Type.String({ minLength: 1, maxLength: 255, default: 'iwf-projector' }),
  KAFKA_RELAY: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
  // Kafka's idempotent producer for the relay; off only for brokers without it (librdkafka's mock).
  KAFKA_IDEMPOTENT: Type.Union([Type.Literal('on'), Type.Literal('off')], { default: 'on' }),
};

interface ScaleOutEnv {
  readonly EVENT_STORE: 'postgres' | 'kurrentdb';
  readonly KURRENTDB_URL?: string | undefined;
  readonly PROJECTOR_SOURCE: 'store' | 'kafka';
  readonly KAFKA_BROKERS?: string | undefined;
  readonly KAFKA_CLIENT_ID: string;
  readonly KAFKA_EVENTS_TOPIC: string;
  readonly KAFKA_INTEGRATION_TOPIC: string;
  readonly KAFKA_GROUP_ID: string;
  readonly KAFKA_RELAY: 'on' | 'off';
  readonly KAFKA_IDEMPOTENT: 'on' | 'off';
}

export interface ScaleOutConfig {
  readonly eventStore: 'postgres' | 'kurrentdb';
  readonly kurrentDbUrl: string | undefined;
  readonly projectorSource: 'store' | 'kafka';
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly topics: { readonly events: string; readonly integration: string };
    readonly groupId: string;
    /** Whether this projector process also runs the relay (one is active; others stand by). */
    readonly relay: boolean;
    readonly idempotent: boolean;
  };
}

/** The scale-out settings; adds a problem for each variable a chosen mode needs but lacks. */
export function scaleOutConfig(env: ScaleOutEnv, problems: string[]): ScaleOutConfig {
  if (env.EVENT_STORE === 'kurrentdb' && !env.KURRENTDB_URL) problems.push('KURRENTDB_URL: required when EVENT_STORE=kurrentdb');
  if (env.PROJECTOR_SOURCE === 'kafka' && !env.KAFKA_BROKERS) problems.push('KAFKA_BROKERS: required when PROJECTOR_SOURCE=kafka');
  if (env.KAFKA_EVENTS_TOPIC === env.KAFKA_INTEGRATION_TOPIC) problems.push('KAFKA_INTEGRATION_TOPIC: must differ from KAFKA_EVENTS_TOPIC');
  return {
    eventStore: env.EVENT_STORE,
    kurrentDbUrl: env.KURRENTDB_URL,
    projectorSource: env.PROJECTOR_SOURCE,
    kafka: {
      brokers: env.KAFKA_BROKERS?.split(',') ?? [],
      clientId: env.KAFKA_CLIENT_ID,
      topics: { events: env.KAFKA_EVENTS_TOPIC, integration: env.KAFKA_INTEGRATION_TOPIC },
      groupId: env.KAFKA_GROUP_ID,
      relay: env.KAFKA_RELAY === 'on',
      idempotent: env.KAFKA_IDEMPOTENT === 'on',
    },
  };
}

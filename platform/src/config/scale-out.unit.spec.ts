import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('scale-out configuration', () => {
  it('defaults to the PostgreSQL store and a store-fed projector', () => {
    expect(loadConfig({}).scaleOut).toEqual({
      eventStore: 'postgres',
      kurrentDbUrl: undefined,
      projectorSource: 'store',
      kafka: { brokers: [], clientId: 'iwf', topics: { events: 'iwf.events', integration: 'iwf.integration' }, groupId: 'iwf-projector', relay: true, idempotent: true },
    });
  });

  it('reads KurrentDB and Kafka settings', () => {
    const config = loadConfig({
      EVENT_STORE: 'kurrentdb',
      KURRENTDB_URL: 'kurrentdb://kurrent-1:2113,kurrent-2:2113?tls=false',
      PROJECTOR_SOURCE: 'kafka',
      KAFKA_BROKERS: 'kafka-0:9092,kafka-1:9092',
      KAFKA_GROUP_ID: 'read-models',
      KAFKA_EVENTS_TOPIC: 'prod.events',
      KAFKA_RELAY: 'off',
      KAFKA_IDEMPOTENT: 'off',
    });
    expect(config.scaleOut).toMatchObject({
      eventStore: 'kurrentdb',
      kurrentDbUrl: 'kurrentdb://kurrent-1:2113,kurrent-2:2113?tls=false',
      projectorSource: 'kafka',
      kafka: { brokers: ['kafka-0:9092', 'kafka-1:9092'], groupId: 'read-models', topics: { events: 'prod.events', integration: 'iwf.integration' }, relay: false, idempotent: false },
    });
  });

  it('names each missing or malformed variable a chosen mode needs', () => {
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return error instanceof ConfigError ? [...error.problems] : [String(error)];
      }
    };
    expect(problems({ EVENT_STORE: 'kurrentdb' })).toEqual(['KURRENTDB_URL: required when EVENT_STORE=kurrentdb']);
    expect(problems({ PROJECTOR_SOURCE: 'kafka' })).toEqual(['KAFKA_BROKERS: required when PROJECTOR_SOURCE=kafka']);
    expect(problems({ PROJECTOR_SOURCE: 'kafka', KAFKA_BROKERS: 'kafka:9092', KAFKA_INTEGRATION_TOPIC: 'iwf.events' })).toEqual([
      'KAFKA_INTEGRATION_TOPIC: must differ from KAFKA_EVENTS_TOPIC',
    ]);
    expect(problems({ KAFKA_BROKERS: 'kafka 9092' })[0]).toMatch(/^KAFKA_BROKERS/);
    expect(problems({ KURRENTDB_URL: 'http://kurrent:2113' })[0]).toMatch(/^KURRENTDB_URL/);
    expect(problems({ EVENT_STORE: 'mongodb' })[0]).toMatch(/^EVENT_STORE/);
  });
});

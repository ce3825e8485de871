import type { logCreator } from 'kafkajs';
import { Kafka, logLevel } from 'kafkajs';
import type { RunnerLogger } from '../runner/logger.js';

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  /** Milliseconds to wait for a broker connection and for a request's answer. */
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** How often kafkajs retries a failed request itself before the caller's loop sees the failure (default 5). */
  readonly retries?: number;
}

/**
 * A kafkajs client whose log lines go to our logger. kafkajs logs every rebalance and broker
 * hiccup at ERROR; they are expected events in a group and are retried, so they become warnings.
 */
export function createKafka(settings: KafkaSettings, logger: RunnerLogger): Kafka {
  const toLogger: logCreator = () => (entry) => {
    if (entry.level > logLevel.WARN) return;
    const { message, ...fields } = entry.log;
    logger.warn({ kafka: entry.namespace, ...fields }, `kafkajs: ${message}`);
  };
  return new Kafka({
    brokers: [...settings.brokers],
    clientId: settings.clientId ?? 'iwf',
    connectionTimeout: settings.connectionTimeoutMs ?? 3_000,
    requestTimeout: settings.requestTimeoutMs ?? 30_000,
    logLevel: logLevel.WARN,
    logCreator: toLogger,
    // Our loops retry for as long as it takes; kafkajs's own retries only smooth short blips.
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: settings.retries ?? 5 },
  });
}

/** Parses `KAFKA_BROKERS`: comma-separated host:port pairs. */
export function parseBrokers(text: string): string[] {
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) throw new Error(`not a host:port broker address: ${broker}`);
  }
  if (brokers.length === 0) throw new Error('no Kafka broker given');
  return brokers;
}

import type { MigrationSet } from '@iwf/platform/db/migrations';

/**
 * The relay's checkpoint and the consumer groups' offsets, in the read-model database: the
 * offsets commit in the same transaction as the read-model rows they produced.
 */
export const kafkaMigrations: MigrationSet = {
  schema: 'iwf_kafka',
  migrations: [
    {
      version: 1,
      name: 'relay checkpoints and consumer offsets',
      up: `
CREATE TABLE iwf_kafka.relay_checkpoints (
  relay text PRIMARY KEY,
  commit_pos bigint NOT NULL,
  prepare_pos bigint NOT NULL,
  events_relayed bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE iwf_kafka.consumer_offsets (
  group_id text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  next_offset bigint NOT NULL,
  events_applied bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);`,
      down: 'DROP TABLE iwf_kafka.consumer_offsets; DROP TABLE iwf_kafka.relay_checkpoints;',
    },
  ],
};

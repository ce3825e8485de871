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
    {
      version: 2,
      name: 'applied positions and group watermarks',
      // applied_*: the highest log position among the messages of a partition below next_offset.
      // group_watermarks: the position every event at or below of which the group has applied,
      // and the partition count it was computed over (verify maps streams to partitions with it).
      up: `
ALTER TABLE iwf_kafka.consumer_offsets ADD COLUMN applied_commit bigint, ADD COLUMN applied_prepare bigint;
CREATE TABLE iwf_kafka.group_watermarks (
  group_id text NOT NULL,
  topic text NOT NULL,
  partitions integer NOT NULL CHECK (partitions > 0),
  commit_pos bigint NOT NULL,
  prepare_pos bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic)
);`,
      down: 'DROP TABLE iwf_kafka.group_watermarks; ALTER TABLE iwf_kafka.consumer_offsets DROP COLUMN applied_commit, DROP COLUMN applied_prepare;',
    },
  ],
};

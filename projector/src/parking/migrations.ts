import type { Migration } from '@iwf/platform/db/migrations';

/**
 * Events a projection could not apply. `failed`: its handler (or upcaster) threw; `held`: an
 * earlier event of the same stream is parked, so applying this one would overtake it.
 * A row leaves the queue (replayed_at set) once `iwf parked replay` has applied it.
 */
export const parkedEventsMigration: Migration = {
  version: 40,
  name: 'parked events',
  up: `
CREATE TABLE iwf_read.parked_events (
  projection text NOT NULL,
  commit_pos bigint NOT NULL,
  prepare_pos bigint NOT NULL,
  event_id uuid NOT NULL,
  stream_id text NOT NULL,
  stream_revision bigint NOT NULL,
  event_type text NOT NULL,
  reason text NOT NULL CHECK (reason IN ('failed', 'held')),
  error text NOT NULL,
  attempts integer NOT NULL DEFAULT 1,
  parked_at timestamptz NOT NULL DEFAULT now(),
  replayed_at timestamptz,
  PRIMARY KEY (projection, commit_pos, prepare_pos)
);
CREATE INDEX parked_events_waiting ON iwf_read.parked_events (projection, stream_id, stream_revision) WHERE replayed_at IS NULL;`,
  down: 'DROP TABLE iwf_read.parked_events;',
};

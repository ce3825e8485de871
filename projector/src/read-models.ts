import type { MigrationSet } from '@iwf/platform/db/migrations';
import { checkpointsMigration } from './runner/checkpoints.js';
import type { Projection } from './runner/projection.js';
import { workflowsMigration } from './workflows/migrations.js';
import { workflowsProjection } from './workflows/projection.js';

/** Schema of every read model and of the projection checkpoints. */
export const READ_MODEL_SCHEMA = 'iwf_read';

/** The read-model tables, one migration list for the schema; new read models append theirs. */
export const readModelMigrations: MigrationSet = {
  schema: READ_MODEL_SCHEMA,
  migrations: [checkpointsMigration, workflowsMigration],
};

/** Every projection the projector runs. */
export const projections: readonly Projection[] = [workflowsProjection];

import type { MigrationSet } from '@iwf/platform/db/migrations';
import { analyticsMigration, analyticsProjection } from './analytics/index.js';
import { parkedEventsMigration } from './parking/migrations.js';
import { checkpointsMigration } from './runner/checkpoints.js';
import type { Projection } from './runner/projection.js';
import { workflowsMigration } from './workflows/migrations.js';
import { workflowsProjection } from './workflows/projection.js';
import { executionsMigration, executionsProjection } from './executions/index.js';
import { approvalsMigration, approvalsProjection } from './approvals/index.js';
import { ingestedEventsMigration, ingestedEventsProjection } from './ingested-events/index.js';
import { rulesMigration, rulesProjection } from './rules/index.js';

/** Schema of every read model and of the projection checkpoints. */
export const READ_MODEL_SCHEMA = 'iwf_read';

/** The read-model tables, one migration list for the schema; new read models append theirs. */
export const readModelMigrations: MigrationSet = {
  schema: READ_MODEL_SCHEMA,
  migrations: [
    checkpointsMigration,
    workflowsMigration,
    executionsMigration,
    approvalsMigration,
    ingestedEventsMigration,
    rulesMigration,
    parkedEventsMigration,
    analyticsMigration,
  ],
};

/** Every projection the projector runs. */
export const projections: readonly Projection[] = [
  workflowsProjection,
  executionsProjection,
  approvalsProjection,
  ingestedEventsProjection,
  rulesProjection,
  analyticsProjection,
];

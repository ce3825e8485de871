export { rebuildProjection, tablesOf } from './rebuild.js';
export type { RebuildOptions, RebuildResult } from './rebuild.js';
export { RebuildBusyError } from './lock.js';
export { ModelBuilder } from './builder.js';
export type { BuilderOptions } from './builder.js';
export { retargetClient, retargetSql, schemaName, LIVE_SCHEMA } from './retarget.js';

export * from './projection.js';
export * from './migrations.js';
export type { ExecutionRecord, ExecutionFold } from './fold.js';
export { evolveExecution } from './fold.js';

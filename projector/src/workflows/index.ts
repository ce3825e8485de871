export * from './projection.js';
export * from './migrations.js';
export type { WorkflowRecord, WorkflowChange } from './evolve.js';
export { evolveWorkflow } from './evolve.js';

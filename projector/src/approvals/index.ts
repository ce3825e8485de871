export * from './projection.js';
export * from './migrations.js';
export type { ApprovalRecord } from './evolve.js';
export { evolveApproval } from './evolve.js';

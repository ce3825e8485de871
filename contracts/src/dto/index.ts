export * from './workflow.js';
export * from './execution.js';
export * from './approval.js';
export * from './ingested-event.js';
export * from './rule.js';
export * from './audit.js';
export * from './analytics.js';

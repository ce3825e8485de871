export * from './projection.js';
export * from './migrations.js';
export type { RuleRecord } from './evolve.js';
export { evolveRule } from './evolve.js';

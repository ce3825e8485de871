export * from './projection.js';
export * from './migrations.js';

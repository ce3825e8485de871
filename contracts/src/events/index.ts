export * from './registry.js';
export * from './workflow.js';
export * from './catalog.js';

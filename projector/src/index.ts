export * from './runner/index.js';
export * from './workflows/index.js';
export * from './read-models.js';

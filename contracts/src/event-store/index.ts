export * from './types.js';
export * from './errors.js';
export * from './position.js';
export * from './decorate.js';

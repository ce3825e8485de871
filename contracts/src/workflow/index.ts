export * from './definition.js';
export * from './events.js';
export * from './commands.js';

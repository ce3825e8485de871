export * from './event-store/index.js';
export * from './shared/streams.js';
export * from './shared/errors.js';
export * from './shared/principal.js';
export * from './workflow/index.js';
export * from './events/index.js';
export * from './dto/index.js';

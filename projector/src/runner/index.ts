export * from './projection.js';
export * from './runner.js';
export type { RunnerOptions } from './options.js';
export * from './status.js';
export * from './checkpoints.js';
export * from './errors.js';
export type { RunnerLogger } from './logger.js';
export { stderrLogger } from './logger.js';
export type { CacheWriterOptions } from './cache-writer.js';

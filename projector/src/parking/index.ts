export { parkedEventsMigration } from './migrations.js';
export type { ParkedEvent } from './isolate.js';
export type { ParkedRow, ParkedFilter } from './store.js';
export { listParked } from './store.js';
export { replayParked } from './replay.js';
export type { ReplayOptions, ReplayOutcome } from './replay.js';

export * from './app.js';
export * from './deps.js';
export * from './event-store/index.js';
export { commandMigrations } from './idempotency/migrations.js';
export { SERVICE_VERSION } from './version.js';

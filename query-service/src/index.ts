export * from './app.js';
export * from './deps.js';
export * from './positions/watcher.js';
export { SERVICE_VERSION } from './version.js';

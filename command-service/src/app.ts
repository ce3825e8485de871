import type { HttpApp } from '@iwf/platform/http/app';
import type { CommandServiceDeps } from './deps.js';
import { idempotencyPlugin } from './idempotency/plugin.js';
import { registerWorkflowRoutes } from './workflows/routes.js';

/** Mounts the command API (writes) on an app; the standalone server and `iwf dev` both use it. */
export async function registerCommandService(app: HttpApp, deps: CommandServiceDeps): Promise<void> {
  await app.register(idempotencyPlugin, { pool: deps.pool });
  registerWorkflowRoutes(app, deps);
}

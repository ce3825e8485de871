import type { HttpApp } from '@iwf/platform/http/app';
import type { CommandServiceDeps } from './deps.js';
import { idempotencyPlugin } from './idempotency/plugin.js';
import { registerWorkflowRoutes } from './workflows/routes.js';
import { registerApprovalRoutes } from './approvals/routes.js';
import { registerExecutionRoutes } from './executions/routes.js';
import { registerIngestRoutes } from './ingest/routes.js';
import { registerRuleRoutes } from './rules/routes.js';
import { registerApiKeyRoutes } from './api-keys/routes.js';

/** Mounts the command API (writes) on an app; the standalone server and `iwf dev` both use it. */
export async function registerCommandService(app: HttpApp, deps: CommandServiceDeps): Promise<void> {
  await app.register(idempotencyPlugin, { pool: deps.pool });
  registerWorkflowRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
  if (deps.engine) {
    registerIngestRoutes(app, deps.engine);
    registerExecutionRoutes(app, deps.engine, deps.pool, deps.newId);
    registerApprovalRoutes(app, deps.engine);
    registerRuleRoutes(app, deps, deps.engine);
  }
}

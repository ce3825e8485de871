import type { HttpApp } from '@iwf/platform/http/app';
import type { QueryServiceDeps } from './deps.js';
import { consistencyPlugin } from './positions/consistency.js';
import { logReach } from './positions/log.js';
import type { PositionWatcher } from './positions/watcher.js';
import { registerWorkflowQueries } from './workflows/routes.js';
import { registerExecutionQueries } from './executions/routes.js';
import { registerApprovalQueries } from './approvals/routes.js';
import { registerIngestedEventQueries } from './ingested-events/routes.js';
import { registerRuleQueries } from './rules/routes.js';
import { registerAnalyticsQueries } from './analytics/routes.js';
import { registerAuditQueries } from './audit/routes.js';

/** Mounts the query API (reads) on an app; the standalone server and `iwf dev` both use it. */
export async function registerQueryService(
  app: HttpApp,
  deps: QueryServiceDeps,
  options: { watcher: PositionWatcher; defaultWaitMs: number },
): Promise<void> {
  await app.register(consistencyPlugin, { watcher: options.watcher, log: logReach(deps.pool), defaultWaitMs: options.defaultWaitMs });
  registerWorkflowQueries(app, deps);
  registerExecutionQueries(app, deps);
  registerApprovalQueries(app, deps);
  registerIngestedEventQueries(app, deps);
  registerRuleQueries(app, deps);
  registerAnalyticsQueries(app, deps);
  registerAuditQueries(app, deps);
}

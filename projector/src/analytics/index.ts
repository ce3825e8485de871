export { analyticsProjection, ANALYTICS_PROJECTION } from './projection.js';
export { analyticsMigration } from './migrations.js';
export type { AnalyticsRecord } from './fold.js';
export { evolveAnalytics } from './fold.js';

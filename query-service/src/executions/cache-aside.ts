import type { QueryServiceDeps } from '../deps.js';
import { cacheKey } from '@iwf/platform/cache/cache';

export interface CacheAside<View> {
  /** The `kind` of the cache key; the projector writes the same kind. */
  readonly kind: string;
  readonly load: () => Promise<View | undefined>;
  readonly revisionOf: (view: View) => number;
}

/**
 * Redis first; on a miss (or Redis trouble) PostgreSQL, then fill the cache guarded by the
 * revision, so a fill never replaces a newer entry the projector wrote meanwhile. A
 * read-your-writes request skips the cache: it must see the committed read model.
 */
export async function readThrough<View>(deps: QueryServiceDeps, tenant: string, id: string, useCache: boolean, spec: CacheAside<View>): Promise<View | undefined> {
  const key = cacheKey(tenant, spec.kind, id);
  const cached = useCache ? await deps.cache.get(key).catch(() => undefined) : undefined;
  if (cached) {
    deps.onCacheResult?.(spec.kind, true);
    return cached.value as View;
  }
  deps.onCacheResult?.(spec.kind, false);
  const view = await spec.load();
  if (view) await deps.cache.setIfNewer(key, spec.revisionOf(view), view).catch(() => false);
  return view;
}

import type { Cache, CachedEntry } from './cache.js';

/** In-process cache used when no Redis answers: same contract, bounded size. */
export function createMemoryCache(maxEntries = 10_000): Cache {
  const entries = new Map<string, CachedEntry>();
  return {
    kind: 'memory',
    async get(key) {
      return entries.get(key);
    },
    async setIfNewer(key, revision, value) {
      const current = entries.get(key);
      if (current && current.revision >= revision) return false;
      entries.delete(key);
      entries.set(key, { revision, value });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      return true;
    },
    async delete(keys) {
      for (const key of keys) entries.delete(key);
    },
    async clearPrefix(prefix) {
      let removed = 0;
      for (const key of [...entries.keys()]) {
        if (key.startsWith(prefix)) {
          entries.delete(key);
          removed += 1;
        }
      }
      return removed;
    },
    async close() {
      entries.clear();
    },
  };
}

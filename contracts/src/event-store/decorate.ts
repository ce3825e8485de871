import type { EventStore } from './types.js';

/** The store with its `append` replaced (to observe or extend appends); every other call goes to the store. */
export function withAppend(store: EventStore, append: EventStore['append']): EventStore {
  return {
    append,
    readStream: (stream_id, options) => store.readStream(stream_id, options),
    readAll: (options) => store.readAll(options),
    headPosition: () => store.headPosition(),
    subscribe: (handler, options) => store.subscribe(handler, options),
    close: () => store.close(),
  };
}

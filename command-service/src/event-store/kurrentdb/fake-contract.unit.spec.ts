import { describeEventStoreContract } from '../contract.js';
import { createKurrentDbEventStore } from './store.js';
import { createFakeKurrentClient } from './testing/fake-client.js';

// The adapter's own logic (claims, repeats, reads, subscriptions) on an in-memory stand-in of
// the client; kurrentdb.int.spec.ts runs the same suite against a real server where containers run.
describeEventStoreContract('KurrentDB adapter on an in-memory stand-in of the client', async () => {
  const store = createKurrentDbEventStore({ client: createFakeKurrentClient(), resubscribeMs: 10 });
  return { store, hooks: {}, teardown: () => store.close() };
});

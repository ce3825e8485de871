import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { describe } from 'vitest';
import { describeEventStoreContract } from '../contract.js';
import { createKurrentDbEventStore } from './store.js';
import { containerEngine } from './testing/container-engine.js';
import { KURRENTDB_IMAGE, startKurrentDb } from './testing/kurrentdb-container.js';

// The same contract as the PostgreSQL store, against a real KurrentDB where a container engine
// runs (GitHub Actions); elsewhere the suite is reported skipped, with the reason in its name.
const engine = await containerEngine();

describe.skipIf(!engine.available)(`KurrentDB (${KURRENTDB_IMAGE} via testcontainers; ${engine.reason})`, () => {
  describeEventStoreContract('KurrentDB', async () => {
    const server = await startKurrentDb();
    const client = KurrentDBClient.connectionString(server.connectionString);
    const store = createKurrentDbEventStore({ client, ownsClient: true, resubscribeMs: 200 });
    return {
      store,
      // No hooks: KurrentDB has no open transactions to hold, and its append-only guarantees and
      // integrity are the server's; those contract cases report themselves skipped.
      hooks: {},
      async teardown() {
        await store.close();
        await server.stop();
      },
    };
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { comparePositions, formatPosition, parsePosition } from '@iwf/contracts';
import { after, apiClient, bodyOf, positionOf } from '../runtime/testing/http.js';
import type { TestSystem } from '../runtime/testing/system.js';
import { startTestSystem } from '../runtime/testing/system.js';
import { legacyWorkflow } from '../runtime/testing/workflows.js';
import { kafkaBackends } from './testing/backends.js';
import { EVENT_PARTITIONS, INTEGRATION_PARTITIONS } from './testing/fixture.js';
import type { TestKafkaCluster } from './testing/mock-cluster.js';

const FAR_FUTURE = formatPosition({ commit: 10n ** 15n, prepare: 10n ** 15n });

// The mock cluster here; real Kafka too where a container engine runs. Each reports why when skipped.
describe.each(await kafkaBackends())('read-your-writes with PROJECTOR_SOURCE=kafka ($description)', (backend) => {
  let cluster: TestKafkaCluster | undefined;
  let system: TestSystem | undefined;
  afterEach(async () => {
    await system?.close();
    system = undefined;
    await cluster?.stop();
    cluster = undefined;
  });

  it.skipIf(!backend.available)('a write answered with position P is seen by a read sent with X-Min-Position P; a position past the log is refused after the wait', async () => {
    cluster = await backend.start();
    await cluster.createTopic('iwf.events', EVENT_PARTITIONS);
    await cluster.createTopic('iwf.integration', INTEGRATION_PARTITIONS);
    system = await startTestSystem('kafka_ryw', {
      env: {
        PROJECTOR_SOURCE: 'kafka',
        KAFKA_BROKERS: cluster.brokers.join(','),
        KAFKA_IDEMPOTENT: backend.idempotent ? 'on' : 'off',
        KAFKA_GROUP_ID: 'read-your-writes',
        // A loaded machine: relay, fetch and watermark round each take their time.
        MIN_POSITION_WAIT_MS: '10000',
      },
    });
    const api = apiClient(system.app, await system.tokenFor('acme'));
    for (let n = 0; n < 5; n++) {
      const id = `wf_${n}`;
      const created = await api.post('/workflows', legacyWorkflow(id, { name: `First ${n}` }));
      expect(created.statusCode, created.body).toBe(201);
      const read = await api.get(`/workflows/${id}`, after(created));
      expect(read.statusCode, read.body).toBe(200);
      expect(bodyOf(read)).toMatchObject({ workflow_id: id, name: `First ${n}`, revision: 0 });
      const published = await api.put(`/workflows/${id}`, legacyWorkflow(id, { version: '1.1.0', name: `Second ${n}` }));
      expect(published.statusCode, published.body).toBe(200);
      const reread = await api.get(`/workflows/${id}`, after(published));
      expect(reread.statusCode, reread.body).toBe(200);
      expect(bodyOf(reread)).toMatchObject({ workflow_id: id, name: `Second ${n}`, revision: 1 });
      // The read reports a position at or past the write's.
      const reported = parsePosition(String(reread.headers['x-log-position']));
      expect(reported && comparePositions(reported, parsePosition(positionOf(published))!) >= 0).toBe(true);
      const listed = await api.get('/workflows', after(published));
      expect(bodyOf(listed).items?.map((item) => item['workflow_id'])).toContain(id);
    }

    const behind = await api.get('/workflows/wf_0', { 'x-min-position': FAR_FUTURE, 'x-max-wait-ms': '300' });
    expect(behind.statusCode, behind.body).toBe(503);
    expect(bodyOf(behind)['type']).toMatch(/\/projection-behind$/);
    expect(behind.headers['retry-after']).toBe('1');
  });
});

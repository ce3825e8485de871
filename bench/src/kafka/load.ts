import { streamId } from '@iwf/contracts';
import type { EventStore } from '@iwf/contracts';
import { workflowEvent } from '@iwf/projector/kafka/testing/workload';
import { toNewEvent } from '@iwf/projector/workflows/testing/workflow-events';

/**
 * A steady write load: `rate` single-event appends per second for `seconds`, spread over
 * `streams` workflows (each stream's appends in order), noting when each append was issued
 * (a projector may commit the event before the append's own answer is back).
 */
export async function steadyLoad(store: EventStore, options: { rate: number; seconds: number; streams: number; tenant: string; onSent: (event_id: string, at: number) => void }): Promise<number> {
  const { rate, seconds, streams, tenant } = options;
  const total = rate * seconds;
  const revisions = new Array<number>(streams).fill(0);
  const busy = new Array<Promise<void>>(streams).fill(Promise.resolve());
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    // Open-loop pacing: event n is due at n / rate seconds, whatever the store's latency.
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const slot = n % streams;
    const id = `load-${String(slot).padStart(4, '0')}`;
    busy[slot] = busy[slot]!.then(async () => {
      const revision = revisions[slot]!;
      revisions[slot] = revision + 1;
      const event = toNewEvent(tenant, workflowEvent(id, revision));
      options.onSent(event.event_id, performance.now());
      await store.append(streamId('workflow', tenant, id), [event], revision === 0 ? 'no_stream' : revision - 1);
    });
  }
  await Promise.all(busy);
  return total;
}

import type { EventStore, WorkflowEvent } from '@iwf/contracts';
import { streamId } from '@iwf/contracts';
import { created, disabled, enabled, published, toNewEvent } from '../../workflows/testing/workflow-events.js';

export interface WorkloadOptions {
  readonly workflows: number;
  readonly eventsPerWorkflow: number;
  /** Events per append call (one stream each). */
  readonly perAppend?: number;
  /** Appends in flight at once; each stream's appends stay in order. */
  readonly writers?: number;
  readonly tenant?: string;
  /** Called after each append with the number of events appended so far. */
  readonly onProgress?: (appended: number) => void;
}

/** The n-th event of a workflow's life: created, then publish / disable / enable in turn. */
export function workflowEvent(workflow_id: string, n: number): WorkflowEvent {
  const at = new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString();
  if (n === 0) return created(workflow_id, at, { tags: ['kafka'] });
  switch (n % 3) {
    case 1:
      return published(workflow_id, at, { version: `1.${n}.0`, description: `revision ${n}` });
    case 2:
      return disabled(workflow_id, at);
    default:
      return enabled(workflow_id, at);
  }
}

/**
 * Appends every workflow's events with the streams interleaved: round r appends the r-th slice
 * of every stream before any stream gets its next one, across concurrent writers. Returns each
 * stream's last revision.
 */
export async function appendInterleaved(store: EventStore, options: WorkloadOptions): Promise<Map<string, number>> {
  const tenant = options.tenant ?? 'tenant-k';
  const perAppend = options.perAppend ?? 5;
  const writers = options.writers ?? 8;
  const ids = Array.from({ length: options.workflows }, (_, n) => `wf-${String(n).padStart(5, '0')}`);
  const last = new Map(ids.map((id) => [streamId('workflow', tenant, id), options.eventsPerWorkflow - 1]));
  let appended = 0;
  const writer = async (k: number): Promise<void> => {
    const mine = ids.filter((_, n) => n % writers === k);
    for (let from = 0; from < options.eventsPerWorkflow; from += perAppend) {
      for (const id of mine) {
        const slice = Array.from({ length: Math.min(perAppend, options.eventsPerWorkflow - from) }, (_, i) => workflowEvent(id, from + i));
        await store.append(streamId('workflow', tenant, id), slice.map((event) => toNewEvent(tenant, event)), from === 0 ? 'no_stream' : from - 1);
        appended += slice.length;
        options.onProgress?.(appended);
      }
    }
  };
  await Promise.all(Array.from({ length: writers }, (_, k) => writer(k)));
  return last;
}

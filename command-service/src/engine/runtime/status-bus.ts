import type { ExecutionDecision, LogPosition } from '@iwf/contracts';

export interface ExecutionStatus {
  readonly tenant: string;
  readonly execution_id: string;
  readonly workflow_id: string;
  readonly status: string;
  readonly decision: ExecutionDecision | null;
  readonly revision: number;
  /** Of the execution's last event. */
  readonly position: LogPosition | undefined;
}

type Listener = (status: ExecutionStatus) => void;

const keyOf = (tenant: string, executionId: string): string => `${tenant}\u0000${executionId}`;

/** In-process notifications of execution status after each append this process makes. */
export class StatusBus {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(status: ExecutionStatus): void {
    for (const listener of this.listeners.get(keyOf(status.tenant, status.execution_id)) ?? []) listener(status);
  }

  watch(tenant: string, executionId: string, listener: Listener): () => void {
    const key = keyOf(tenant, executionId);
    const set = this.listeners.get(key) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }
}

import type { LogPosition } from '@iwf/contracts';
import { maxPosition } from '@iwf/contracts';
import type { ExecutionRunner } from './execution-runner.js';
import type { ExecutionStatus, StatusBus } from './status-bus.js';

export interface SettleDeps {
  readonly bus: StatusBus;
  readonly runner: ExecutionRunner;
  /** How often to re-read an execution another process may be moving on. */
  readonly pollMs: number;
}

export const laterPosition = (a: LogPosition | undefined, b: LogPosition | undefined): LogPosition | undefined =>
  a === undefined ? b : b === undefined ? a : maxPosition(a, b);

/**
 * Waits until the execution is no longer `running` (it waits, or ended), or until the
 * deadline; answers its latest known status. Appends made here arrive on the bus; those of
 * other processes (a timer another replica fired) are found by re-reading the stream.
 */
export function settle(deps: SettleDeps, first: ExecutionStatus, deadline: number): Promise<ExecutionStatus> {
  if (first.status !== 'running' || Date.now() >= deadline) return Promise.resolve(first);
  return new Promise((resolve) => {
    let latest = first;
    let finished = false;
    const offer = (status: ExecutionStatus): void => {
      if (finished || status.revision < latest.revision) return;
      latest = status;
      if (status.status !== 'running') finish();
    };
    const unwatch = deps.bus.watch(first.tenant, first.execution_id, offer);
    const poll = setInterval(() => {
      deps.runner.read(first.tenant, first.execution_id).then(
        ({ state, revision, position }) => {
          if (state.status !== 'not_started') offer({ ...latest, status: state.status, decision: state.decision, revision, position });
        },
        () => undefined,
      );
    }, deps.pollMs);
    const timeout = setTimeout(finish, Math.max(0, deadline - Date.now()));
    function finish(): void {
      if (finished) return;
      finished = true;
      unwatch();
      clearInterval(poll);
      clearTimeout(timeout);
      resolve(latest);
    }
  });
}

import type { ExecutionDecision, ExecutionStatus, WithdrawnBecause } from '@iwf/contracts';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type FinishedStatus = Exclude<ExecutionStatus, 'running' | 'waiting'>;

/**
 * What happens to executions, as counters and histograms. `observeExecutionEvents` feeds it
 * from the execution events a process appends; an engine may also call it directly. Labels
 * are workflow ids and fixed vocabularies, never execution ids, so series stay bounded.
 */
export interface WorkflowMetrics {
  /** An execution was started for a trigger. */
  executionStarted(workflow: string): void;
  /** An execution ended; `decision` is null unless it completed. */
  executionFinished(workflow: string, status: FinishedStatus, decision: ExecutionDecision | null, durationSeconds: number): void;
  /** A step run ended (after its last attempt). */
  stepFinished(workflow: string, stepType: string, status: 'completed' | 'failed', durationSeconds: number): void;
  approvalRequested(workflow: string): void;
  /** `waitedSeconds` is undefined when the request was raised before this process saw it. */
  approvalDecided(workflow: string, decision: 'approved' | 'rejected' | 'expired', waitedSeconds: number | undefined): void;
  /** A blocking approval was withdrawn, undecided, because its execution ended so. */
  approvalWithdrawn(workflow: string, executionStatus: WithdrawnBecause): void;
}

export const noWorkflowMetrics: WorkflowMetrics = {
  executionStarted: () => undefined,
  executionFinished: () => undefined,
  stepFinished: () => undefined,
  approvalRequested: () => undefined,
  approvalDecided: () => undefined,
  approvalWithdrawn: () => undefined,
};

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
const WAIT_BUCKETS = [1, 10, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600];

export function createWorkflowMetrics(registry: Registry): WorkflowMetrics {
  const registers = [registry];
  const started = new Counter({ name: 'iwf_workflow_executions_started_total', help: 'Executions started', labelNames: ['workflow'], registers });
  const finished = new Counter({
    name: 'iwf_workflow_executions_total',
    help: 'Executions ended, by final status and decision',
    labelNames: ['workflow', 'status', 'decision'],
    registers,
  });
  const duration = new Histogram({ name: 'iwf_workflow_execution_duration_seconds', help: 'Execution run time, start to end', labelNames: ['workflow', 'status'], buckets: DURATION_BUCKETS, registers });
  const steps = new Histogram({ name: 'iwf_workflow_step_duration_seconds', help: 'Step run time, all attempts', labelNames: ['workflow', 'step_type', 'status'], buckets: DURATION_BUCKETS, registers });
  const requested = new Counter({ name: 'iwf_approvals_requested_total', help: 'Approval requests raised', labelNames: ['workflow'], registers });
  const decided = new Counter({ name: 'iwf_approvals_decided_total', help: 'Approval requests decided or expired', labelNames: ['workflow', 'decision'], registers });
  const withdrawn = new Counter({
    name: 'iwf_approvals_withdrawn_total',
    help: 'Blocking approvals withdrawn undecided, by how their execution ended',
    labelNames: ['workflow', 'execution_status'],
    registers,
  });
  const waited = new Histogram({ name: 'iwf_approval_wait_seconds', help: 'Time from an approval request to its decision', labelNames: ['decision'], buckets: WAIT_BUCKETS, registers });

  return {
    executionStarted: (workflow) => started.inc({ workflow }),
    executionFinished: (workflow, status, decision, seconds) => {
      finished.inc({ workflow, status, decision: decision ?? 'none' });
      duration.observe({ workflow, status }, seconds);
    },
    stepFinished: (workflow, stepType, status, seconds) => steps.observe({ workflow, step_type: stepType, status }, seconds),
    approvalRequested: (workflow) => requested.inc({ workflow }),
    approvalDecided: (workflow, decision, seconds) => {
      decided.inc({ workflow, decision });
      if (seconds !== undefined) waited.observe({ decision }, seconds);
    },
    approvalWithdrawn: (workflow, executionStatus) => withdrawn.inc({ workflow, execution_status: executionStatus }),
  };
}

/** Work in flight, as the read models count it (the projector samples them). */
export interface Workload {
  readonly running: number;
  readonly waiting: number;
  readonly approvalsPending: number;
}

/** `iwf_workflow_executions_in_progress{state}` and `iwf_approvals_pending`, from the latest sample. */
export function registerWorkloadMetrics(registry: Registry, latest: () => Workload | undefined): void {
  new Gauge({
    name: 'iwf_workflow_executions_in_progress',
    help: 'Executions not yet ended, by state (running or waiting), across tenants',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const workload = latest();
      if (!workload) return;
      this.set({ state: 'running' }, workload.running);
      this.set({ state: 'waiting' }, workload.waiting);
    },
  });
  new Gauge({
    name: 'iwf_approvals_pending',
    help: 'Approval requests awaiting a decision, across tenants',
    registers: [registry],
    collect() {
      const workload = latest();
      if (workload) this.set(workload.approvalsPending);
    },
  });
}

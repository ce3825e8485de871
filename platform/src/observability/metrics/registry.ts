import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, labelled with the service; passed in, never a module singleton. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // process_* and nodejs_* (CPU, memory, event loop lag, GC, handles, start time).
  collectDefaultMetrics({ register: registry });
  const limit = memoryLimitBytes();
  new Gauge({
    name: 'iwf_process_memory_limit_bytes',
    help: 'Memory the process may use: the cgroup limit, or the machine total when unlimited',
    registers: [registry],
    collect() {
      this.set(limit);
    },
  });
  return registry;
}

const CGROUP_LIMITS = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/** The container's memory limit, so "memory above 90 %" means something inside a pod. */
export function memoryLimitBytes(files: readonly string[] = CGROUP_LIMITS, machine = totalmem()): number {
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch {
      continue;
    }
    const value = Number(text);
    // "max" (v2) or a near-2^63 value (v1) both mean unlimited.
    if (Number.isFinite(value) && value > 0 && value < machine) return value;
  }
  return machine;
}

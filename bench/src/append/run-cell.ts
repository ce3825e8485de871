import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCpuMeter } from './cpu.js';
import type { CpuPerEvent } from './cpu.js';
import type { OpenSystem } from './systems/system.js';
import { benchEvents, streamSlot } from './workload.js';

export interface CellConfig {
  readonly writers: number;
  readonly batch: number;
  readonly warmupMs: number;
  readonly durationMs: number;
}

export interface CellResult {
  readonly events_per_second: number;
  readonly appends_per_second: number;
  readonly appends: number;
  readonly latency_ms: { readonly p50: number; readonly p99: number };
  readonly cpu_per_event: CpuPerEvent;
}

/**
 * Every writer appends back to back to its own streams for warm-up plus duration; only appends
 * that finish inside the measured window count, and their latencies give the percentiles.
 */
export async function runCell(system: OpenSystem, databaseUrl: string, config: CellConfig): Promise<CellResult> {
  const started = performance.now();
  const measureFrom = started + config.warmupMs;
  const end = measureFrom + config.durationMs;
  const latencies: number[] = [];
  // Backends are counted once the warm-up has opened every connection; the window closes at `end`.
  const cpu = sleep(config.warmupMs)
    .then(() => startCpuMeter(databaseUrl))
    .then(async (meter) => {
      await sleep(end - performance.now());
      return meter.stop(latencies.length * config.batch);
    });
  cpu.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled

  const writer = async (index: number): Promise<void> => {
    for (let append = 0; performance.now() < end; append += 1) {
      const events = benchEvents(config.batch, index);
      const before = performance.now();
      await system.append(streamSlot(index, append, config.batch), events);
      const after = performance.now();
      if (after >= measureFrom && after < end) latencies.push(after - before);
    }
  };
  await Promise.all(Array.from({ length: config.writers }, (_, index) => writer(index)));
  const cpu_per_event = await cpu;

  const seconds = config.durationMs / 1000;
  return {
    events_per_second: Math.round((latencies.length * config.batch) / seconds),
    appends_per_second: Math.round(latencies.length / seconds),
    appends: latencies.length,
    latency_ms: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
    cpu_per_event,
  };
}

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0;
  return Math.round(value * 100) / 100;
}

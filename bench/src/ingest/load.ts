import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RunningSystem } from './systems.js';

export interface LoadResult {
  readonly requests_per_second: number;
  readonly requests: number;
  readonly latency_ms: { readonly p50: number; readonly p99: number };
}

/** One keep-alive POST; resolves with status and body. */
function post(agent: Agent, url: URL, headers: Readonly<Record<string, string>>, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `clients` loops, each sending its next request when the previous one is answered (closed
 * loop), for warm-up plus duration; requests answered inside the measured window count.
 */
export async function runLoad(system: RunningSystem, clients: number, warmupMs: number, durationMs: number): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const url = new URL(system.url);
  const started = performance.now();
  const measureFrom = started + warmupMs;
  const end = measureFrom + durationMs;
  const latencies: number[] = [];
  let sequence = 0;
  const client = async (): Promise<void> => {
    while (performance.now() < end) {
      const index = sequence++;
      const before = performance.now();
      const answer = await post(agent, url, system.headers, system.body(index));
      const after = performance.now();
      system.check(answer.status, answer.body);
      if (after >= measureFrom && after < end) latencies.push(after - before);
    }
  };
  try {
    await Promise.all(Array.from({ length: clients }, () => client()));
  } finally {
    agent.destroy();
  }
  return {
    requests_per_second: Math.round(latencies.length / (durationMs / 1000)),
    requests: latencies.length,
    latency_ms: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) },
  };
}

function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0) * 100) / 100;
}

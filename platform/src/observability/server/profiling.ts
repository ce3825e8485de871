import { Session } from 'node:inspector/promises';
import { getHeapSnapshot } from 'node:v8';
import type { Readable } from 'node:stream';

export const MAX_PROFILE_SECONDS = 300;

/**
 * Samples the CPU for `seconds` and returns a `.cpuprofile` (Chrome DevTools / speedscope
 * format). Only one profile runs at a time: the inspector has one profiler per process.
 */
export class CpuProfiler {
  private busy = false;

  get running(): boolean {
    return this.busy;
  }

  async profile(seconds: number, signal?: AbortSignal): Promise<string> {
    if (this.busy) throw new Error('a CPU profile is already being taken');
    this.busy = true;
    const session = new Session();
    session.connect();
    try {
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      await sleep(seconds * 1000, signal);
      const { profile } = await session.post('Profiler.stop');
      return JSON.stringify(profile);
    } finally {
      session.disconnect();
      this.busy = false;
    }
  }
}

/** A V8 heap snapshot (`.heapsnapshot`, for Chrome DevTools' memory panel), streamed. */
export function heapSnapshot(): Readable {
  return getHeapSnapshot();
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    // A client that hangs up ends the profile early; what was sampled is still returned.
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

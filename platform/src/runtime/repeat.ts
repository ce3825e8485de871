import type { Closeable } from './serve.js';

/**
 * Runs `task` now and then every `intervalMs` in the background, one run at a time (a slow run
 * delays the next rather than overlapping it), without keeping the process alive. Closing
 * stops the timer and waits for the run in progress. `task` handles its own failures.
 */
export function repeatInBackground(name: string, intervalMs: number, task: () => Promise<void>): Closeable {
  let running = task();
  const timer = setInterval(() => {
    running = running.then(task);
  }, intervalMs).unref();
  return {
    name,
    close: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

import type { PARALLEL_STRATEGIES } from '../workflow/schema-steps.js';

export type ParallelStrategy = (typeof PARALLEL_STRATEGIES)[number];

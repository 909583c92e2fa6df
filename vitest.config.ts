import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // At least two files at once, even on two cores: the end-to-end files spend most of their time
    // waiting (on child processes, the fake server's latency, timers), not computing.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});

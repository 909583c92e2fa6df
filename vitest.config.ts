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
    // Processes, not threads: the in-process end-to-end runs change directory (process.chdir), which
    // a worker thread may not, and tests set the umask.
    pool: 'forks',
    // The files of a worker share its module graph: src/, the SDKs, SQLite and the fake server load
    // once per worker instead of once per file (that loading was most of the suite's time). What a
    // file may leave behind is kept per file or undone: each file has its own FRUGAL_HOME
    // (test/helpers/cli.ts), spies and fake timers are restored after each test, and each file
    // starts and closes its own fake server.
    isolate: false,
  },
});

// What every bench section gets: paths, a temp dir, generated prompt files, measurements.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './measure.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export async function benchContext() {
  const tmp = mkdtempSync(join(tmpdir(), 'frugal-bench-'));
  // Generated prompt files are kept between runs (a million lines takes seconds to write),
  // keyed by the generator's own text so that a changed generator writes a new file.
  const cacheDir = process.env.BENCH_CACHE_DIR ?? join(tmpdir(), 'frugal-bench-cache');
  const generator = join(root, 'bench', 'gen-prompts.js');
  const generatorHash = createHash('sha256').update(readFileSync(generator)).digest('hex').slice(0, 12);

  return {
    root,
    /** The CLI as users run it. */
    bin: join(root, 'bin', 'frugal.js'),
    tmp,
    measure,

    /** A JSONL file of `count` generated prompts (bench/gen-prompts.js, seed 42). */
    async prompts(count) {
      mkdirSync(cacheDir, { recursive: true });
      const file = join(cacheDir, `prompts-${count}-${generatorHash}.jsonl`);
      if (existsSync(file)) return { file, generated: false, seconds: 0 };
      const partial = `${file}.${process.pid}.partial`;
      const run = await measure(process.execPath, [generator, partial, String(count)], { stdout: 'ignore' });
      if (run.code !== 0) throw new Error(`gen-prompts failed (exit ${run.code}): ${run.stderr}`);
      renameSync(partial, file);
      return { file, generated: true, seconds: run.wallMs / 1000 };
    },

    cleanup() {
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

import { open, stat, truncate } from 'node:fs/promises';
import { IdIndex } from '../core/execution/id-index.js';
import type { Pico } from '../core/money/money.js';
import { readResults } from './result-reader.js';

export interface PriorResults {
  /** Ids with a successful record: not sent again. */
  done: IdIndex;
  /** Failed records found (their prompts are sent again). */
  failed: number;
  /** What the successful records cost: counts towards --max-spend. */
  spent: Pico;
  /** Bytes of a torn last line that were cut off. */
  tornBytes: number;
  /** Complete lines that were not records (reported, then ignored). */
  unreadable: number;
}

/** Cut a last line that has no newline: the write it came from never finished. */
async function dropTornTail(path: string): Promise<number> {
  const { size } = await stat(path);
  if (size === 0) return 0;
  const handle = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(Math.min(size, 1 << 20));
    let end = size;
    // Walk back to the last newline.
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await handle.read(chunk, 0, end - start, start);
      const nl = chunk.subarray(0, bytesRead).lastIndexOf(10);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep === size) return 0;
        await truncate(path, keep);
        return size - keep;
      }
      end = start;
    }
    await truncate(path, 0);
    return size;
  } finally {
    await handle.close();
  }
}

/** Read the records an earlier run of the same job left in its -o file. A missing file is an empty one. */
export async function readPriorResults(path: string): Promise<PriorResults> {
  const prior: PriorResults = { done: new IdIndex(), failed: 0, spent: 0n, tornBytes: 0, unreadable: 0 };
  try {
    prior.tornBytes = await dropTornTail(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return prior;
    throw err;
  }
  const { unreadable } = await readResults(path, (record) => {
    if (record.estimated) {
      prior.unreadable++;
      return;
    }
    if (record.failed) {
      prior.failed++;
      return;
    }
    const known = prior.done.size;
    if (prior.done.add(record.id) < known) return;
    // cost_usd is the exact picodollar amount / 1e12, so rounding recovers it.
    if (record.costUsd !== undefined) prior.spent += BigInt(Math.round(record.costUsd * 1e12));
  });
  prior.unreadable += unreadable;
  return prior;
}

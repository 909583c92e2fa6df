import { createReadStream } from 'node:fs';
import { open, stat, truncate } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { IdIndex } from '../core/execution/id-index.js';
import type { Pico } from '../core/money/money.js';

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
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let record: { id?: unknown; error?: unknown; cost_usd?: unknown; estimated?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      prior.unreadable++;
      continue;
    }
    if (typeof record.id !== 'string' || record.estimated === true) {
      prior.unreadable++;
      continue;
    }
    if (record.error !== null && record.error !== undefined) {
      prior.failed++;
      continue;
    }
    const known = prior.done.size;
    if (prior.done.add(record.id) < known) continue;
    // cost_usd is the exact picodollar amount / 1e12, so rounding recovers it.
    if (typeof record.cost_usd === 'number') prior.spent += BigInt(Math.round(record.cost_usd * 1e12));
  }
  return prior;
}

import type { ResultRecord } from '../core/execution/events.js';
import type { Usage } from '../core/money/pricing.js';
import { openDb, type Db } from './db.js';

export { cacheKey, type CacheKeyInput } from './hash.js';

/** A successful answer, as the provider gave it. */
export interface CachedAnswer {
  text: string;
  /** Undefined when the provider reported no usage. */
  usage: Usage | undefined;
  answeredBy: string | undefined;
}

export interface ResponseCache {
  get(key: string): CachedAnswer | undefined;
  /** Stores a successful answer (errors never come here); a later put for the same key replaces it. */
  put(key: string, answer: CachedAnswer): void;
  /**
   * Puts a finished record's answer if it is one worth keeping: a real, successful call.
   * Errors, dry-run estimates and answers that themselves came from the cache are not put.
   */
  putResult(key: string, record: ResultRecord): boolean;
  close(): void;
}

interface CacheRow {
  text: string;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  answered_by: string | null;
}

export function cacheable(r: ResultRecord): CachedAnswer | undefined {
  if (r.error || r.estimated || r.cached || r.output === undefined) return undefined;
  return { text: r.output, usage: r.cost === undefined ? undefined : r.usage, answeredBy: r.answeredBy };
}

class SqliteCache implements ResponseCache {
  private readonly select;
  private readonly upsert;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.select = db.prepare<[string], CacheRow>(
      'SELECT text, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, answered_by FROM response_cache WHERE key = ?',
    );
    this.upsert = db.prepare(
      `INSERT OR REPLACE INTO response_cache (key, text, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, answered_by, created_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  get(key: string): CachedAnswer | undefined {
    const row = this.select.get(key);
    if (!row) return undefined;
    const usage =
      row.input_tokens === null
        ? undefined
        : { input: row.input_tokens, output: row.output_tokens ?? 0, cacheRead: row.cache_read_tokens ?? 0, cacheWrite: row.cache_write_tokens ?? 0 };
    return { text: row.text, usage, answeredBy: row.answered_by ?? undefined };
  }

  put(key: string, answer: CachedAnswer): void {
    const u = answer.usage;
    // One autocommit write: a put is visible to the next get, in this process and in any other.
    this.upsert.run(key, answer.text, u?.input ?? null, u?.output ?? null, u?.cacheRead ?? null, u?.cacheWrite ?? null, answer.answeredBy ?? null, this.now().getTime());
  }

  putResult(key: string, record: ResultRecord): boolean {
    const answer = cacheable(record);
    if (answer) this.put(key, answer);
    return answer !== undefined;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The response cache in `dir`'s frugal.db (the ledger's file, its own table). */
export function openCache(dir: string, options: { now?: () => Date } = {}): ResponseCache {
  return new SqliteCache(openDb(dir), options.now ?? (() => new Date()));
}

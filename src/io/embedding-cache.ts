import type { EmbeddingCache } from '../core/routing/features.js';
import type { Vector } from '../core/routing/similar.js';
import { openDb, type Db } from './db.js';
import { sha256 } from './hash.js';

interface Row {
  text_hash: string;
  dims: number;
  vector: Buffer;
}

// SQLite allows 32766 parameters; one lookup asks for this many hashes at once.
const LOOKUP = 500;

/** Dense vectors in the `embeddings` table of frugal.db, keyed by embedder and the text's sha256. */
export class SqliteEmbeddingCache implements EmbeddingCache {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
  ) {
    this.insert = db.prepare('INSERT OR REPLACE INTO embeddings (embedder, text_hash, dims, vector, created_ms) VALUES (?, ?, ?, ?, ?)');
  }

  get(embedder: string, texts: readonly string[]): (Vector | undefined)[] {
    const hashes = texts.map(sha256);
    const found = new Map<string, Float32Array>();
    for (let i = 0; i < hashes.length; i += LOOKUP) {
      const part = hashes.slice(i, i + LOOKUP);
      const rows = this.db
        .prepare<string[], Row>(`SELECT text_hash, dims, vector FROM embeddings WHERE embedder = ? AND text_hash IN (${part.map(() => '?').join(',')})`)
        .all(embedder, ...part);
      for (const row of rows) found.set(row.text_hash, decode(row));
    }
    return hashes.map((h) => found.get(h));
  }

  put(embedder: string, texts: readonly string[], vectors: readonly Vector[]): void {
    const at = this.now().getTime();
    this.db.transaction(() => {
      texts.forEach((text, i) => {
        const v = vectors[i]!;
        // Only dense vectors are stored: sparse ones are the builtin embedder's, cheaper to recompute.
        if (!(v instanceof Float32Array)) return;
        this.insert.run(embedder, sha256(text), v.length, Buffer.from(v.buffer, v.byteOffset, v.byteLength), at);
      });
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function decode(row: Row): Float32Array {
  // Copied: the Buffer's memory may not be aligned for a Float32Array view.
  const out = new Float32Array(row.dims);
  new Uint8Array(out.buffer).set(row.vector.subarray(0, row.dims * 4));
  return out;
}

/** The embedding cache in `dir`'s frugal.db. */
export function openEmbeddingCache(dir: string, options: { now?: () => Date } = {}): SqliteEmbeddingCache {
  return new SqliteEmbeddingCache(openDb(dir), options.now ?? (() => new Date()));
}

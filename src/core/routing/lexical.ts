import type { Embedder } from './features.js';
import type { SparseVector } from './similar.js';

/**
 * `embedder: builtin`: TF-IDF over words, word pairs and character 3- to 5-grams (within words),
 * compared by cosine. Words catch shared vocabulary; character n-grams catch inflections, typos
 * and compounds ("invoice" / "invoices" / "invoicing"). Each family is scaled to half the vector's
 * weight, so a prompt's similarity is the mean of its word and its character similarity.
 *
 * The IDF is learnt from the policy's examples alone, so that a prompt's score never depends on
 * which other prompts are in the same file. Terms no example has weigh in only through the
 * prompt's length (its norm): a long prompt with a few shared words is less similar than a short one.
 */
export class LexicalModel {
  private readonly vocab = new Map<number, number>();
  private readonly idf: number[] = [];
  private readonly unseenIdf: number;
  private readonly counter = new TermCounter();

  constructor(corpus: readonly string[]) {
    const df = new Map<number, number>();
    for (const text of corpus) {
      this.counter.count(text);
      for (const h of this.counter.terms()) df.set(h, (df.get(h) ?? 0) + 1);
    }
    const n = corpus.length;
    // Sorted so that the same examples give the same term ids, whatever their order.
    for (const h of [...df.keys()].sort((a, b) => a - b)) {
      this.vocab.set(h, this.idf.length);
      this.idf.push(Math.log((1 + n) / (1 + df.get(h)!)) + 1);
    }
    this.unseenIdf = Math.log(1 + n) + 1;
  }

  get size(): number {
    return this.vocab.size;
  }

  vector(text: string): SparseVector {
    const c = this.counter;
    c.count(text);
    const ids: number[] = [];
    const weights: number[] = [];
    const families: number[] = [];
    const norms = [0, 0];
    for (let k = 0; k < c.used; k++) {
      const slot = c.order[k]!;
      const h = c.keys[slot]!;
      const id = this.vocab.get(h);
      const w = (1 + Math.log(c.counts[slot]!)) * (id === undefined ? this.unseenIdf : this.idf[id]!);
      const family = h & 1;
      norms[family]! += w * w;
      if (id === undefined) continue;
      ids.push(id);
      weights.push(w);
      families.push(family);
    }
    const present = norms.filter((x) => x > 0).length;
    const scale = norms.map((x) => (x > 0 ? 1 / Math.sqrt(x * present) : 0));
    const order = ids.map((_, i) => i).sort((a, b) => ids[a]! - ids[b]!);
    return {
      indices: Uint32Array.from(order, (i) => ids[i]!),
      values: Float32Array.from(order, (i) => weights[i]! * scale[families[i]!]!),
    };
  }
}

const WORD = /[\p{L}\p{N}]+/gu;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// Term families, mixed into each hash; the low bit says word-level (0) or character-level (1).
const WORDS = 0x9e3779b8;
const PAIRS = 0x85ebca6a;
const CHARS = 0xc2b2ae35;

/**
 * Counts a text's terms as 32-bit hashes (FNV-1a) in an open-addressing table reused from text to
 * text: words, word pairs, and character 3- to 5-grams of each word padded with a space. Hashes
 * instead of strings make the builtin embedder fast enough for large files; two terms that share
 * a hash only add a little to a similarity.
 */
class TermCounter {
  keys = new Int32Array(1024);
  counts = new Int32Array(1024);
  /** Filled slots, in first-seen order; `used` of them. */
  order = new Int32Array(512);
  used = 0;

  count(text: string): void {
    for (let k = 0; k < this.used; k++) this.counts[this.order[k]!] = 0;
    this.used = 0;
    let previous: number | undefined;
    for (const [word] of text.toLowerCase().matchAll(WORD)) {
      let h = FNV_OFFSET;
      for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
      this.add((h ^ WORDS) & ~1);
      if (previous !== undefined) this.add((Math.imul(previous ^ PAIRS, FNV_PRIME) ^ h) & ~1);
      previous = h;
      // Character n-grams of " word ": 32 is the padding space on either side.
      const length = word.length + 2;
      const at = (i: number) => (i === 0 || i === length - 1 ? 32 : word.charCodeAt(i - 1));
      for (let i = 0; i + 3 <= length; i++) {
        let g = CHARS;
        for (let n = 0; n < 5 && i + n < length; n++) {
          g = Math.imul(g ^ at(i + n), FNV_PRIME);
          if (n >= 2) this.add(Math.imul(g ^ n, FNV_PRIME) | 1);
        }
      }
    }
  }

  *terms(): Generator<number> {
    for (let k = 0; k < this.used; k++) yield this.keys[this.order[k]!]!;
  }

  private add(h: number): void {
    if (this.used * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    let slot = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    while (this.counts[slot]! !== 0 && this.keys[slot]! !== h) slot = (slot + 1) & mask;
    if (this.counts[slot] === 0) {
      this.keys[slot] = h;
      this.order[this.used++] = slot;
    }
    this.counts[slot]! += 1;
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    const order = this.order.subarray(0, this.used);
    this.keys = new Int32Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    this.order = new Int32Array(keys.length);
    const used = this.used;
    this.used = 0;
    const mask = this.keys.length - 1;
    for (let k = 0; k < used; k++) {
      const h = keys[order[k]!]!;
      let slot = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
      while (this.counts[slot]! !== 0) slot = (slot + 1) & mask;
      this.keys[slot] = h;
      this.counts[slot] = counts[order[k]!]!;
      this.order[this.used++] = slot;
    }
  }
}

/** The builtin embedder, fitted on the policy's examples: in process, no calls, nothing to cache. */
export function lexicalEmbedder(examples: readonly string[]): Embedder {
  const model = new LexicalModel(examples);
  return {
    name: 'builtin',
    persistent: false,
    embed: (texts) => Promise.resolve({ vectors: texts.map((t) => model.vector(t)), calls: [] }),
  };
}

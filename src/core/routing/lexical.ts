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
  private readonly vocab = new Map<string, number>();
  private readonly idf: number[] = [];
  private readonly unseenIdf: number;

  constructor(corpus: readonly string[]) {
    const df = new Map<string, number>();
    for (const text of corpus) {
      for (const term of terms(text).keys()) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const n = corpus.length;
    // Sorted so that the same examples give the same term ids, whatever their order.
    for (const term of [...df.keys()].sort()) {
      this.vocab.set(term, this.idf.length);
      this.idf.push(Math.log((1 + n) / (1 + df.get(term)!)) + 1);
    }
    this.unseenIdf = Math.log(1 + n) + 1;
  }

  get size(): number {
    return this.vocab.size;
  }

  vector(text: string): SparseVector {
    const ids: number[] = [];
    const weights: number[] = [];
    const norms = [0, 0];
    const families: number[] = [];
    for (const [term, tf] of terms(text)) {
      const id = this.vocab.get(term);
      const w = (1 + Math.log(tf)) * (id === undefined ? this.unseenIdf : this.idf[id]!);
      const family = term.charCodeAt(0) === CHAR ? 1 : 0;
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

const CHAR = 'c'.charCodeAt(0);
const WORD = /[\p{L}\p{N}]+/gu;

/** A text's terms and their counts: `w` words, `b` word pairs, `c` character n-grams. */
function terms(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (t: string) => counts.set(t, (counts.get(t) ?? 0) + 1);
  let previous: string | undefined;
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    add(`w${word}`);
    if (previous !== undefined) add(`b${previous} ${word}`);
    previous = word;
    const padded = ` ${word} `;
    for (let n = 3; n <= 5; n++) {
      for (let i = 0; i + n <= padded.length; i++) add(`c${padded.slice(i, i + n)}`);
      if (n >= padded.length) break;
    }
  }
  return counts;
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

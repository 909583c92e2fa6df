import type { CallRecord } from '../execution/calls.js';
import type { Policy } from '../policy/types.js';
import { userText, type PromptRecord } from '../prompt.js';
import type { SimilarHit, SimilarMatcher } from './matchers.js';
import { ExampleIndex, similarMatchers, type Vector } from './similar.js';

/**
 * Turns texts into vectors. `name` identifies the vectors (the cache key): two embedders with the
 * same name must give the same vector for the same text. A remote embedder returns the calls it
 * made (kind `embed`), to be booked like any other call.
 */
export interface Embedder {
  name: string;
  /** Worth storing in the SQLite home (remote vectors cost money and time; builtin ones do not). */
  persistent: boolean;
  embed(texts: string[]): Promise<{ vectors: Vector[]; calls: CallRecord[] }>;
}

/** Stored vectors, keyed by embedder name and text. */
export interface EmbeddingCache {
  get(embedder: string, texts: readonly string[]): (Vector | undefined)[];
  put(embedder: string, texts: readonly string[], vectors: readonly Vector[]): void;
}

/** What the synchronous matchers need of one prompt besides its text and fields. */
export interface PromptFeatures {
  /** By SimilarMatcher key: the nearest example and its similarity. */
  similar: ReadonlyMap<string, SimilarHit>;
}

export interface Features {
  /** One per prompt, in the order given. */
  features: PromptFeatures[];
  /** The embedding calls made (none when everything came from the cache or the builtin embedder). */
  calls: CallRecord[];
  /** Texts embedded by a call, and texts found in the cache. */
  embedded: number;
  cached: number;
}

export interface FeatureOptions {
  /** Keep the nearest `ranked` examples of each similar_to (for explain); default: only the nearest. */
  ranked?: number | undefined;
}

export const NO_FEATURES: PromptFeatures = { similar: new Map() };

/** Every example text of the policy's similar_to conditions (the builtin embedder learns from them). */
export function policyExamples(policy: Pick<Policy, 'classes'>): string[] {
  return similarMatchers(policy).flatMap(({ matcher }) => matcher.examples);
}

/** The classes whose similar_to needs an embedding call (none with `embedder: builtin`). */
export function classesNeedingCalls(policy: Policy): string[] {
  if (policy.embedder === 'builtin') return [];
  return [...new Set(similarMatchers(policy).map(({ rule }) => rule.name))];
}

// Example vectors are embedded once per embedder and set of examples, whatever the number of batches.
const indexes = new WeakMap<Embedder, Map<string, ExampleIndex>>();

async function vectorsOf(texts: readonly string[], embedder: Embedder, cache: EmbeddingCache | undefined, out: Omit<Features, 'features'>): Promise<Map<string, Vector>> {
  const unique = [...new Set(texts)];
  const found = new Map<string, Vector>();
  const stored = embedder.persistent && cache ? cache.get(embedder.name, unique) : [];
  const missing = unique.filter((t, i) => {
    const v = stored[i];
    if (v) found.set(t, v);
    return !v;
  });
  out.cached += unique.length - missing.length;
  if (missing.length > 0) {
    const { vectors, calls } = await embedder.embed(missing);
    if (vectors.length !== missing.length) throw new Error(`${embedder.name}: ${vectors.length} vectors for ${missing.length} texts`);
    out.calls.push(...calls);
    out.embedded += calls.length > 0 ? missing.length : 0;
    missing.forEach((t, i) => found.set(t, vectors[i]!));
    if (embedder.persistent && cache) cache.put(embedder.name, missing, vectors);
  }
  return found;
}

async function exampleIndexes(matchers: SimilarMatcher[], embedder: Embedder, cache: EmbeddingCache | undefined, out: Omit<Features, 'features'>): Promise<ExampleIndex[]> {
  let memo = indexes.get(embedder);
  if (!memo) indexes.set(embedder, (memo = new Map()));
  const keyOf = (m: SimilarMatcher) => JSON.stringify(m.examples);
  const todo = matchers.filter((m) => !memo.has(keyOf(m)));
  if (todo.length > 0) {
    const vectors = await vectorsOf(todo.flatMap((m) => m.examples), embedder, cache, out);
    for (const m of todo) memo.set(keyOf(m), new ExampleIndex(m.examples.map((e) => vectors.get(e)!)));
  }
  return matchers.map((m) => memo.get(keyOf(m))!);
}

/**
 * The features step before matching: for a batch of prompts, the similarity of each prompt to the
 * nearest example of every similar_to in the policy. Prompts are embedded together (the embedder
 * batches them into requests), each distinct text once; vectors come from the cache when it has
 * them. Matching itself stays synchronous: pass each prompt's features to classify.
 */
export async function computeFeatures(
  policy: Policy,
  prompts: readonly PromptRecord[],
  embedder: Embedder,
  cache: EmbeddingCache | undefined,
  options: FeatureOptions = {},
): Promise<Features> {
  const out: Features = { features: [], calls: [], embedded: 0, cached: 0 };
  const matchers = similarMatchers(policy).map((s) => s.matcher);
  if (matchers.length === 0) {
    out.features = prompts.map(() => NO_FEATURES);
    return out;
  }
  const index = await exampleIndexes(matchers, embedder, cache, out);
  const texts = prompts.map((p) => userText(p));
  // A blank prompt resembles nothing; embeddings APIs refuse empty input.
  const vectors = await vectorsOf(texts.filter((t) => t.trim() !== ''), embedder, cache, out);
  const k = options.ranked ?? 1;
  out.features = texts.map((text) => {
    const v = vectors.get(text);
    const similar = new Map<string, SimilarHit>();
    matchers.forEach((m, i) => {
      const ranked = v ? index[i]!.nearest(v, k) : [{ example: 0, score: 0 }];
      similar.set(m.key, { ...ranked[0]!, ranked: k > 1 ? ranked : undefined });
    });
    return { similar };
  });
  return out;
}

import type { ClassRule, Policy } from '../policy/types.js';
import type { Matcher, SimilarMatcher } from './matchers.js';

/** A sparse vector: term ids in ascending order and their weights. */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

/** An embedding, scaled to unit length so that cosine similarity is a dot product. */
export type Vector = Float32Array | SparseVector;

const isDense = (v: Vector): v is Float32Array => v instanceof Float32Array;

/** A dense vector from an API, scaled to unit length (a zero vector stays zero). */
export function unitDense(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  let norm = 0;
  for (let i = 0; i < out.length; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Cosine similarity of two unit vectors of the same embedder. */
export function cosine(a: Vector, b: Vector): number {
  if (isDense(a) && isDense(b)) {
    if (a.length !== b.length) throw new Error(`vectors of different sizes (${a.length} and ${b.length})`);
    let dot = 0;
    for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
    return dot;
  }
  if (isDense(a) || isDense(b)) throw new Error('a dense and a sparse vector cannot be compared');
  let dot = 0;
  for (let i = 0, j = 0; i < a.indices.length && j < b.indices.length; ) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) dot += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return dot;
}

/**
 * One `similar_to`'s examples, ready to score prompts against. Dense examples are compared one by
 * one; sparse ones through an inverted index (term -> examples that have it), so that a prompt
 * costs the length of the postings of its own terms, not examples x terms.
 */
export class ExampleIndex {
  private readonly dense: Float32Array[] = [];
  private readonly postings = new Map<number, { example: number; weight: number }[]>();
  private readonly scores: Float64Array;

  constructor(readonly vectors: Vector[]) {
    this.scores = new Float64Array(vectors.length);
    vectors.forEach((v, example) => {
      if (isDense(v)) {
        this.dense.push(v);
        return;
      }
      for (let i = 0; i < v.indices.length; i++) {
        const term = v.indices[i]!;
        let list = this.postings.get(term);
        if (!list) this.postings.set(term, (list = []));
        list.push({ example, weight: v.values[i]! });
      }
    });
  }

  /** The `k` nearest examples, best first (ties: the earlier example). */
  nearest(v: Vector, k: number): { example: number; score: number }[] {
    const scores = this.scores;
    if (isDense(v)) {
      for (let i = 0; i < this.dense.length; i++) scores[i] = cosine(this.dense[i]!, v);
    } else {
      scores.fill(0);
      for (let i = 0; i < v.indices.length; i++) {
        const list = this.postings.get(v.indices[i]!);
        if (!list) continue;
        const w = v.values[i]!;
        for (const p of list) scores[p.example]! += w * p.weight;
      }
    }
    if (k === 1) {
      let best = 0;
      for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
      return [{ example: best, score: clamp(scores[best]!) }];
    }
    return [...scores.keys()]
      .sort((a, b) => scores[b]! - scores[a]! || a - b)
      .slice(0, k)
      .map((example) => ({ example, score: clamp(scores[example]!) }));
  }
}

// Float error can take a unit vector's cosine with itself a hair past 1.
const clamp = (x: number) => Math.min(1, Math.max(-1, x));

function walk(m: Matcher, visit: (s: SimilarMatcher) => void): void {
  switch (m.kind) {
    case 'similar':
      return visit(m);
    case 'all':
    case 'any':
      return m.of.forEach((x) => walk(x, visit));
    case 'not':
      return walk(m.of, visit);
    default:
      return;
  }
}

/** Every `similar_to` of the policy, in class order, with its class. */
export function similarMatchers(policy: Pick<Policy, 'classes'>): { rule: ClassRule; matcher: SimilarMatcher }[] {
  const out: { rule: ClassRule; matcher: SimilarMatcher }[] = [];
  for (const rule of policy.classes) walk(rule.when, (matcher) => out.push({ rule, matcher }));
  return out;
}

function replaceThresholds(m: Matcher, thresholds: ReadonlyMap<string, number>): Matcher {
  switch (m.kind) {
    case 'similar':
      return thresholds.has(m.key) ? { ...m, threshold: thresholds.get(m.key)! } : m;
    case 'all':
    case 'any':
      return { ...m, of: m.of.map((x) => replaceThresholds(x, thresholds)) };
    case 'not':
      return { ...m, of: replaceThresholds(m.of, thresholds) };
    default:
      return m;
  }
}

/** The same policy with some `similar_to` thresholds changed (by matcher key), for `frugal test --fit`. */
export function withThresholds(policy: Policy, thresholds: ReadonlyMap<string, number>): Policy {
  return { ...policy, classes: policy.classes.map((c) => ({ ...c, when: replaceThresholds(c.when, thresholds) })) };
}

import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import { classify, traceClasses } from '../../../src/core/routing/classify.js';
import { computeFeatures, type Embedder, type EmbeddingCache } from '../../../src/core/routing/features.js';
import { LexicalModel, lexicalEmbedder } from '../../../src/core/routing/lexical.js';
import { cosine, ExampleIndex, unitDense, withThresholds, type Vector } from '../../../src/core/routing/similar.js';
import { estimateCounter } from '../../../src/core/routing/tokens.js';
import { dedent, NOW, rng, userPrompt } from '../../support.js';

const POLICY = dedent(`
  default: big
  models:
    quick: { provider: openai, model: gpt-5.4-mini }
    big: { provider: openai, model: gpt-5.4 }
  classes:
    - name: code
      when: { keywords: [python] }
      route: big
    - name: support
      when:
        similar_to:
          examples: ["How do I reset my password?", "My invoice is wrong", "I cannot log in to my account"]
          threshold: 0.3
      route: quick
    - name: short-not-support
      when:
        all:
          - { max_prompt_tokens: 50 }
          - not: { similar_to: { examples: ["How do I reset my password?"], threshold: 0.3 } }
      route: quick
`);
const policy = parsePolicy(POLICY, 'routes.yaml', { now: NOW });

describe('vectors', () => {
  it('cosine of unit vectors, dense and sparse, against a direct computation', () => {
    const r = rng(7);
    for (let n = 0; n < 50; n++) {
      const a = Array.from({ length: 16 }, () => r() - 0.5);
      const b = Array.from({ length: 16 }, () => r() - 0.5);
      const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      const want = a.reduce((s, x, i) => s + x * b[i]!, 0) / (norm(a) * norm(b));
      expect(cosine(unitDense(a), unitDense(b))).toBeCloseTo(want, 5);
      const sparse = (v: number[]) => {
        const u = unitDense(v);
        const idx = [...u.keys()].filter((i) => i % 3 !== 0);
        return { indices: Uint32Array.from(idx), values: Float32Array.from(idx, (i) => u[i]!) };
      };
      const sa = sparse(a);
      const sb = sparse(b);
      const direct = [...sa.indices].reduce((s, i, k) => s + sa.values[k]! * (sb.values[[...sb.indices].indexOf(i)] ?? 0), 0);
      expect(cosine(sa, sb)).toBeCloseTo(direct, 5);
    }
    expect(cosine(unitDense([0, 0]), unitDense([1, 0]))).toBe(0);
    expect(() => cosine(unitDense([1]), unitDense([1, 0]))).toThrow(/different sizes/);
  });

  it('the example index gives the same nearest examples as comparing one by one', () => {
    const model = new LexicalModel(['reset my password', 'invoice is wrong', 'cannot log in', 'password expired yesterday']);
    const examples = ['reset my password', 'invoice is wrong', 'cannot log in', 'password expired yesterday'].map((t) => model.vector(t));
    const index = new ExampleIndex(examples);
    for (const q of ['my password', 'wrong invoice again', 'log in fails', 'nothing alike here']) {
      const v = model.vector(q);
      const brute = examples.map((e, example) => ({ example, score: cosine(v, e) })).sort((a, b) => b.score - a.score || a.example - b.example);
      const got = index.nearest(v, 4);
      expect(got.map((g) => g.example)).toEqual(brute.map((b) => b.example));
      got.forEach((g, i) => expect(g.score).toBeCloseTo(brute[i]!.score, 5));
      expect(index.nearest(v, 1)[0]!.example).toBe(brute[0]!.example);
    }
  });
});

describe('the builtin lexical embedder', () => {
  const model = new LexicalModel(['How do I reset my password?', 'My invoice is wrong', 'I cannot log in to my account']);
  const sim = (a: string, b: string) => cosine(model.vector(a), model.vector(b));

  it('scores a text against itself 1, and unrelated text 0', () => {
    expect(sim('How do I reset my password?', 'How do I reset my password?')).toBeCloseTo(1, 5);
    expect(sim('zebra quantum', 'My invoice is wrong')).toBe(0);
    expect(model.vector('').indices.length).toBe(0);
  });

  it('ranks a paraphrase above a text that shares only common words', () => {
    expect(sim('how can I reset the password', 'How do I reset my password?')).toBeGreaterThan(sim('how do I bake bread', 'How do I reset my password?') + 0.2);
  });

  it('character n-grams catch other forms of a word', () => {
    expect(sim('invoices', 'My invoice is wrong')).toBeGreaterThan(0.1);
  });

  it('a long prompt with the same shared words is less similar than a short one', () => {
    expect(sim('reset password', 'How do I reset my password?')).toBeGreaterThan(sim('reset password and then tell me a long story about dragons and castles', 'How do I reset my password?'));
  });

  it('is the same whatever order the examples come in, and whatever other prompts are embedded', async () => {
    const other = new LexicalModel(['I cannot log in to my account', 'How do I reset my password?', 'My invoice is wrong']);
    expect(cosine(other.vector('reset it'), other.vector('How do I reset my password?'))).toBeCloseTo(sim('reset it', 'How do I reset my password?'), 6);
    const e = lexicalEmbedder(['a b c']);
    const [alone] = (await e.embed(['a b'])).vectors;
    const [withOthers] = (await e.embed(['a b', 'c c c', 'x'])).vectors;
    expect(withOthers).toEqual(alone);
  });
});

/** A deterministic dense embedder that counts what it is asked for. */
function countingEmbedder(): Embedder & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    name: 'stub:hash',
    persistent: true,
    asked,
    embed: (texts) => {
      asked.push(texts);
      // Dense vectors of hashed words: texts sharing words get similar vectors.
      const dense = texts.map((t) => {
        const v = new Array(64).fill(0) as number[];
        for (const w of t.toLowerCase().split(/\W+/).filter(Boolean)) v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 64, 7)]! += 1;
        return unitDense(v);
      });
      return Promise.resolve({ vectors: dense, calls: [{ kind: 'embed' as const, route: 'embed', provider: 'openai', model: 'm', usage: { input: texts.length, output: 0, cacheRead: 0, cacheWrite: 0 }, cost: BigInt(texts.length), unsettled: 0n, attempts: 1, cached: false }] });
    },
  };
}

function memoryCache(): EmbeddingCache & { store: Map<string, Vector> } {
  const store = new Map<string, Vector>();
  return {
    store,
    get: (name, texts) => texts.map((t) => store.get(`${name}\0${t}`)),
    put: (name, texts, vectors) => texts.forEach((t, i) => store.set(`${name}\0${t}`, vectors[i]!)),
  };
}

describe('computeFeatures and matching', () => {
  const prompts = ['I forgot my password, can you reset it', 'write python code', 'tell me a joke', 'I forgot my password, can you reset it', '   '].map((t) => userPrompt(t));

  it('embeds examples once and each distinct prompt once, in one batch, and returns the calls', async () => {
    const embedder = countingEmbedder();
    const f = await computeFeatures(policy, prompts, embedder, undefined);
    expect(embedder.asked).toEqual([
      ['How do I reset my password?', 'My invoice is wrong', 'I cannot log in to my account'],
      ['I forgot my password, can you reset it', 'write python code', 'tell me a joke'],
    ]);
    expect(f.calls.map((c) => c.kind)).toEqual(['embed', 'embed']);
    expect(f.features).toHaveLength(5);
    // A blank prompt resembles nothing and is not sent.
    expect(f.features[4]!.similar.get('classes[1].when.similar_to')).toEqual({ example: 0, score: 0, ranked: undefined });
    await computeFeatures(policy, prompts.slice(2, 3), embedder, undefined);
    expect(embedder.asked.slice(2)).toEqual([['tell me a joke']]);
  });

  it('takes vectors from the cache and stores new ones; the builtin embedder is not cached', async () => {
    const cache = memoryCache();
    const first = countingEmbedder();
    const a = await computeFeatures(policy, prompts, first, cache);
    expect(a.cached).toBe(0);
    expect(cache.store.size).toBe(6);
    const second = countingEmbedder();
    const b = await computeFeatures(policy, prompts, second, cache);
    expect(second.asked).toEqual([]);
    expect([b.calls.length, b.cached]).toEqual([0, 6]);
    expect(b.features.map((x) => [...x.similar.values()].map((h) => h.score))).toEqual(a.features.map((x) => [...x.similar.values()].map((h) => h.score)));
    const builtin = new Map<string, Vector>();
    await computeFeatures(policy, prompts, lexicalEmbedder(['x']), { get: (_n, t) => t.map(() => undefined), put: (_n, t, v) => t.forEach((x, i) => builtin.set(x, v[i]!)) });
    expect(builtin.size).toBe(0);
  });

  it('classes still match in order, similar_to combines with all/not, and the reason carries the score', async () => {
    const embedder = lexicalEmbedder(['How do I reset my password?', 'My invoice is wrong', 'I cannot log in to my account']);
    const f = await computeFeatures(policy, prompts, embedder, undefined);
    const d = prompts.map((p, i) => classify(policy, p, estimateCounter, f.features[i]));
    expect(d.map((x) => x.class)).toEqual(['support', 'code', 'short-not-support', 'support', 'short-not-support']);
    expect(d[0]!.reason).toMatch(/^support: similar to "How do I reset my password\?" 0\.\d{3} >= 0\.3$/);
    const { trace } = traceClasses(policy, prompts[2]!, estimateCounter, f.features[2]);
    expect(trace[1]!.why).toMatch(/< 0\.3$/);
    expect(trace[2]!.why).toMatch(/not \(similar to/);
  });

  it('a threshold is reached at equality, and withThresholds changes only the one named', async () => {
    const embedder = lexicalEmbedder(['How do I reset my password?', 'My invoice is wrong', 'I cannot log in to my account']);
    const f = await computeFeatures(policy, prompts.slice(0, 1), embedder, undefined);
    const score = f.features[0]!.similar.get('classes[1].when.similar_to')!.score;
    const at = withThresholds(policy, new Map([['classes[1].when.similar_to', score]]));
    expect(classify(at, prompts[0]!, estimateCounter, f.features[0]).class).toBe('support');
    const above = withThresholds(policy, new Map([['classes[1].when.similar_to', Math.min(1, score + 1e-6)]]));
    expect(classify(above, prompts[0]!, estimateCounter, f.features[0]).class).not.toBe('support');
    expect(policy.classes[1]!.when).toMatchObject({ threshold: 0.3 });
  });

  it('matching without features is a bug that names the features step', () => {
    expect(() => classify(policy, userPrompt('hello'), estimateCounter)).toThrow(/run computeFeatures before matching/);
  });

  it('ranked keeps the nearest few, best first', async () => {
    const embedder = lexicalEmbedder(['How do I reset my password?', 'My invoice is wrong', 'I cannot log in to my account']);
    const f = await computeFeatures(policy, [userPrompt('cannot log in, reset password')], embedder, undefined, { ranked: 3 });
    const hit = f.features[0]!.similar.get('classes[1].when.similar_to')!;
    expect(hit.ranked).toHaveLength(3);
    expect(hit.ranked![0]).toEqual({ example: hit.example, score: hit.score });
    expect(hit.ranked![0]!.score).toBeGreaterThanOrEqual(hit.ranked![1]!.score);
  });
});

import type { CallRecord } from '../core/execution/calls.js';
import type { Policy } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import { computeFeatures, type PromptFeatures } from '../core/routing/features.js';
import { similarMatchers } from '../core/routing/similar.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import type { Context } from './context.js';
import { embeddingReport } from './dry-run-features.js';
import { openEmbedder, type EmbedderFlags } from './embedder.js';

/** How many of each similar_to's examples explain shows. */
const SHOWN = 3;

export interface SimilarExplanation {
  features: PromptFeatures | undefined;
  embedder: string;
  calls: CallRecord[];
  cached: number;
  nearest: { class: string; at: string; threshold: number; examples: { example: string; score: number }[] }[];
}

/** The prompt's features, and the nearest examples of every similar_to with their scores. */
export async function explainSimilar(ctx: Context, policy: Policy, prompt: PromptRecord, counter: TokenCounter, flags: EmbedderFlags): Promise<SimilarExplanation> {
  const matchers = similarMatchers(policy);
  if (matchers.length === 0) return { features: undefined, embedder: '', calls: [], cached: 0, nearest: [] };
  const setup = await openEmbedder(ctx, policy, counter, flags);
  try {
    const f = await computeFeatures(policy, [prompt], setup.embedder, setup.cache, { ranked: SHOWN });
    const features = f.features[0]!;
    const nearest = matchers.map(({ rule, matcher }) => ({
      class: rule.name,
      at: matcher.key,
      threshold: matcher.threshold,
      examples: (features.similar.get(matcher.key)?.ranked ?? []).map((r) => ({ example: matcher.examples[r.example]!, score: round(r.score) })),
    }));
    return { features, embedder: setup.label, calls: f.calls, cached: f.cached, nearest };
  } finally {
    setup.close();
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function similarLines(s: SimilarExplanation): string[] {
  if (s.nearest.length === 0) return [];
  const lines = ['', `nearest examples (embedder ${s.embedder}):`];
  for (const n of s.nearest) {
    lines.push(`  ${n.class} (threshold ${n.threshold}):`);
    for (const e of n.examples) lines.push(`    ${e.score.toFixed(3)} ${e.score >= n.threshold ? '✓' : ' '} ${JSON.stringify(clip(e.example, 70))}`);
  }
  if (s.embedder !== 'builtin') lines.push(`  ${embeddingReport(s.embedder, s.calls, s.cached, false)}`);
  return lines;
}

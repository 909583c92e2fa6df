import { UserError } from '../core/errors.js';
import type { Policy } from '../core/policy/types.js';
import { classesNeedingCalls, policyExamples, type Embedder, type EmbeddingCache } from '../core/routing/features.js';
import { lexicalEmbedder } from '../core/routing/lexical.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { dataDir } from '../io/store-path.js';
import type { Context } from './context.js';

export interface EmbedderFlags {
  /** Make no call at all: a remote embedder is refused. */
  offline?: boolean | undefined;
  home?: string | undefined;
}

export interface EmbedderSetup {
  embedder: Embedder;
  cache: EmbeddingCache | undefined;
  /** Says what the embedder is, for messages: `builtin` or `embed (openai/text-embedding-3-small)`. */
  label: string;
  close(): void;
}

/** The policy's embedder (builtin, or its `embedder:` model with the embedding cache), for computeFeatures. */
export async function openEmbedder(ctx: Context, policy: Policy, counter: TokenCounter, flags: EmbedderFlags = {}): Promise<EmbedderSetup> {
  const needing = classesNeedingCalls(policy);
  if (needing.length === 0) {
    return { embedder: lexicalEmbedder(policyExamples(policy)), cache: undefined, label: 'builtin', close: () => {} };
  }
  const model = policy.models.get(policy.embedder)!;
  const label = `${model.alias} (${model.provider}/${model.model})`;
  if (flags.offline) {
    throw new UserError(
      `--offline: class${needing.length === 1 ? '' : 'es'} ${needing.join(', ')} need${needing.length === 1 ? 's' : ''} embedding calls to ${label}`,
      'drop --offline to make them (a dry run makes only these), or set `embedder: builtin` to compare prompts in process',
    );
  }
  const [{ ProviderPool }, { remoteEmbedder }, { openEmbeddingCache }] = await Promise.all([
    import('../providers/index.js'),
    import('../executors/embed.js'),
    import('../io/embedding-cache.js'),
  ]);
  const pool = new ProviderPool(ctx.env, 120_000);
  const baseUrl = model.baseUrl ?? ctx.env.OPENAI_BASE_URL;
  const cache = openEmbeddingCache(dataDir(ctx.env, ctx.cwd, flags.home), { now: ctx.now });
  const embedder = remoteEmbedder({
    model,
    baseUrl,
    provider: () => pool.get(model),
    count: (t) => counter.count(t),
    clock: ctx.clock,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
  });
  return { embedder, cache, label, close: () => cache.close() };
}

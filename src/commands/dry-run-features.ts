import { UserError } from '../core/errors.js';
import type { CallRecord } from '../core/execution/calls.js';
import { formatInt, formatUsd } from '../core/money/money.js';
import type { Policy } from '../core/policy/types.js';
import type { InputItem, PromptRecord } from '../core/prompt.js';
import { computeFeatures, type PromptFeatures } from '../core/routing/features.js';
import { similarMatchers } from '../core/routing/similar.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import type { Context } from './context.js';
import { openEmbedder, type EmbedderFlags } from './embedder.js';

/** What the embedding calls of a run came to: how many, for how many texts, and their cost. */
export function embeddingReport(label: string, calls: readonly CallRecord[], cached: number, dryRun: boolean): string {
  if (label === 'builtin') return 'similar_to: builtin embedder, in process: no embedding calls';
  const tokens = calls.reduce((n, c) => n + c.usage.input, 0);
  const cost = calls.reduce((n, c) => n + c.cost, 0n);
  const estimated = calls.some((c) => c.unsettled > 0n);
  const fromCache = cached > 0 ? `; ${formatInt(cached)} text${cached === 1 ? '' : 's'} from the embedding cache` : '';
  const only = dryRun ? 'dry run: the only calls sent were ' : '';
  return `${only}${formatInt(calls.length)} embedding call${calls.length === 1 ? '' : 's'} to ${label}: ${formatInt(tokens)} tokens, ${estimated ? 'about ' : ''}${formatUsd(cost)}${fromCache}`;
}

export interface FeatureStep {
  compute(prompts: PromptRecord[]): Promise<PromptFeatures[]>;
  /** The embedding calls made so far (kind `embed`), for the ledger and the summary. */
  calls: CallRecord[];
  report(): string;
  close(): void;
}

/** The features step of a dry run, or undefined when the policy has no similar_to. */
export async function dryRunFeatures(ctx: Context, policy: Policy, counter: TokenCounter, flags: EmbedderFlags): Promise<FeatureStep | undefined> {
  if (similarMatchers(policy).length === 0) return undefined;
  const setup = await openEmbedder(ctx, policy, counter, flags);
  const calls: CallRecord[] = [];
  let cached = 0;
  return {
    calls,
    async compute(prompts) {
      const f = await computeFeatures(policy, prompts, setup.embedder, setup.cache);
      calls.push(...f.calls);
      cached += f.cached;
      return f.features;
    },
    report: () => embeddingReport(setup.label, calls, cached, true),
    close: () => setup.close(),
  };
}

/** Live runs route similar_to classes once the features step is part of their router chain. */
export function refuseSimilarLive(policy: Policy, command: string): void {
  const classes = [...new Set(similarMatchers(policy).map((s) => s.rule.name))];
  if (classes.length === 0) return;
  throw new UserError(
    `${command}: similar_to classes (${classes.join(', ')}) are not routed in live runs yet`,
    'use frugal run --dry-run, frugal explain or frugal test with this policy',
  );
}

/** Prompts embedded together: a batch is read (up to 256, or what the input has ready), embedded, then routed. */
export async function* withFeatures(
  items: AsyncIterable<InputItem>,
  step: FeatureStep,
  featuresOf: WeakMap<PromptRecord, PromptFeatures>,
  onCalls: (calls: CallRecord[], first: PromptRecord) => void,
): AsyncGenerator<InputItem> {
  const iterator = items[Symbol.asyncIterator]();
  for (;;) {
    const batch: InputItem[] = [];
    let done = false;
    while (batch.length < FEATURE_BATCH) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      batch.push(next.value);
    }
    const prompts = batch.flatMap((i) => (i.kind === 'prompt' ? [i.prompt] : []));
    if (prompts.length > 0) {
      const made = step.calls.length;
      const features = await step.compute(prompts);
      prompts.forEach((p, i) => featuresOf.set(p, features[i]!));
      onCalls(step.calls.slice(made), prompts[0]!);
    }
    yield* batch;
    if (done) return;
  }
}

const FEATURE_BATCH = 256;

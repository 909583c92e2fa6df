import type { Policy } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import type { PromptFeatures } from '../core/routing/features.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { formatUsd } from '../core/money/money.js';
import { dataDir } from '../io/store-path.js';
import { write, type Context } from './context.js';
import { dryRunFeatures } from './dry-run-features.js';

/**
 * The features of a policy's similar_to classes for every prompt (undefined when it has none). The
 * embedding calls of a model embedder go into the ledger, like every real call, and are reported.
 */
export async function promptFeatures(ctx: Context, policy: Policy, counter: TokenCounter, prompts: PromptRecord[], opts: { home?: string | undefined; ledger: boolean }): Promise<PromptFeatures[] | undefined> {
  const step = await dryRunFeatures(ctx, policy, counter, { home: opts.home });
  if (!step) return undefined;
  try {
    const features = await step.compute(prompts);
    if (step.calls.length > 0) {
      if (opts.ledger) {
        const { openLedger } = await import('../io/ledger.js');
        const ledger = openLedger(dataDir(ctx.env, ctx.cwd, opts.home));
        const journal = ledger.journal({ runId: `compare-${ctx.now().toISOString()}`, now: ctx.now });
        for (const call of step.calls) {
          const model = policy.models.get(call.route);
          if (model) journal.record({ kind: 'embed', prompt: prompts[0]!, class: null, model, worstCase: call.cost }, call);
        }
        ledger.close();
      }
      const cost = step.calls.reduce((sum, c) => sum + c.cost, 0n);
      write(ctx.stderr, `${policy.file}: similar_to routing made ${step.calls.length} embedding call${step.calls.length === 1 ? '' : 's'} (${formatUsd(cost)})${opts.ledger ? "; they are in the ledger" : ""}`);
    }
    return features;
  } finally {
    step.close();
  }
}

import type { RunEvent, StopReason } from '../core/execution/events.js';
import { execute } from '../core/execution/interactive.js';
import { routingChain } from '../core/routing/chain.js';
import type { Budget } from '../core/money/budget.js';
import type { Policy } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import type { ResponseCache } from '../io/cache.js';
import type { ProviderPool } from '../providers/index.js';
import { liveControl, makeSender } from './session.js';
import { nextTurn, sleep } from '../commands/sleep.js';
import type { Context } from '../commands/context.js';
import type { RunStore } from '../view/run-store.js';
import type { RunOptions } from '../commands/run-shared.js';
import type { RecordSink } from './batch-job.js';

export interface LivePart {
  policy: Policy;
  counter: TokenCounter;
  prompts: PromptRecord[];
  opts: RunOptions;
  pool: ProviderPool;
  cache?: ResponseCache | undefined;
  budget: Budget;
  store: RunStore;
  sink: RecordSink;
}

/**
 * THE SEAM to the live path: the prompts of a `run --batch` whose models have no batch API (an
 * openai-compatible server) are sent here, through the live scheduler, with the same budget and
 * into the same output. When the live session of issue 9 replaces `schedule`, this one call is
 * what changes. Records reach the sink (the sink folds them into the totals), so the scheduler's
 * own prompt events are not folded twice.
 */
export async function runLivePrompts(ctx: Context, p: LivePart): Promise<StopReason> {
  if (p.prompts.length === 0) return 'done';
  const { control, release } = liveControl(ctx, p.store);
  const emit = (e: RunEvent) => {
    if (e.type === 'retry' || e.type === 'throttled' || e.type === 'input-error') p.store.apply(e);
  };
  try {
    return await execute(
      {
        items: (async function* () {
          for (const prompt of p.prompts) yield { kind: 'prompt' as const, prompt };
        })(),
        planner: { route: routingChain(p.policy, p.counter, p.opts.model), models: p.policy.models, maxTokens: p.opts.maxTokens },
        baseline: p.policy.models.get(p.policy.baseline)!,
      },
      { concurrency: p.opts.concurrency, retries: p.opts.retries, budget: p.budget },
      {
        send: makeSender(p.pool, p.cache, undefined, () => p.sink.flush()),
        emit,
        onRecord: (record, prompt) => {
          p.sink.write({ record, liveCost: record.cost }, { system: prompt.system, messages: prompt.messages, maxTokens: undefined }, null);
          return undefined;
        },
      },
      { control, clock: ctx.clock, sleep, nextTurn, random: Math.random },
    );
  } finally {
    release();
    p.sink.flush();
  }
}

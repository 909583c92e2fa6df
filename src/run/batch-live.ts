import type { RunEvent, StopReason } from '../core/execution/events.js';
import { execute } from '../core/execution/interactive.js';
import type { CallJournal } from '../core/execution/call-runner.js';
import type { Planner } from '../core/execution/planner.js';
import type { Decision } from '../core/routing/chain.js';
import type { Budget } from '../core/money/budget.js';
import type { Policy } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import type { ResponseCache } from '../io/cache.js';
import type { ProviderPool } from '../providers/index.js';
import { liveControl, makeSender } from './session.js';
import { nextTurn, sleep } from '../commands/sleep.js';
import type { Context } from '../commands/context.js';
import type { RunStore } from '../view/run-store.js';
import type { RunOptions } from '../commands/run-shared.js';
import type { RecordSink } from './batch-job.js';

/** A prompt of a batch run that runs live, with the route the job's planner gave it. */
export interface LivePrompt {
  prompt: PromptRecord;
  decision: Decision;
}

export interface LivePart {
  policy: Policy;
  /** The run's planner: the same routes (similar_to features included), options and schemas as the batched prompts. */
  planner: Omit<Planner, 'stopping' | 'budget'>;
  countTokens: (text: string) => number;
  prompts: LivePrompt[];
  opts: RunOptions;
  /** The write-ahead journal of the job's calls (none with --no-ledger). */
  journal?: CallJournal | undefined;
  pool: ProviderPool;
  cache?: ResponseCache | undefined;
  budget: Budget;
  store: RunStore;
  sink: RecordSink;
}

/**
 * The prompts of a `run --batch` whose models have no batch API (an openai-compatible server, or
 * one a cascade calls), run here through the live executor: the same planner as `run` (model
 * options, schemas, cascades), the same budget, the job's write-ahead journal, the same output.
 * Records reach the sink (which folds them into the totals), so the executor's own prompt events
 * are not folded twice.
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
          for (const { prompt, decision } of p.prompts) yield { kind: 'routed' as const, prompt, decision };
        })(),
        planner: p.planner,
        baseline: p.policy.models.get(p.policy.baseline)!,
        countTokens: p.countTokens,
      },
      { concurrency: p.opts.concurrency, retries: p.opts.retries, budget: p.budget },
      {
        send: makeSender(p.pool, p.cache, undefined, () => p.sink.flush()),
        journal: p.journal,
        emit,
        onRecord: (record, prompt) => {
          p.sink.write({ record, journaled: p.journal !== undefined }, { system: prompt.system, messages: prompt.messages, maxTokens: undefined }, null);
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

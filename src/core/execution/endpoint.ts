import { AimdLimiter } from './aimd.js';
import type { Pico } from '../money/money.js';
import { ZERO_USAGE } from '../money/pricing.js';
import type { ModelConfig } from '../policy/types.js';
import { sumCalls, type CallRecord } from './calls.js';
import type { ResultRecord } from './events.js';
import type { Job } from './planner.js';

/** Prompts admitted per endpoint (in flight plus waiting for a slot) before the reader waits. */
export function queueBound(concurrency: number): number {
  return Math.max(1024, concurrency * 16);
}

/** One provider endpoint: its concurrency (AIMD), its queue of admitted prompts, its refusal. */
export class Endpoint {
  readonly limiter: AimdLimiter;
  admitted = 0;
  private waiting: (() => void)[] = [];
  constructor(
    readonly key: string,
    concurrency: number,
    private readonly bound: number,
    maxPauseMs: number,
  ) {
    this.limiter = new AimdLimiter(Math.max(1, concurrency), 1000, maxPauseMs);
  }
  /** Waits while the endpoint's queue is full; other endpoints' prompts are not held back by it. */
  async admit(): Promise<void> {
    while (this.admitted >= this.bound) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.admitted++;
  }
  done(): void {
    this.admitted--;
    this.waiting.shift()?.();
  }
}

export function notSent(job: Job, refusal: string): ResultRecord['error'] {
  return { message: `not sent: ${job.model.alias} refused the key earlier (${refusal})`, kind: 'not-sent' };
}

export function endpointKey(model: ModelConfig): string {
  return model.baseUrl ? `${model.provider} at ${model.baseUrl}` : model.provider;
}

/** The record of a prompt from its calls: the kept call (the last answer) describes it. */
export function recordOf(job: Job, calls: CallRecord[], baselineCost: Pico | undefined, error?: ResultRecord['error']): ResultRecord {
  const kept = [...calls].reverse().find((c) => c.kind === 'answer');
  const { cost, unsettled, usage } = sumCalls(calls);
  return {
    id: job.prompt.id,
    source: job.prompt.source,
    class: job.decision.class,
    route: kept?.route ?? job.model.alias,
    provider: kept?.provider ?? job.model.provider,
    model: kept?.model ?? job.model.model,
    answeredBy: kept?.answeredBy,
    reason: job.decision.reason,
    estimated: false,
    usage: calls.length ? usage : ZERO_USAGE,
    cost,
    unsettled,
    baselineCost: error ? 0n : baselineCost,
    output: error ? undefined : kept?.output,
    latencyMs: calls.reduce((ms, c) => ms + (c.latencyMs ?? 0), 0) || (calls.length ? 0 : undefined),
    attempts: kept?.attempts ?? 0,
    cached: kept?.cached ? true : undefined,
    cacheSaved: kept?.cacheSaved,
    error,
    calls,
  };
}


import { setMaxListeners } from 'node:events';
import type { Job, RunControl, SendResult } from '../core/execution/scheduler.js';
import type { ResponseCache } from '../io/cache.js';
import { cacheKey } from '../io/hash.js';
import type { ProviderPool } from '../providers/index.js';
import type { RunStore } from '../view/run-store.js';
import type { Context } from './context.js';

/**
 * Ctrl-C for a live run: the first stops sending new prompts, the second aborts those in flight.
 * Both are events, so the views can say so. `onStopping` runs on the first.
 */
export function liveControl(ctx: Context, store: RunStore, onStopping?: () => void): { control: RunControl; release: () => void } {
  const abort = new AbortController();
  // Each attempt in flight and each retry wait links to this signal for as long as it lasts.
  setMaxListeners(0, abort.signal);
  const control: RunControl = { stopping: false, abort: abort.signal };
  const release = ctx.onInterrupt(() => {
    const hard = control.stopping;
    store.apply({ type: 'interrupt', at: ctx.clock(), hard });
    if (hard) return abort.abort();
    control.stopping = true;
    onStopping?.();
  });
  return { control, release };
}

/** Same provider, model, endpoint, API, messages and answer cap: the same request. */
function cacheKeyOf(job: Job): string {
  const m = job.model;
  return cacheKey({ provider: m.provider, model: m.model, baseUrl: m.baseUrl, api: m.api, system: job.prompt.system, messages: job.prompt.messages, maxTokens: job.maxTokens });
}

/**
 * The scheduler's `send`: the response cache first when there is one, else the model's provider
 * (an answer it gives goes into the cache). `onText` receives a streamed answer, cached or not;
 * `beforeSend` runs before anything goes to a provider.
 */
export function makeSender(pool: ProviderPool, cache: ResponseCache | undefined, onText?: (delta: string) => void, beforeSend?: () => void) {
  return async (job: Job, signal: AbortSignal): Promise<SendResult> => {
    const key = cache ? cacheKeyOf(job) : undefined;
    const hit = key ? cache!.get(key) : undefined;
    if (hit) {
      onText?.(hit.text);
      return { ...hit, cached: true };
    }
    beforeSend?.();
    const provider = pool.ready(job.model) ?? (await pool.get(job.model));
    const answer = await provider.generate({ model: job.model.model, messages: job.prompt.messages, system: job.prompt.system, maxTokens: job.maxTokens, onText, signal });
    if (key) cache!.put(key, { text: answer.text, usage: answer.usage, answeredBy: answer.answeredBy });
    return answer;
  };
}

import { UserError } from '../core/errors.js';
import type { CallRecord } from '../core/execution/calls.js';
import { DEFAULT_BACKOFF, isRetryable, isSendFailure, mayHaveBilled, retryDelay } from '../core/execution/retry.js';
import { costOf, type Usage } from '../core/money/pricing.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { Embedder } from '../core/routing/features.js';
import { unitDense, type Vector } from '../core/routing/similar.js';
import type { Provider } from '../providers/types.js';

export interface RemoteEmbedderOptions {
  model: ModelConfig;
  /** The base URL the requests go to (part of the cache key: another server, other vectors). */
  baseUrl?: string | undefined;
  provider: () => Promise<Provider>;
  /** A token count for texts whose request reported no usage (the cost is then an estimate). */
  count: (text: string) => number;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Inputs per request (OpenAI takes up to 2048). */
  batchSize?: number | undefined;
  /** Requests in flight at once. */
  concurrency?: number | undefined;
  retries?: number | undefined;
  signal?: AbortSignal | undefined;
}

// Well under the embeddings APIs' per-request token limits (OpenAI: 300k tokens).
const MAX_BATCH_CHARS = 400_000;

function batches(texts: string[], size: number): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const t of texts) {
    if (current.length > 0 && (current.length >= size || chars + t.length > MAX_BATCH_CHARS)) {
      out.push(current);
      current = [];
      chars = 0;
    }
    current.push(t);
    chars += t.length;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** An embedder over a provider's embeddings endpoint: many texts per request, a few requests at once. */
export function remoteEmbedder(o: RemoteEmbedderOptions): Embedder {
  const m = o.model;
  const signal = o.signal ?? new AbortController().signal;
  const retries = o.retries ?? 4;

  async function send(provider: Provider, inputs: string[]): Promise<{ vectors: Vector[]; call: CallRecord }> {
    const embed = provider.embed?.bind(provider);
    if (!embed) throw new UserError(`embedder ${m.alias}: this ${m.provider} adapter cannot make embedding calls`, 'use `embedder: builtin`, or an OpenAI or OpenAI-compatible model');
    const started = o.clock();
    // Attempts that timed out or dropped after they were sent may have been billed: each keeps its
    // input's upper bound (no tokenizer makes more tokens than UTF-8 bytes) at the input price.
    let unsettled = 0n;
    const bound = costOf({ input: inputs.reduce((n, t) => n + Buffer.byteLength(t, 'utf8'), 0), output: 0, cacheRead: 0, cacheWrite: 0 }, m.pricing.rates);
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await embed({ model: m.model, inputs, signal });
        if (result.vectors.length !== inputs.length) {
          throw new UserError(`embedder ${m.alias}: the server returned ${result.vectors.length} vectors for ${inputs.length} texts`, undefined, 1);
        }
        const usage: Usage = result.usage ?? { input: inputs.reduce((n, t) => n + o.count(t), 0), output: 0, cacheRead: 0, cacheWrite: 0 };
        // Embeddings are billed as input tokens at the model's input price.
        const cost = costOf(usage, m.pricing.rates);
        const call: CallRecord = {
          kind: 'embed',
          route: m.alias,
          provider: m.provider,
          model: m.model,
          usage,
          cost: cost + unsettled,
          // No usage reported: the cost is our token count's, booked as unsettled.
          unsettled: (result.usage ? 0n : cost) + unsettled,
          latencyMs: Math.round(o.clock() - started),
          attempts: attempt,
          cached: false,
        };
        return { vectors: result.vectors.map(unitDense), call };
      } catch (err) {
        if (!isSendFailure(err)) throw err;
        if (mayHaveBilled(err.kind)) unsettled += bound;
        const delay = attempt <= retries && isRetryable(err) ? retryDelay(attempt, err, DEFAULT_BACKOFF, o.random) : undefined;
        if (delay === undefined) {
          throw new UserError(`embedder ${m.alias} (${m.provider}/${m.model}): ${err.message}`, 'similar_to classes need their embeddings; check the embedder model, or use `embedder: builtin`', err.kind === 'missing-key' ? 2 : 1);
        }
        await o.sleep(delay);
      }
    }
  }

  return {
    name: `${m.provider}:${m.model}:${(o.baseUrl ?? '').replace(/\/+$/, '')}`,
    persistent: true,
    async embed(texts) {
      const provider = await o.provider().catch((err: unknown) => {
        if (isSendFailure(err)) throw new UserError(`embedder ${m.alias}: ${err.message}`, 'set the key, or use `embedder: builtin` (no server)');
        throw err;
      });
      const parts = batches(texts, o.batchSize ?? 256);
      const results: { vectors: Vector[]; call: CallRecord }[] = new Array(parts.length);
      let next = 0;
      const worker = async () => {
        while (next < parts.length) {
          const i = next++;
          results[i] = await send(provider, parts[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 4, parts.length) }, worker));
      return { vectors: results.flatMap((r) => r.vectors), calls: results.map((r) => r.call) };
    },
  };
}

import { routingChain } from '../routing/chain.js';
import { estimateRecord, type OutputAssumption } from '../money/estimate.js';
import type { ResultRecord, RunEventListener } from './events.js';
import type { Policy } from '../policy/types.js';
import type { InputItem, PromptRecord } from '../prompt.js';
import type { PromptFeatures } from '../routing/features.js';
import type { TokenCounter } from '../routing/tokens.js';

export interface DryRunOptions {
  items: AsyncIterable<InputItem>;
  policy: Policy;
  counter: TokenCounter;
  /** --model: every prompt goes to this alias. */
  forceRoute?: string | undefined;
  assumption: OutputAssumption;
  emit: RunEventListener;
  now: () => number;
  /** Receives every record in input order; a returned promise means "wait before the next". */
  write: (record: ResultRecord) => Promise<void> | undefined;
  total?: number | undefined;
  /** Checked between prompts: true stops the run early (Ctrl-C). */
  stopped?: () => boolean;
  /** The features step (similar_to), given a batch of prompts; absent when the policy needs none. */
  features?: ((prompts: PromptRecord[]) => Promise<PromptFeatures[]>) | undefined;
}

// Prompts whose features are computed together (one embedding request per few hundred texts).
const FEATURE_BATCH = 2048;

async function* batched(items: AsyncIterable<InputItem>, size: number): AsyncGenerator<InputItem[]> {
  let batch: InputItem[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Route and price every prompt without sending anything (but embedding calls, when the policy needs them). */
export async function dryRun(o: DryRunOptions): Promise<void> {
  // The features of the prompt being routed, for the similar_to matchers of the chain's policy step.
  let current: PromptFeatures | undefined;
  const route = routingChain(o.policy, o.counter, o.forceRoute, () => current);
  o.emit({ type: 'run-start', at: o.now(), dryRun: true, total: o.total });
  const one = (item: InputItem, features?: PromptFeatures): Promise<void> | undefined => {
    if (item.kind === 'error') {
      o.emit({ type: 'input-error', at: o.now(), file: item.file, line: item.line, message: item.message });
      return undefined;
    }
    current = features;
    const decision = route(item.prompt);
    const record = estimateRecord(o.policy, item.prompt, decision, o.counter, o.assumption);
    const at = o.now();
    o.emit({ type: 'prompt-start', at, id: record.id, route: record.route, class: record.class });
    o.emit({ type: 'prompt-end', at, record });
    return o.write(record);
  };
  let stop: 'done' | 'interrupted' = 'done';
  if (!o.features) {
    for await (const item of o.items) {
      if (o.stopped?.()) {
        stop = 'interrupted';
        break;
      }
      const wait = one(item);
      if (wait) await wait;
    }
  } else {
    run: for await (const batch of batched(o.items, FEATURE_BATCH)) {
      const prompts = batch.flatMap((item) => (item.kind === 'prompt' ? [item.prompt] : []));
      const features = prompts.length > 0 ? await o.features(prompts) : [];
      let p = 0;
      for (const item of batch) {
        if (o.stopped?.()) {
          stop = 'interrupted';
          break run;
        }
        const wait = one(item, item.kind === 'prompt' ? features[p++] : undefined);
        if (wait) await wait;
      }
    }
  }
  // Ctrl-C while the input was waited for ends the input itself.
  if (o.stopped?.()) stop = 'interrupted';
  o.emit({ type: 'run-end', at: o.now(), stop });
}

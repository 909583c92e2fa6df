import { routingChain } from '../routing/chain.js';
import { estimateRecord, type OutputAssumption } from '../money/estimate.js';
import type { ResultRecord, RunEventListener } from './events.js';
import type { Policy } from '../policy/types.js';
import type { InputItem } from '../prompt.js';
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
}

/** Route and price every prompt without sending anything. */
export async function dryRun(o: DryRunOptions): Promise<void> {
  const route = routingChain(o.policy, o.counter, o.forceRoute);
  o.emit({ type: 'run-start', at: o.now(), dryRun: true, total: o.total });
  let stop: 'done' | 'interrupted' = 'done';
  for await (const item of o.items) {
    if (o.stopped?.()) {
      stop = 'interrupted';
      break;
    }
    if (item.kind === 'error') {
      o.emit({ type: 'input-error', at: o.now(), file: item.file, line: item.line, message: item.message });
      continue;
    }
    const decision = route(item.prompt);
    const record = estimateRecord(o.policy, item.prompt, decision, o.counter, o.assumption);
    const at = o.now();
    o.emit({ type: 'prompt-start', at, id: record.id, route: record.route, class: record.class });
    o.emit({ type: 'prompt-end', at, record });
    const wait = o.write(record);
    if (wait) await wait;
  }
  o.emit({ type: 'run-end', at: o.now(), stop });
}

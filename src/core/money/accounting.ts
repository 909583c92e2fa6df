import type { RunEvent, StopReason, OutputTokensSource, ResultRecord } from '../execution/events.js';
import type { Pico } from './money.js';
import type { Policy } from '../policy/types.js';
import { emptyUsageSums, type UsageSums } from './pricing.js';

export interface ModelTotals extends UsageSums {
  route: string;
  provider: string;
  model: string;
  /** Prompts that finished on this route, failed ones included. */
  calls: number;
  failed: number;
  inFlight: number;
}

export interface InputProblem {
  file: string;
  line?: number | undefined;
  message: string;
}

export interface RunTotals {
  dryRun: boolean;
  startedAt?: number | undefined;
  endedAt?: number | undefined;
  /** Prompts expected, when the input size is known up front. */
  total?: number | undefined;
  /** Prompts finished (success or failure), input errors not included. */
  prompts: number;
  succeeded: number;
  failed: number;
  inFlight: number;
  retries: number;
  /** --resume: prompts already done in an earlier run. */
  skipped: number;
  /** Per provider endpoint that answered 429: how many, and how low concurrency went. */
  throttled: { provider: string; throttles: number; lowestConcurrency: number }[];
  cacheHits: number;
  /** What the cache hits would have cost on their routes. */
  cacheSaved: Pico;
  inputErrors: InputProblem[];
  models: Map<string, ModelTotals>;
  cost: Pico;
  baselineCost: Pico;
  costUnknown: number;
  outputTokenSources: Record<OutputTokensSource, number>;
  stop?: StopReason | undefined;
  /** Set by Ctrl-C while the run is still finishing. */
  interrupt?: 'stopping' | 'aborting' | undefined;
}

export function emptyTotals(policy: Policy): RunTotals {
  const models = new Map<string, ModelTotals>();
  for (const m of policy.models.values()) {
    models.set(m.alias, {
      route: m.alias,
      provider: m.provider,
      model: m.model,
      calls: 0,
      failed: 0,
      inFlight: 0,
      ...emptyUsageSums(),
    });
  }
  // A cascade is a route of its own: its prompts are counted on it (its model: the steps in order).
  for (const c of policy.cascades.values()) {
    const first = policy.models.get(c.try[0]!)!;
    models.set(c.name, { route: c.name, provider: first.provider, model: `${first.model} (cascade ${c.try.join(' -> ')})`, calls: 0, failed: 0, inFlight: 0, ...emptyUsageSums() });
  }
  return {
    dryRun: false,
    prompts: 0,
    succeeded: 0,
    failed: 0,
    inFlight: 0,
    retries: 0,
    skipped: 0,
    throttled: [],
    cacheHits: 0,
    cacheSaved: 0n,
    inputErrors: [],
    models,
    cost: 0n,
    baselineCost: 0n,
    costUnknown: 0,
    outputTokenSources: { flag: 0, max_tokens: 0, default: 0 },
  };
}

function addRecord(t: RunTotals, r: ResultRecord): void {
  const m = t.models.get(r.route);
  t.prompts++;
  if (r.error) t.failed++;
  else t.succeeded++;
  if (r.outputTokensSource) t.outputTokenSources[r.outputTokensSource]++;
  if (r.cached) {
    t.cacheHits++;
    t.cacheSaved += r.cacheSaved ?? 0n;
  }
  if (r.cost === undefined) t.costUnknown++;
  else t.cost += r.cost;
  if (r.baselineCost !== undefined) t.baselineCost += r.baselineCost;
  if (!m) return;
  m.calls++;
  if (r.error) m.failed++;
  m.inputTokens += r.usage.input;
  m.outputTokens += r.usage.output;
  m.cacheReadTokens += r.usage.cacheRead;
  m.cacheWriteTokens += r.usage.cacheWrite;
  if (r.cost === undefined) m.costUnknown++;
  else m.cost += r.cost;
}

/**
 * The one reducer every view folds the run's events with. It mutates and returns the totals:
 * a run may have millions of events, and views take a snapshot when they draw.
 */
export function applyEvent(t: RunTotals, e: RunEvent): RunTotals {
  switch (e.type) {
    case 'run-start':
      t.dryRun = e.dryRun;
      t.startedAt = e.at;
      t.total = e.total;
      break;
    case 'input-error':
      t.inputErrors.push({ file: e.file, line: e.line, message: e.message });
      break;
    case 'prompt-start': {
      t.inFlight++;
      const m = t.models.get(e.route);
      if (m) m.inFlight++;
      break;
    }
    case 'retry':
      t.retries++;
      break;
    case 'skip':
      t.skipped++;
      break;
    case 'throttled':
      t.throttled.push({ provider: e.provider, throttles: e.throttles, lowestConcurrency: e.lowestConcurrency });
      break;
    case 'prompt-end': {
      t.inFlight--;
      const m = t.models.get(e.record.route);
      if (m) m.inFlight--;
      addRecord(t, e.record);
      break;
    }
    case 'interrupt':
      t.interrupt = e.hard ? 'aborting' : 'stopping';
      break;
    case 'run-end':
      t.endedAt = e.at;
      t.stop = e.stop;
      break;
    default: {
      const never: never = e;
      return never;
    }
  }
  return t;
}

export function savings(t: RunTotals): Pico {
  return t.baselineCost - t.cost;
}

/** Failed prompts and unreadable input lines together: what makes the exit code 1. */
export function failures(t: RunTotals): number {
  return t.failed + t.inputErrors.length;
}

import type { CallRecord } from '../execution/calls.js';
import type { RunEvent, StopReason, OutputTokensSource, ResultRecord } from '../execution/events.js';
import type { Pico } from './money.js';
import type { Policy } from '../policy/types.js';
import { emptyUsageSums, type Usage, type UsageSums } from './pricing.js';

export interface ModelTotals extends UsageSums {
  route: string;
  provider: string;
  model: string;
  /** Calls this model finished (answers, checks, embeddings), failed ones included. */
  calls: number;
  failed: number;
  inFlight: number;
  /** The part of `cost` that is reservations of calls that never settled (an upper bound). */
  unsettled: Pico;
  unsettledCalls: number;
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
  /** The part of `cost` that is reservations of calls that never settled (an upper bound). */
  unsettled: Pico;
  unsettledCalls: number;
  /** Billable calls finished (a cascade makes several per prompt). */
  calls: number;
  /** Prompts whose kept answer came from a later step of a cascade, and what the steps thrown away cost. */
  escalated: number;
  discardedCost: Pico;
  /** Per cascade route: prompts, how many escalated, and what the answers thrown away cost. */
  cascades: Map<string, { prompts: number; escalated: number; discardedCost: Pico }>;
  /** Calls sent through a provider's batch API, and what the batch price saved against sending them live. */
  batchedCalls: number;
  batchSaved: Pico;
  /** Models that refused the key, or whose key was missing: nothing more was sent to them. */
  refused: { route: string; message: string; hint?: string | undefined }[];
  /** Prompts not sent because their model had refused the key. */
  notSent: number;
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
      unsettled: 0n,
      unsettledCalls: 0,
      ...emptyUsageSums(),
    });
  }
  // A cascade is a route of its own: its prompts are counted on it (its model: the steps in order).
  for (const c of policy.cascades.values()) {
    const first = policy.models.get(c.try[0]!)!;
    models.set(c.name, { route: c.name, provider: first.provider, model: `${first.model} (cascade ${c.try.join(' -> ')})`, calls: 0, failed: 0, inFlight: 0, unsettled: 0n, unsettledCalls: 0, ...emptyUsageSums() });
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
    unsettled: 0n,
    unsettledCalls: 0,
    calls: 0,
    escalated: 0,
    discardedCost: 0n,
    cascades: new Map(),
    batchedCalls: 0,
    batchSaved: 0n,
    refused: [],
    notSent: 0,
    baselineCost: 0n,
    costUnknown: 0,
    outputTokenSources: { flag: 0, max_tokens: 0, default: 0 },
  };
}

function addToModel(m: ModelTotals | undefined, usage: Usage, cost: Pico | undefined, unsettled: Pico, failed: boolean): void {
  if (!m) return;
  m.calls++;
  if (failed) m.failed++;
  m.inputTokens += usage.input;
  m.outputTokens += usage.output;
  m.cacheReadTokens += usage.cacheRead;
  m.cacheWriteTokens += usage.cacheWrite;
  if (cost === undefined) m.costUnknown++;
  else m.cost += cost;
  if (unsettled > 0n) {
    m.unsettled += unsettled;
    m.unsettledCalls++;
  }
}

function addRecord(t: RunTotals, r: ResultRecord): void {
  t.prompts++;
  if (r.error) {
    t.failed++;
    if (r.error.kind === 'not-sent') t.notSent++;
  } else t.succeeded++;
  if (r.outputTokensSource) t.outputTokenSources[r.outputTokensSource]++;
  if (r.cached) {
    t.cacheHits++;
    t.cacheSaved += r.cacheSaved ?? 0n;
  }
  if (r.cost === undefined) t.costUnknown++;
  else t.cost += r.cost;
  if (r.baselineCost !== undefined) t.baselineCost += r.baselineCost;
  if (r.escalated) t.escalated++;
  if (!r.calls) {
    // A dry-run estimate: the prompt is its one (estimated) call.
    t.calls++;
    addToModel(t.models.get(r.route), r.usage, r.cost, 0n, r.error !== undefined);
    return;
  }
  const kept = r.error ? -1 : keptIndex(r);
  let discarded = 0n;
  r.calls.forEach((c, i) => {
    countCall(t, c);
    if (c.kind === 'answer' && i !== kept) discarded += c.cost;
  });
  t.discardedCost += discarded;
  if (r.cascade !== undefined) {
    const c = t.cascades.get(r.cascade) ?? { prompts: 0, escalated: 0, discardedCost: 0n };
    c.prompts++;
    if (r.escalated) c.escalated++;
    c.discardedCost += discarded;
    t.cascades.set(r.cascade, c);
  }
}

function countCall(t: RunTotals, c: CallRecord): void {
  t.calls++;
  if (c.batchSaved !== undefined) {
    t.batchedCalls++;
    t.batchSaved += c.batchSaved;
  }
  if (c.unsettled > 0n) {
    t.unsettled += c.unsettled;
    t.unsettledCalls++;
  }
  addToModel(t.models.get(c.route), c.usage, c.cost, c.unsettled, c.error !== undefined);
}

/** A call that belongs to no one prompt: its cost joins the run's spend (and the savings pay for it). */
function addCall(t: RunTotals, c: CallRecord): void {
  countCall(t, c);
  t.cost += c.cost;
}

/** The answer call whose text the record kept: the last answer call. */
function keptIndex(r: ResultRecord): number {
  const calls = r.calls!;
  for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.kind === 'answer') return i;
  return -1;
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
    case 'prompt-start':
      t.inFlight++;
      break;
    case 'call-start': {
      const m = t.models.get(e.route);
      if (m) m.inFlight++;
      break;
    }
    case 'call-end': {
      const m = t.models.get(e.route);
      if (m) m.inFlight--;
      break;
    }
    case 'batch-calls':
      for (const c of e.calls) addCall(t, c);
      break;
    case 'model-refused':
      t.refused.push({ route: e.route, message: e.message, hint: e.hint });
      break;
    case 'retry':
      t.retries++;
      break;
    case 'skip':
      t.skipped++;
      break;
    case 'throttled':
      t.throttled.push({ provider: e.provider, throttles: e.throttles, lowestConcurrency: e.lowestConcurrency });
      break;
    case 'prompt-end':
      t.inFlight--;
      addRecord(t, e.record);
      break;
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

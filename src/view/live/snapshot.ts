import type { ModelTotals, RunTotals } from '../../core/money/accounting.js';
import type { StopReason } from '../../core/execution/events.js';
import type { Pico } from '../../core/money/money.js';

/** A --max-spend cap as the run stands: spend of the whole job (earlier runs too) and what prompts in flight reserve. */
export interface BudgetFigures {
  cap: Pico;
  spent: Pico;
  reserved: Pico;
}

/** What one frame of the live area shows: a copy of the totals taken when the view draws. */
export interface LiveSnapshot {
  started: boolean;
  ended: boolean;
  stop?: StopReason | undefined;
  total?: number | undefined;
  done: number;
  inFlight: number;
  elapsedMs: number;
  /** Models that have had a prompt in flight or finished, in policy order. */
  models: ModelTotals[];
  cost: Pico;
  baselineCost: Pico;
  costUnknown: number;
  unsettled: Pico;
  unsettledCalls: number;
  escalated: number;
  /** Per cascade route so far: prompts finished, how many escalated, what the answers thrown away cost. */
  cascades: { route: string; prompts: number; escalated: number; discardedCost: Pico }[];
  retries: number;
  failed: number;
  inputErrors: number;
  cacheHits: number;
  interrupt?: 'stopping' | 'aborting' | undefined;
  budget?: BudgetFigures | undefined;
}

/** `now` is on the same clock as the events' `at`. */
export function takeSnapshot(t: RunTotals, now: number, budget?: BudgetFigures): LiveSnapshot {
  const started = t.startedAt !== undefined;
  const end = t.endedAt ?? now;
  return {
    started,
    ended: t.endedAt !== undefined,
    stop: t.stop,
    total: t.total,
    done: t.prompts,
    inFlight: t.inFlight,
    elapsedMs: started ? Math.max(0, end - t.startedAt!) : 0,
    models: [...t.models.values()].filter((m) => m.calls > 0 || m.inFlight > 0).map((m) => ({ ...m })),
    cost: t.cost,
    baselineCost: t.baselineCost,
    costUnknown: t.costUnknown,
    unsettled: t.unsettled,
    unsettledCalls: t.unsettledCalls,
    escalated: t.escalated,
    cascades: [...t.cascades].map(([route, c]) => ({ route, ...c })),
    interrupt: t.interrupt,
    retries: t.retries,
    failed: t.failed,
    inputErrors: t.inputErrors.length,
    cacheHits: t.cacheHits,
    budget,
  };
}

/** Finished prompts per second since the run started; undefined until one has finished. */
export function ratePerSecond(s: LiveSnapshot): number | undefined {
  if (s.done === 0 || s.elapsedMs <= 0) return undefined;
  return s.done / (s.elapsedMs / 1000);
}

/** Time left at the rate so far; undefined without a total or a rate. */
export function etaMs(s: LiveSnapshot): number | undefined {
  const rate = ratePerSecond(s);
  if (s.total === undefined || rate === undefined) return undefined;
  return (Math.max(0, s.total - s.done) / rate) * 1000;
}

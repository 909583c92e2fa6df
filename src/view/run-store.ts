import { applyEvent, emptyTotals, type RunTotals } from '../core/money/accounting.js';
import type { ResultRecord, RunEvent } from '../core/execution/events.js';
import type { Policy } from '../core/policy/types.js';

/** A finished prompt as the live view lists it. */
export interface FinishedLine {
  id: string;
  class: string | null;
  route: string;
  model: string;
  cost: bigint | undefined;
  error?: string | undefined;
  cached?: boolean | undefined;
}

/**
 * Folds the run's events with the one reducer and keeps what the live view needs besides the
 * totals: the prompts finished since the view last drew. Views read it; only events change it.
 */
export class RunStore {
  readonly totals: RunTotals;
  private finished: FinishedLine[] = [];
  private listeners = new Set<() => void>();

  /** Finished lines are kept only for a view that takes them; without one they would pile up. */
  keepFinished = true;

  constructor(readonly policy: Policy) {
    this.totals = emptyTotals(policy);
  }

  apply(event: RunEvent): void {
    applyEvent(this.totals, event);
    if (event.type === 'prompt-end' && this.keepFinished) this.finished.push(lineOf(event.record));
    for (const listener of this.listeners) listener();
  }

  /** The finished prompts not yet taken, oldest first. */
  takeFinished(): FinishedLine[] {
    const out = this.finished;
    this.finished = [];
    return out;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function lineOf(r: ResultRecord): FinishedLine {
  return { id: r.id, class: r.class, route: r.route, model: r.model, cost: r.cost, error: r.error ? `${r.error.status ? `${r.error.status} ` : ''}${r.error.message}` : undefined, cached: r.cached };
}

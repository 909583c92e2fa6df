import { randomBytes } from 'node:crypto';
import { fitPrefix, splitBatches } from '../core/execution/batch-split.js';
import type { HeldReservation } from '../core/execution/planner.js';
import { formatUsd } from '../core/money/money.js';
import type { ModelConfig } from '../core/policy/types.js';
import type { JobRow, LineRow } from '../io/batch-jobs.js';
import type { BatchLineRequest, BatchOps, BatchStatus } from '../providers/batch/types.js';
import { ProviderError } from '../providers/types.js';
import type { DriveDeps } from './batch-job.js';
import { lineMaxCost, lineRequest, SubmitFailed, transient } from './batch-lines.js';
import type { LineSettler } from './batch-settle.js';

/** A batch's name at the provider: the job's id and frugal's own tag for it. */
export const tagOf = (jobId: string, tag: string) => `${jobId}.${tag}`;

/**
 * Sends a job's waiting lines: one batch per model, split at the provider's limits, each reserved
 * at its worst case first; a model's cap reached moves its lines down their fallback chains.
 */
export class Submitter {
  constructor(
    private readonly job: () => JobRow,
    private readonly models: ReadonlyMap<string, ModelConfig>,
    private readonly deps: Pick<DriveDeps, 'store' | 'ops' | 'budget' | 'now'>,
    private readonly reservations: Map<string, HeldReservation>,
    private readonly settler: LineSettler,
  ) {}

  /**
   * Submits every waiting line (first sends and retry rounds), one batch per model, split at the
   * provider's limits. Lines are read a batch at a time: a job never holds all its prompts.
   */
  async submitWaiting(): Promise<void> {
    // Batches that settled below their worst case free money: what did not fit may fit now.
    for (;;) {
      let moved = false;
      for (const state of ['pending', 'retry'] as const) {
        for (const route of this.deps.store.routesWith(this.job().id, state)) {
          const model = this.models.get(route)!;
          const ops = await this.deps.ops(model);
          for (;;) {
            const lines = this.deps.store.linesIn(this.job().id, route, state, ops.limits.maxRequests);
            if (lines.length === 0) break;
            const requests = lines.map((l) => lineRequest(l, model));
            const sizes = new Map(requests.map((r) => [r.customId, ops.lineBytes(r)]));
            const [first] = splitBatches(requests, (r) => sizes.get(r.customId)!, ops.limits);
            const sent = await this.submitChunk(lines.slice(0, first!.length), first!, model, ops, state);
            if (sent === 'sent') continue;
            if (sent === 'total') return;
            // This model's cap is reached: its waiting lines go down their fallback chains; the rest wait.
            moved = this.fallBack(model, state) || moved;
            break;
          }
        }
      }
      if (!moved) return;
    }
  }

  /** Moves a model's waiting lines to their fallback models (a per-model cap reached), as the live planner does. */
  private fallBack(model: ModelConfig, state: 'pending' | 'retry'): boolean {
    const cap = formatUsd(this.deps.budget.limits.perModel.get(model.alias));
    const moved = this.deps.store.linesIn(this.job().id, model.alias, state).flatMap((line) => {
      const [next, ...rest] = line.request.fallbacks ?? [];
      if (!next) return [];
      const request = { ...line.request, maxTokens: next.maxTokens, options: next.options, fallbacks: rest.length > 0 ? rest : undefined };
      return [{ customId: line.customId, route: next.route, reason: `${line.reason}; ${model.alias} budget (${cap}) reached: fell back to ${next.route}`, request }];
    });
    if (moved.length > 0) this.deps.store.reroute(this.job().id, moved);
    return moved.length > 0;
  }

  /** Submits a chunk, or as much of it as the budget takes: `model` or `total` when a cap stopped it. */
  private async submitChunk(chunk: LineRow[], requests: BatchLineRequest[], model: ModelConfig, ops: BatchOps, from: 'pending' | 'retry'): Promise<'sent' | 'model' | 'total'> {
    const budget = this.deps.budget;
    let lines = chunk;
    let reserved = 0n;
    let stopped: 'model' | 'total' | undefined;
    if (budget.active) {
      const costs = chunk.map((l) => lineMaxCost(l, model));
      const fit = fitPrefix(costs, (total) => budget.fitsTotal(total) && budget.fitsModel(model.alias, total));
      lines = chunk.slice(0, fit.count);
      reserved = fit.total;
      if (fit.count < chunk.length) stopped = budget.fitsTotal(fit.total + costs[fit.count]!) ? 'model' : 'total';
      if (lines.length === 0) return stopped!;
    }
    const reservation = budget.reserve(model.alias, reserved);
    if (!reservation.ok) return reservation.limit;
    const tag = randomBytes(6).toString('hex');
    const round = lines.reduce((most, l) => Math.max(most, l.rounds), 0) + 1;
    this.deps.store.startBatch(this.job().id, { tag, route: model.alias, round, lines: lines.length, submittedMs: this.deps.now(), reservedPico: reserved }, from);
    let status: BatchStatus;
    try {
      status = await ops.submit(requests.slice(0, lines.length), tagOf(this.job().id, tag));
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      // Refused outright: nothing was created or billed. The lines wait (a transient failure) or fail with the provider's word.
      budget.settle(reservation, 0n);
      if (err.kind === 'http' && !transient(err)) {
        this.deps.store.batchLost(this.job().id, tag);
        this.settler.failAll(lines, model, { status: err.status, message: err.message, kind: 'http' });
        return stopped ?? 'sent';
      }
      // The network or the provider failed on the way: the batch may exist all the same, so it stays
      // `submitting` until recover() finds it (or finds it is not there and puts its lines back).
      throw new SubmitFailed(err);
    }
    this.deps.store.batchSubmitted(this.job().id, tag, status.id, status.status);
    this.reservations.set(tag, reservation);
    return stopped ?? 'sent';
  }
}

import type { AimdLimiter } from './aimd.js';
import type { Budget } from '../money/budget.js';
import type { Pico } from '../money/money.js';
import { costOf, ZERO_USAGE, type Usage } from '../money/pricing.js';
import type { ModelOptions } from '../policy/options.js';
import type { ModelConfig } from '../policy/types.js';
import type { JsonSchemaValidator } from '../quality/json-schema.js';
import type { PromptRecord } from '../prompt.js';
import type { CallError, CallKind, CallRecord, FinishReason } from './calls.js';
import type { RunEventListener } from './events.js';
import type { HeldReservation } from './planner.js';
import { DEFAULT_BACKOFF, isRetryable, isSendFailure, mayHaveBilled, retryDelay, type BackoffPolicy, type SendFailure } from './retry.js';

/** What one request is: which prompt, to which model, with which answer cap. */
export interface CallSpec {
  kind: CallKind;
  prompt: PromptRecord;
  /** The class that routed the prompt (for the ledger). */
  class: string | null;
  model: ModelConfig;
  maxTokens?: number | undefined;
  /** The most one attempt can cost (see budget.maxCost). */
  worstCase: Pico;
  /** Reserved already by the planner for the first attempt. */
  reservation?: HeldReservation | undefined;
  options?: ModelOptions | undefined;
  schema?: JsonSchemaValidator | undefined;
  /** A cascade's step or check: whether its answer is kept is known later (see CallJournal.keep). */
  deferBaseline?: boolean | undefined;
}

export interface SendResult {
  text: string;
  usage: Usage | undefined;
  answeredBy?: string | undefined;
  finishReason?: FinishReason | undefined;
  /** Answered from the response cache: nothing was sent, nothing is billed. */
  cached?: boolean | undefined;
  /** Why the answer does not conform to the request's schema (billed all the same, but failed). */
  invalid?: string | undefined;
}

/** A call written down before its request leaves, and settled when it comes back. */
export interface CallJournal {
  /** The request is about to leave: write the call down, booked at `booked` (its reservation). */
  open(spec: CallSpec, booked: Pico): number;
  /** A later attempt is about to leave: what is booked now. */
  rebook(handle: number, booked: Pico): void;
  /** The call is over. `handle` is undefined when no request left (a cache hit, a key missing). */
  settle(handle: number | undefined, spec: CallSpec, call: CallRecord, baselineCost: Pico | undefined): void;
  /** A call made elsewhere and already over (an embedding of a batch of prompts, a batch line): written as it ended. */
  record(spec: CallSpec, call: CallRecord, baselineCost?: Pico | undefined): void;
  /** Calls already over, written down together (one transaction: a batch's results arrive by the thousand). */
  recordAll?(calls: readonly { spec: CallSpec; call: CallRecord; baselineCost?: Pico | undefined }[]): void;
  /** Commits at once what waits for the next commit (settles wait at most for the end of the turn). */
  flush?(): void;
  /** How many calls this job has written down for the prompt (a batch job read again after a kill). */
  callCount?(promptId: string): number;
  /** A cascade kept this call's answer: it carries the prompt's baseline cost. */
  keep(handle: number, baselineCost: Pico | undefined): void;
  /** A cascade step is over: kept for --resume, which then does not call that step again. */
  cascadeStep?(promptId: string, step: number, call: CallRecord): void;
  /** The steps of a cascade this job already called for the prompt (an earlier run of it). */
  priorSteps?(promptId: string): { step: number; call: CallRecord }[];
}

/** Ctrl-C: the first sets `stopping` (send nothing new), the second aborts what is in flight. */
export interface RunControl {
  stopping: boolean;
  abort: AbortSignal;
}

export interface CallRunner {
  /** Throws a SendFailure for a failed attempt; calls `leaving` just before a request goes out. */
  send: (spec: CallSpec, signal: AbortSignal, leaving: () => void) => Promise<SendResult>;
  journal?: CallJournal | undefined;
  budget?: Budget | undefined;
  retries: number;
  backoff?: BackoffPolicy | undefined;
  control: RunControl;
  emit: RunEventListener;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  nextTurn: () => Promise<void>;
  random: () => number;
  /** The baseline's price of an answer (undefined when its usage is unknown). */
  baselineCost: (call: CallRecord) => Pico | undefined;
}

/**
 * Wait until the endpoint takes another request: after the pause a 429's retry-after asked for
 * (each waiter adds its own jitter, so the requests held back do not all arrive at once; bounded
 * like any wait), for a free slot of its concurrency.
 */
export async function waitForSlot(r: Pick<CallRunner, 'clock' | 'sleep' | 'random' | 'control'>, limiter: AimdLimiter, backoff: BackoffPolicy): Promise<void> {
  for (let hold = limiter.pausedUntil - r.clock(); hold > 0 && !r.control.abort.aborted; hold = limiter.pausedUntil - r.clock()) {
    await r.sleep(Math.min(hold, backoff.maxRetryAfterMs) + r.random() * Math.min(hold, 1000), r.control.abort);
  }
  const slot = limiter.acquire();
  if (slot) await slot;
}

/** Attempts in flight, so that a hard Ctrl-C can abort them all with one listener. */
export type InFlight = Set<AbortController>;

const REFUSED = new Set([401, 403]);

/** The key is missing or the server refused it: sending more to this model is pointless. */
export function isRefusal(f: SendFailure): boolean {
  return f.kind === 'missing-key' || (f.kind === 'http' && f.status !== undefined && REFUSED.has(f.status));
}

function callOf(spec: CallSpec): CallRecord {
  return {
    kind: spec.kind,
    route: spec.model.alias,
    provider: spec.model.provider,
    model: spec.model.model,
    answeredBy: undefined,
    usage: ZERO_USAGE,
    cost: 0n,
    unsettled: 0n,
    latencyMs: undefined,
    attempts: 0,
    finishReason: undefined,
    cached: false,
    error: undefined,
    output: undefined,
  };
}

/**
 * Make one call, retrying what is worth retrying. Every attempt that may have been billed keeps a
 * cost: exact when its usage came back, else its reservation (a timeout, a drop, an abort, an
 * answer without usage), so the money is never forgotten. Attempts the server answered with an
 * error status, or that never reached it, cost nothing.
 */
export async function runCall(r: CallRunner, limiter: AimdLimiter, inFlight: InFlight, spec: CallSpec, onRefused: (f: SendFailure) => void, slotHeld = false): Promise<CallRecord> {
  const backoff = r.backoff ?? DEFAULT_BACKOFF;
  const call = callOf(spec);
  let held = spec.reservation;
  let handle: number | undefined;
  const release = (spent: Pico) => {
    if (held) r.budget!.settle(held, spent);
    held = undefined;
  };
  const finish = (error: CallError | undefined): CallRecord => {
    release(0n);
    call.error = error;
    r.journal?.settle(handle, spec, call, error || spec.deferBaseline ? 0n : r.baselineCost(call));
    call.journalHandle = handle;
    return call;
  };
  for (let attempt = 1; ; attempt++) {
    const haveSlot = slotHeld && attempt === 1;
    if (!haveSlot) await waitForSlot(r, limiter, backoff);
    if (r.budget?.active && !held) {
      // A retry after an attempt that may have been billed needs a reservation of its own.
      const again = r.budget.reserve(spec.model.alias, spec.worstCase);
      if (!again.ok) return finish({ kind: 'budget', message: `not retried: the budget cannot take another attempt (${call.attempts} made)` });
      held = again;
    }
    if (r.control.abort.aborted) {
      limiter.release();
      return finish({ kind: 'aborted', message: 'aborted before it was sent' });
    }
    call.attempts = attempt;
    const started = r.clock();
    let left = false;
    const leaving = () => {
      // A journal that cannot write the call down throws: the request does not leave, costs nothing.
      const booked = call.cost + spec.worstCase;
      if (r.journal && handle === undefined) handle = r.journal.open(spec, booked);
      else if (r.journal) r.journal.rebook(handle!, booked);
      left = true;
    };
    // Each attempt gets a signal of its own, aborted with the run's: the SDKs never remove the
    // listeners they add to a signal, so a shared one would collect one per call.
    const attemptAbort = new AbortController();
    inFlight.add(attemptAbort);
    let failure: SendFailure;
    // Let the loop turn before the slot is handed on: an answer's promise settles before the HTTP
    // client has put the connection back in its pool, and a request sent at once opens a new one.
    // On loopback that churn cost a quarter of the CPU per prompt.
    const freeSlot = () => void r.nextTurn().then(() => limiter.release());
    try {
      const res = await r.send(spec, attemptAbort.signal, leaving).finally(() => inFlight.delete(attemptAbort));
      freeSlot();
      limiter.onSuccess(r.clock());
      call.latencyMs = Math.round(r.clock() - started);
      call.output = res.text;
      call.answeredBy = res.answeredBy;
      call.finishReason = res.finishReason;
      if (res.cached) {
        call.cached = true;
        call.usage = res.usage ?? ZERO_USAGE;
        call.cacheSaved = res.usage ? costOf(res.usage, spec.model.pricing.rates) : undefined;
        return finish(undefined);
      }
      // An answer without usage was billed all the same: book its reservation, as an upper bound.
      const spent = res.usage ? costOf(res.usage, spec.model.pricing.rates) : spec.worstCase;
      call.usage = res.usage ?? ZERO_USAGE;
      call.cost += spent;
      if (!res.usage) call.unsettled += spec.worstCase;
      release(spent);
      return finish(res.invalid === undefined ? undefined : { kind: 'schema', message: `the answer does not conform to the schema: ${res.invalid}` });
    } catch (err) {
      if (!isSendFailure(err)) {
        limiter.release();
        throw err;
      }
      failure = err;
    }
    call.latencyMs = Math.round(r.clock() - started);
    if (failure.status === 429) limiter.onThrottle(r.clock(), Math.min(failure.retryAfterMs ?? 0, backoff.maxRetryAfterMs) || undefined);
    if (left && mayHaveBilled(failure.kind)) {
      // Sent, and no whole answer came back: the provider may bill it. Keep its reservation.
      call.cost += spec.worstCase;
      call.unsettled += spec.worstCase;
      release(spec.worstCase);
    }
    // Said before the slot is handed on, so that no prompt waiting for it is sent to a refusing model.
    if (isRefusal(failure)) onRefused(failure);
    freeSlot();
    if (isRefusal(failure)) return finish({ status: failure.status, message: failure.message, kind: failure.kind });
    const delay = attempt <= r.retries && isRetryable(failure) && !r.control.abort.aborted ? retryDelay(attempt, failure, backoff, r.random) : undefined;
    if (delay === undefined) {
      let message = failure.message;
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > backoff.maxRetryAfterMs) {
        message += ` (the server asked to wait ${Math.ceil(failure.retryAfterMs / 1000)} s, over the ${backoff.maxRetryAfterMs / 1000} s limit)`;
      }
      return finish({ status: failure.status, message, kind: failure.kind });
    }
    r.emit({ type: 'retry', at: r.clock(), id: spec.prompt.id, route: spec.model.alias, attempt, delayMs: Math.round(delay), message: failure.message });
    await r.sleep(delay, r.control.abort);
  }
}

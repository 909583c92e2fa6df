import type { Budget } from '../money/budget.js';
import { costOf, ZERO_USAGE } from '../money/pricing.js';
import type { ModelConfig } from '../policy/types.js';
import { sourceText, type InputItem, type PromptRecord } from '../prompt.js';
import type { Decision } from '../routing/chain.js';
import type { CallRecord } from './calls.js';
import { Endpoint, endpointKey, notSent, queueBound, recordOf } from './endpoint.js';

export { endpointKey, queueBound, recordOf } from './endpoint.js';
import { runCall, waitForSlot, type CallRunner, type CallSpec, type InFlight } from './call-runner.js';
import type { ResultRecord, RunEventListener, StopReason } from './events.js';
import { plan, releasePlan, worstCase, type HeldReservation, type Job, type Planner, type Step } from './planner.js';
import { decideCascade, type Cascade, type StepAnswer } from '../routing/cascade.js';
import { DEFAULT_BACKOFF, type BackoffPolicy, type SendFailure } from './retry.js';
import { SeenIds } from './seen-ids.js';

/** A prompt to run, optionally with its route decided in advance (compare: each model it needs). */
export type WorkItem = InputItem | { kind: 'routed'; prompt: PromptRecord; decision: Decision };

/** What to run. */
export interface Work {
  items: AsyncIterable<WorkItem>;
  /** Prompts expected, when known up front (for progress). */
  total?: number | undefined;
  /** --resume: ids that already have a successful record; they are not sent again. */
  skip?: { has(id: string): boolean } | undefined;
  planner: Omit<Planner, 'stopping' | 'budget'>;
  /** The model every prompt is also priced on. */
  baseline: ModelConfig;
  /** Counts tokens as the policy does (a cascade's answer-length checks, when usage is unknown). */
  countTokens?: ((text: string) => number) | undefined;
}

/** How to run it. */
export interface Limits {
  /** Requests in flight at once per provider endpoint (lowered on 429s, AIMD). */
  concurrency: number;
  retries: number;
  backoff?: BackoffPolicy | undefined;
  budget?: Budget | undefined;
}

/** Where it goes: the sender, the write-ahead journal, the event stream and the records. */
export interface Sinks {
  send: CallRunner['send'];
  journal?: CallRunner['journal'];
  emit: RunEventListener;
  /**
   * Receives each record as it finishes. A returned promise is awaited before the prompt counts
   * as done (back-pressure); it must not settle before the event loop's next turn.
   */
  onRecord: (record: ResultRecord, prompt: PromptRecord) => Promise<void> | undefined;
}

export interface Runtime {
  control: CallRunner['control'];
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  nextTurn: () => Promise<void>;
  random: () => number;
}

/** The answer cap of a judge call: its verdict is a word or two. */
export const JUDGE_MAX_TOKENS = 16;

/**
 * The interactive executor: reads the prompts, plans each (route, budget), and runs it on its
 * provider endpoint's queue. Each endpoint has its own concurrency and queue, so a provider that
 * is rate limited or slow does not hold back prompts routed to another. Records come out in the
 * order prompts finish. Emits the run's events; views fold them with the accounting reducer.
 */
export async function execute(work: Work, limits: Limits, sinks: Sinks, rt: Runtime): Promise<StopReason> {
  sinks.emit({ type: 'run-start', at: rt.clock(), dryRun: false, total: work.total });
  const endpoints = new Map<string, Endpoint>();
  const bound = queueBound(limits.concurrency);
  const endpointOf = (m: ModelConfig) => {
    const key = endpointKey(m);
    let e = endpoints.get(key);
    if (!e) endpoints.set(key, (e = new Endpoint(key, limits.concurrency, bound, (limits.backoff ?? DEFAULT_BACKOFF).maxRetryAfterMs)));
    return e;
  };
  const inFlight: InFlight = new Set();
  // One listener on the run's signal aborts every attempt in flight.
  const abortAll = () => {
    for (const attempt of inFlight) attempt.abort();
  };
  rt.control.abort.addEventListener('abort', abortAll, { once: true });
  const refused = new Map<string, string>();
  const runner: CallRunner = {
    send: sinks.send,
    journal: sinks.journal,
    budget: limits.budget,
    retries: limits.retries,
    backoff: limits.backoff,
    control: rt.control,
    emit: sinks.emit,
    clock: rt.clock,
    sleep: rt.sleep,
    nextTurn: rt.nextTurn,
    random: rt.random,
    baselineCost: (c) => (c.usage === ZERO_USAGE && c.unsettled > 0n ? undefined : costOf(c.usage, work.baseline.pricing.rates)),
  };
  const planner: Planner = { ...work.planner, budget: limits.budget, stopping: () => rt.control.stopping };

  const finish = async (record: ResultRecord, prompt: PromptRecord) => {
    sinks.emit({ type: 'prompt-end', at: rt.clock(), record });
    await (sinks.onRecord(record, prompt) ?? rt.nextTurn());
  };

  let dropped = 0;
  const runPrompt = async (job: Job, reservation: HeldReservation | undefined, steps: Step[] | undefined): Promise<void> => {
    const endpoint = endpointOf(job.model);
    // A prompt starts when its endpoint takes it; after Ctrl-C, those still waiting are not sent.
    await waitForSlot(runner, endpoint.limiter, limits.backoff ?? DEFAULT_BACKOFF);
    if (rt.control.stopping) {
      endpoint.limiter.release();
      releasePlan(limits.budget, reservation, steps);
      dropped++;
      return;
    }
    sinks.emit({ type: 'prompt-start', at: rt.clock(), id: job.prompt.id, route: job.model.alias, class: job.decision.class });
    const refusal = refused.get(job.model.alias);
    if (refusal !== undefined) {
      endpoint.limiter.release();
      releasePlan(limits.budget, reservation, steps);
      return finish(recordOf(job, [], 0n, notSent(job, refusal)), job.prompt);
    }
    const cascade = steps && work.planner.cascades?.get(job.decision.route);
    if (cascade) return runCascade(job, cascade, steps!, reservation, endpoint);
    const spec: CallSpec = { kind: 'answer', prompt: job.prompt, class: job.decision.class, model: job.model, maxTokens: job.maxTokens, worstCase: worstCase(job), reservation, options: job.options, schema: job.schema };
    const call = await oneCall(job, spec, endpoint, true);
    await finish(recordOf(job, [call], call.error ? 0n : runner.baselineCost(call), call.error), job.prompt);
  };

  const onRefusedFor = (alias: string) => (f: SendFailure) => {
    if (refused.has(alias)) return;
    refused.set(alias, f.message);
    sinks.emit({ type: 'model-refused', at: rt.clock(), route: alias, message: f.message });
  };

  /** One call on its model's endpoint (the first call of a prompt already holds a slot there). */
  const oneCall = async (job: Job, spec: CallSpec, endpoint: Endpoint, slotHeld: boolean): Promise<CallRecord> => {
    sinks.emit({ type: 'call-start', at: rt.clock(), id: job.prompt.id, route: spec.model.alias, kind: spec.kind });
    try {
      return await runCall(runner, endpoint.limiter, inFlight, spec, onRefusedFor(spec.model.alias), slotHeld);
    } finally {
      sinks.emit({ type: 'call-end', at: rt.clock(), id: job.prompt.id, route: spec.model.alias });
    }
  };

  /**
   * A cascade: the first model answers, the checks decide, and on a failed check the next model is
   * called with the same request. Judge checks are calls of kind `check`. Every call is in the
   * record; the kept answer is the first accepted one, or the last step's.
   */
  const runCascade = async (job: Job, cascade: Cascade, steps: Step[], first: HeldReservation | undefined, endpoint: Endpoint): Promise<void> => {
    const all: Step[] = [{ model: job.model, maxTokens: job.maxTokens, options: job.options, reservation: first }, ...steps];
    const answers: StepAnswer[] = [];
    const stepCalls: CallRecord[] = [];
    const calls: CallRecord[] = [];
    const count = work.countTokens ?? ((text: string) => Math.ceil(text.length / 4));
    // --resume: the steps an earlier run of this job already called are not called again.
    for (const { step, call } of sinks.journal?.priorSteps?.(job.prompt.id) ?? []) {
      if (step >= all.length) continue;
      calls.push(call);
      stepCalls[step] = call;
      answers[step] = call.error ? { failed: true } : { answer: { text: call.output ?? '', finishReason: call.finishReason, usage: { output: call.usage.output } } };
      const held = all[step]!.reservation;
      if (held) limits.budget!.settle(held, 0n);
      all[step]!.reservation = undefined;
    }
    // The slot taken for the first step is not needed when an earlier run called it.
    if (stepCalls[0]) endpoint.limiter.release();
    for (;;) {
      const d = decideCascade(cascade, job.prompt, answers, count);
      d.steps.forEach((v, i) => {
        if (stepCalls[i]) stepCalls[i]!.checks = v.checks.map((c) => ({ id: c.id, ok: c.ok, why: c.why }));
      });
      const next = d.next;
      if (next.kind === 'call') {
        const step = all[next.step]!;
        const stepJob: Job = { ...job, model: step.model, maxTokens: step.maxTokens };
        const spec: CallSpec = { kind: 'answer', prompt: job.prompt, class: job.decision.class, model: step.model, maxTokens: step.maxTokens, worstCase: worstCase(stepJob), reservation: step.reservation, options: step.options, schema: job.schema, deferBaseline: true };
        const call = await oneCall(job, spec, next.step === 0 ? endpoint : endpointOf(step.model), next.step === 0);
        calls.push(call);
        stepCalls[next.step] = call;
        sinks.journal?.cascadeStep?.(job.prompt.id, next.step, call);
        answers[next.step] = call.error ? { failed: true } : { answer: { text: call.output ?? '', finishReason: call.finishReason, usage: call.usage === undefined ? undefined : { output: call.usage.output } } };
        continue;
      }
      if (next.kind === 'judge') {
        const judged = new Map<string, string>();
        for (const req of next.requests) {
          const model = work.planner.models.get(req.model)!;
          const judgePrompt: PromptRecord = { ...job.prompt, messages: req.messages, system: undefined };
          const spec: CallSpec = { kind: 'check', prompt: judgePrompt, class: job.decision.class, model, maxTokens: JUDGE_MAX_TOKENS, worstCase: worstCase({ ...job, prompt: judgePrompt, model, maxTokens: JUDGE_MAX_TOKENS }), deferBaseline: true };
          const call = await oneCall(job, spec, endpointOf(model), false);
          calls.push(call);
          // A judge that failed says no: the cascade escalates rather than keep an unchecked answer.
          judged.set(req.checkId, call.error ? '' : (call.output ?? ''));
        }
        const got = answers[next.step]!;
        answers[next.step] = { ...got, judged } as StepAnswer;
        continue;
      }
      // Steps not called free their reservations.
      for (let i = 0; i < all.length; i++) if (!stepCalls[i] && all[i]!.reservation) limits.budget?.settle(all[i]!.reservation!, 0n);
      if (next.kind === 'fail') {
        const last = stepCalls[stepCalls.length - 1];
        return finish({ ...recordOf(job, calls, 0n, last?.error ?? { message: 'every step of the cascade failed' }), escalated: d.escalated, cascade: cascade.name, failedCheck: d.failedCheck?.id }, job.prompt);
      }
      const kept = stepCalls[next.step]!;
      const baseline = runner.baselineCost(kept);
      if (kept.journalHandle !== undefined) sinks.journal?.keep(kept.journalHandle, baseline);
      return finish({ ...recordOf(job, calls, baseline), escalated: d.escalated, cascade: cascade.name, failedCheck: d.failedCheck?.id }, job.prompt);
    }
  };

  const seen = new SeenIds();
  const items = work.items[Symbol.asyncIterator]();
  const tasks = new Set<Promise<void>>();
  let inputDone = false;
  let budgetStop = false;
  while (!rt.control.stopping) {
    const next = await items.next();
    if (next.done) {
      // Ended by itself, not by a Ctrl-C that let go of stdin (run.ts).
      inputDone = !rt.control.stopping;
      break;
    }
    const item = next.value;
    if (item.kind === 'error') {
      sinks.emit({ type: 'input-error', at: rt.clock(), file: item.file, line: item.line, message: item.message });
      continue;
    }
    const prompt = item.prompt;
    // A routed prompt (compare) goes to several models under its one id.
    const first = item.kind === 'prompt' ? seen.add(prompt.id, prompt.source) : undefined;
    if (first !== undefined) {
      const message = `duplicate id "${prompt.id}" (first at ${sourceText(first.file, first.line)}); ids must be unique`;
      sinks.emit({ type: 'input-error', at: rt.clock(), file: prompt.source.file, line: prompt.source.line, message });
      continue;
    }
    if (work.skip?.has(prompt.id)) {
      sinks.emit({ type: 'skip', at: rt.clock(), id: prompt.id });
      continue;
    }
    const planned = await plan(planner, prompt, item.kind === 'routed' ? item.decision : undefined);
    if (planned.kind === 'stop') {
      if (!rt.control.stopping) budgetStop = true;
      rt.control.stopping = true;
      break;
    }
    const { job } = planned;
    const refusal = refused.get(job.model.alias);
    if (planned.kind === 'refused' || refusal !== undefined) {
      sinks.emit({ type: 'prompt-start', at: rt.clock(), id: prompt.id, route: job.model.alias, class: job.decision.class });
      const error = planned.kind === 'refused' ? { message: planned.message, kind: planned.why } : notSent(job, refusal!);
      if (planned.kind === 'send') releasePlan(limits.budget, planned.reservation, planned.steps);
      await finish(recordOf(job, [], 0n, error), prompt);
      continue;
    }
    const endpoint = endpointOf(job.model);
    await endpoint.admit();
    const task = runPrompt(job, planned.reservation, planned.steps).finally(() => {
      endpoint.done();
      tasks.delete(task);
    });
    tasks.add(task);
  }
  while (tasks.size > 0) await Promise.all([...tasks]);
  rt.control.abort.removeEventListener('abort', abortAll);
  const stop: StopReason = rt.control.abort.aborted ? 'aborted' : budgetStop ? 'budget' : rt.control.stopping && (!inputDone || dropped > 0) ? 'interrupted' : 'done';
  for (const [key, e] of endpoints) {
    const l = e.limiter;
    if (l.throttles > 0) sinks.emit({ type: 'throttled', at: rt.clock(), provider: key, throttles: l.throttles, lowestConcurrency: l.lowest });
  }
  sinks.emit({ type: 'run-end', at: rt.clock(), stop });
  return stop;
}

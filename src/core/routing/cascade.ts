import type { PromptRecord } from '../prompt.js';
import { evaluateCheck } from './checks/evaluate.js';
import type { JudgeRequest } from './checks/judge.js';
import type { Answer, Check, CheckResult } from './checks/types.js';

/** A cascade of the policy: try each model in order; keep an answer that is not the last only when `accept` holds. */
export interface Cascade {
  name: string;
  try: string[];
  accept: Check;
  /** `accept` as routes.yaml wrote it (a batch job keeps it, to compile it again when it collects). */
  spec?: unknown;
}

/** What one step of a cascade gave: an answer (with its judges' answers, once asked), or a failed call. */
export type StepAnswer =
  | { answer: Answer; judged?: ReadonlyMap<string, string> | undefined }
  | { failed: true };

export interface StepVerdict {
  step: number;
  model: string;
  /** accepted: kept; rejected: a check failed, escalate; failed: the call failed, escalate; last: kept unchecked; pending: waits for judges. */
  status: 'accepted' | 'rejected' | 'failed' | 'last' | 'pending';
  /** The leaf checks that ran on this step's answer, passed and failed. */
  checks: CheckResult[];
}

export type CascadeNext =
  /** Call this step's model with the prompt's request. */
  | { kind: 'call'; step: number; model: string }
  /** Make these judge calls (kind `check`) on the step's answer, then decide again with their answers. */
  | { kind: 'judge'; step: number; requests: JudgeRequest[] }
  /** Done: keep this step's answer. */
  | { kind: 'keep'; step: number; model: string }
  /** Done: every step's call failed. */
  | { kind: 'fail'; step: number };

export interface CascadeDecision {
  next: CascadeNext;
  steps: StepVerdict[];
  /** True once a step was rejected or failed: a later model was (or is to be) called. */
  escalated: boolean;
  /** The first check that failed (what made the cascade escalate), when one did. */
  failedCheck?: CheckResult | undefined;
}

/**
 * Where a cascade stands for one prompt, from the answers of its steps so far (in `try` order).
 * The executor calls it after every step (and after judge calls); `compare` calls it once per
 * prompt with every step's logged answer, and it reads only as many as a live run would make.
 */
export function decideCascade(cascade: Cascade, prompt: PromptRecord, answers: readonly (StepAnswer | undefined)[], countTokens: (text: string) => number): CascadeDecision {
  const steps: StepVerdict[] = [];
  let failedCheck: CheckResult | undefined;
  const last = cascade.try.length - 1;
  for (let step = 0; step <= last; step++) {
    const model = cascade.try[step]!;
    const got = answers[step];
    if (!got) return { next: { kind: 'call', step, model }, steps, escalated: step > 0, failedCheck };
    if ('failed' in got) {
      steps.push({ step, model, status: 'failed', checks: [] });
      if (step === last) return { next: { kind: 'fail', step }, steps, escalated: step > 0, failedCheck };
      continue;
    }
    if (step === last) {
      steps.push({ step, model, status: 'last', checks: [] });
      return { next: { kind: 'keep', step, model }, steps, escalated: step > 0, failedCheck };
    }
    const judged = got.judged;
    const e = evaluateCheck(cascade.accept, { prompt, answer: got.answer, countTokens }, { judged: (id) => judged?.get(id) });
    if (e.ok === null) {
      steps.push({ step, model, status: 'pending', checks: e.results });
      return { next: { kind: 'judge', step, requests: e.needs }, steps, escalated: step > 0, failedCheck };
    }
    steps.push({ step, model, status: e.ok ? 'accepted' : 'rejected', checks: e.results });
    if (e.ok) return { next: { kind: 'keep', step, model }, steps, escalated: step > 0, failedCheck };
    failedCheck ??= e.results.find((r) => !r.ok) ?? e.results[e.results.length - 1];
  }
  throw new Error('unreachable: a cascade has at least two steps');
}

import { decideCascade, type Cascade, type StepAnswer } from '../routing/cascade.js';
import type { JudgeRequest } from '../routing/checks/judge.js';
import { expectedCascadeCost } from '../money/estimate.js';
import type { Pico } from '../money/money.js';
import type { PromptRecord } from '../prompt.js';
import type { PairOutcome } from './compare.js';

export interface CascadeStepPair {
  /** "provider/model" of the step's model. */
  label: string;
  outcome: PairOutcome;
}

export interface CascadeOutcomeOptions {
  countTokens(text: string): number;
  /** What a judge call would cost (estimated: compare has no judge answers), and its model's label. */
  judgeCall(request: JudgeRequest): { label: string; cost: Pico | undefined };
  /** For steps without an answer (dry run, not logged): the assumed escalation rate. */
  escalationRate: number;
}

/**
 * What a cascade would have given on one prompt, from each step model's answer to it: the steps a
 * live run would call (each paid), the answer it would keep, whether it escalated. The checks are
 * pure, so this is exact for answers that exist. A judge's verdict cannot be read from logs: it is
 * taken to agree with the grader (a judge as good as the expected answer; yes when ungraded), its
 * call is priced as an estimate, and the prompt counts as estimated.
 */
export function cascadeOutcome(cascade: Cascade, prompt: PromptRecord, steps: CascadeStepPair[], o: CascadeOutcomeOptions): PairOutcome {
  if (steps.some((s) => s.outcome.estimated)) return estimatedCascade(steps, o.escalationRate);
  const answers: StepAnswer[] = [];
  const judged: Map<string, string>[] = [];
  const calls: Record<string, number> = {};
  const call = (label: string) => (calls[label] = (calls[label] ?? 0) + 1);
  let cost: Pico | undefined = 0n;
  let estimated = false;
  const pay = (c: Pico | undefined) => (cost = cost === undefined || c === undefined ? undefined : cost + c);
  for (;;) {
    const d = decideCascade(cascade, prompt, answers, o.countTokens);
    const next = d.next;
    switch (next.kind) {
      case 'call': {
        const s = steps[next.step]!;
        call(s.label);
        pay(s.outcome.cost);
        judged[next.step] = new Map();
        answers[next.step] = s.outcome.failed
          ? { failed: true }
          : {
              answer: { text: s.outcome.answer ?? '', finishReason: s.outcome.finishReason, usage: s.outcome.outputTokens === undefined ? undefined : { output: s.outcome.outputTokens } },
              judged: judged[next.step],
            };
        break;
      }
      case 'judge': {
        const s = steps[next.step]!.outcome;
        for (const request of next.requests) {
          const j = o.judgeCall(request);
          call(j.label);
          pay(j.cost);
          judged[next.step]!.set(request.checkId, !s.graded || s.correct ? 'yes' : 'no');
        }
        estimated = true;
        break;
      }
      case 'keep':
      case 'fail': {
        const kept = steps[next.step]!;
        return { ...kept.outcome, cost, estimated, calls, escalated: d.escalated, kept: kept.label };
      }
      default: {
        const never: never = next;
        return never;
      }
    }
  }
}

/** No answers to check: each step's estimated cost at the assumed escalation rate. */
function estimatedCascade(steps: CascadeStepPair[], rate: number): PairOutcome {
  const costs = steps.map((s) => s.outcome.cost);
  const known = costs.every((c) => c !== undefined);
  return {
    cost: known ? expectedCascadeCost(costs, rate) : undefined,
    estimated: true,
    failed: false,
    graded: false,
    correct: false,
    calls: Object.fromEntries(steps.map((s, i) => [s.label, rate ** i])),
    kept: steps[0]!.label,
  };
}

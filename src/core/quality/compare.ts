import type { CompareReport, PolicyResult, Regression } from './compare-types.js';
import type { Pico } from '../money/money.js';
import type { FinishReason } from '../execution/calls.js';
import { pickBest, qualityFromCounts, qualityKept, randomRouter, type ModelTotals } from './quality.js';

/** What sending one prompt to one model gave (or, estimated, would give). */
export interface PairOutcome {
  cost: Pico | undefined;
  estimated: boolean;
  /** The answer, when one exists (live, or logged for --from). */
  answer?: string | undefined;
  failed: boolean;
  /** Set when the prompt has an expected answer and there is an answer (or a failure) to grade. */
  graded: boolean;
  correct: boolean;
  /** What the grader made of a wrong answer, for regressions. */
  detail?: string | undefined;
  /** Why the answer ended and its output tokens, when known: what a cascade's checks may read. */
  finishReason?: FinishReason | undefined;
  outputTokens?: number | undefined;
  /** A cascade's outcome: the calls it paid for, by "provider/model" label... */
  calls?: Record<string, number> | undefined;
  /** ...whether it escalated (undefined when it could not be decided from answers: an estimate)... */
  escalated?: boolean | undefined;
  /** ...and the model whose answer it kept. */
  kept?: string | undefined;
}

export interface ComparedPolicy {
  name: string;
  file: string;
  /** Per prompt: the model key it routes to (or a cascade's key, see CompareInput.cascades), and the class that sent it there. */
  routes: string[];
  classes: (string | null)[];
}

export interface CompareInput {
  mode: CompareReport['mode'];
  promptIds: string[];
  /** Per prompt: the expected answer in words, for regressions (undefined: not graded). */
  expected: (string | undefined)[];
  policies: ComparedPolicy[];
  /** Model key -> "provider/model" label. */
  labels: Map<string, string>;
  baselineKey: string;
  /** Cascade keys (routes that are cascades) and the model keys of their steps. */
  cascades?: Map<string, string[]> | undefined;
  outcome: (modelKey: string, prompt: number) => PairOutcome;
  minQuality: number;
}

interface Tally {
  callsByModel: Record<string, number>;
  /** Prompts by the model whose answer was kept (what a random router with the same shares copies). */
  keptByModel: Record<string, number>;
  /** Prompts that went to a cascade whose escalation is known, and how many of them escalated. */
  cascaded: number;
  escalated: number;
  cost: Pico;
  graded: number;
  correct: number;
  estimated: number;
}

function tally(input: CompareInput, routeOf: (i: number) => string): Tally {
  const t: Tally = { callsByModel: {}, keptByModel: {}, cascaded: 0, escalated: 0, cost: 0n, graded: 0, correct: 0, estimated: 0 };
  const add = (to: Record<string, number>, label: string, n: number) => (to[label] = (to[label] ?? 0) + n);
  input.promptIds.forEach((_, i) => {
    const key = routeOf(i);
    const o = input.outcome(key, i);
    const label = o.kept ?? input.labels.get(key)!;
    if (o.calls) for (const [model, n] of Object.entries(o.calls)) add(t.callsByModel, model, n);
    else add(t.callsByModel, label, 1);
    add(t.keptByModel, label, 1);
    if (o.escalated !== undefined) {
      t.cascaded++;
      if (o.escalated) t.escalated++;
    }
    t.cost += o.cost ?? 0n;
    if (o.estimated) t.estimated++;
    if (o.graded) {
      t.graded++;
      if (o.correct) t.correct++;
    }
  });
  return t;
}

function row(name: string, file: string | null, kind: PolicyResult['kind'], t: Tally, baselineCost: Pico, baselineAccuracy: number | null): PolicyResult {
  const q = qualityFromCounts(t.graded, t.correct);
  return {
    name,
    file,
    kind,
    callsByModel: t.callsByModel,
    cost: t.cost,
    baselineCost,
    graded: q.graded,
    correct: q.correct,
    accuracy: q.accuracy,
    accuracyCi: q.accuracyCi,
    qualityKept: qualityKept(q.accuracy, baselineAccuracy),
    estimated: t.estimated,
    ...(t.cascaded > 0 ? { escalation: { prompts: t.cascaded, escalated: t.escalated, rate: t.escalated / t.cascaded } } : {}),
  };
}

/**
 * Every row of `frugal compare` from the per-(model, prompt) outcomes: each policy, the
 * baseline-only policy, each single model the policies use, and per policy a random router
 * with the same model shares. Every row's baseline spend is the baseline-only row's spend: what
 * the same prompts cost (or would cost) with every one sent to the baseline model.
 */
export function buildReport(input: CompareInput): CompareReport {
  const baselineTally = tally(input, () => input.baselineKey);
  const baselineCost = baselineTally.cost;
  const baselineAccuracy = qualityFromCounts(baselineTally.graded, baselineTally.correct).accuracy;
  const baselineLabel = input.labels.get(input.baselineKey)!;

  const tallies = input.policies.map((p) => tally(input, (i) => p.routes[i]!));
  const policies = input.policies.map((p, n) => row(p.name, p.file, 'policy', tallies[n]!, baselineCost, baselineAccuracy));

  const used = new Set<string>();
  for (const p of input.policies) for (const key of p.routes) for (const k of input.cascades?.get(key) ?? [key]) used.add(k);
  const singles = new Map<string, Tally>();
  for (const key of [input.baselineKey, ...used]) if (!singles.has(key)) singles.set(key, tally(input, () => key));

  const references: PolicyResult[] = [row(`baseline only (${baselineLabel})`, null, 'baseline', baselineTally, baselineCost, baselineAccuracy)];
  for (const [key, t] of singles) {
    if (key === input.baselineKey) continue;
    references.push(row(`only ${input.labels.get(key)!}`, null, 'single', t, baselineCost, baselineAccuracy));
  }
  const perModel: Record<string, ModelTotals> = {};
  for (const [key, t] of singles) perModel[input.labels.get(key)!] = { cost: t.cost, baselineCost, graded: t.graded, correct: t.correct, estimated: t.estimated };
  for (const [n, p] of policies.entries()) {
    const r = randomRouter({ name: `random, as ${p.name}`, mirrors: p.name, callsByModel: tallies[n]!.keptByModel, perModel, baselineAccuracy });
    references.push({ ...r, baselineCost, qualityKept: qualityKept(r.accuracy, baselineAccuracy) });
  }

  const regressions: Regression[] = [];
  input.policies.forEach((p) => {
    input.promptIds.forEach((id, i) => {
      const mine = input.outcome(p.routes[i]!, i);
      const base = input.outcome(input.baselineKey, i);
      if (!mine.graded || !base.graded || mine.correct || !base.correct) return;
      regressions.push({
        policy: p.name,
        id,
        class: p.classes[i] ?? null,
        model: mine.kept ?? input.labels.get(p.routes[i]!)!,
        expected: input.expected[i] ?? '',
        answer: mine.failed ? '(failed)' : (mine.answer ?? ''),
        detail: mine.failed ? undefined : mine.detail,
      });
    });
  });

  const graded = [...singles.values()].some((t) => t.graded > 0);
  const matched = [...singles.values()].some((t) => t.correct > 0);
  const quality: CompareReport['quality'] = !graded ? 'ungraded' : matched ? 'measured' : 'nothing-matched';
  return {
    mode: input.mode,
    prompts: input.promptIds.length,
    baselineModel: baselineLabel,
    minQuality: input.minQuality,
    policies,
    references,
    // A best policy is named only on measured quality: the cheapest of unmeasured ones proves nothing.
    best: quality === 'measured' ? pickBest(policies, baselineAccuracy, input.minQuality) : null,
    quality,
    regressions,
  };
}

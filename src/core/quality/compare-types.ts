import type { Pico } from '../money/money.js';

/** One row of `frugal compare`: a policy, or a reference that policies are judged against. */
export interface PolicyResult {
  name: string;
  /** The policy file, or null for a reference row. */
  file: string | null;
  kind: 'policy' | 'baseline' | 'single' | 'random';
  /** For a random-router row: the policy whose model shares it copies. */
  mirrors?: string | undefined;
  /** Prompts sent to each model, keyed "provider/model" (fractional for the random router: expected counts). */
  callsByModel: Record<string, number>;
  cost: Pico;
  baselineCost: Pico;
  /** Graded prompts and how many were right (expected values for the random router). */
  graded: number;
  correct: number;
  /** correct / graded in 0..1, null when nothing was graded. */
  accuracy: number | null;
  /** 95% confidence interval of the accuracy (Wilson score), null when nothing was graded. */
  accuracyCi: [number, number] | null;
  /** accuracy / the baseline-only policy's accuracy, null when either is unknown or the baseline's is 0. */
  qualityKept: number | null;
  /** Prompts whose figures are estimates (dry run, or --from with a model never logged for them). */
  estimated: number;
  /** Policies with cascades: prompts a cascade decided from answers, and how many escalated. */
  escalation?: { prompts: number; escalated: number; rate: number } | undefined;
}

export interface Regression {
  policy: string;
  id: string;
  class: string | null;
  model: string;
  expected: string;
  answer: string;
  /** What the grader made of the answer ("last number is 20, expected 10"), when it says. */
  detail?: string | undefined;
}

export interface CompareReport {
  mode: 'dry-run' | 'live' | 'from';
  prompts: number;
  baselineModel: string;
  /** --min-quality as a fraction of the baseline's accuracy (default 0.95). */
  minQuality: number;
  policies: PolicyResult[];
  references: PolicyResult[];
  /** Name of the best policy: highest quality within --min-quality, then lowest spend; null when quality was not measured. */
  best: string | null;
  /**
   * measured: some answer was graded right; ungraded: no record has an expected answer;
   * nothing-matched: answers were graded and the grader matched none of any model (a grader that
   * does not fit the answers, such as `exact` on numbers), so accuracy says nothing.
   */
  quality: 'measured' | 'ungraded' | 'nothing-matched';
  regressions: Regression[];
}

import type { PolicyResult } from './compare-types.js';
import type { Pico } from '../money/money.js';

/** The two-sided 95% normal quantile. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for `correct` successes out of `n`, clamped to [0, 1]; null when n = 0.
 * Unlike the normal approximation it stays inside [0, 1] and is not empty at 0/n or n/n, which
 * matters for the small graded sets a compare run usually has. Counts may be fractional (the
 * random router's expected counts).
 */
export function wilson(correct: number, n: number, z = Z_95): [number, number] | null {
  if (!(n >= 0) || !(correct >= 0) || correct > n || !Number.isFinite(n)) {
    throw new RangeError(`wilson: need 0 <= correct <= n, got ${correct}/${n}`);
  }
  if (n === 0) return null;
  const p = correct / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  const low = correct === 0 ? 0 : Math.max(0, centre - half);
  const high = correct === n ? 1 : Math.min(1, centre + half);
  return [low, high];
}

export interface QualitySummary {
  graded: number;
  correct: number;
  /** correct / graded, null when nothing was graded. */
  accuracy: number | null;
  accuracyCi: [number, number] | null;
}

/** The quality fields of a row from its counts (fractional for expected counts). */
export function qualityFromCounts(graded: number, correct: number): QualitySummary {
  return {
    graded,
    correct,
    accuracy: graded > 0 ? correct / graded : null,
    accuracyCi: wilson(correct, graded),
  };
}

/** The quality fields of a row from its per-prompt outcomes; `correct` counts only where graded. */
export function summarizeQuality(outcomes: Iterable<{ graded: boolean; correct: boolean }>): QualitySummary {
  let graded = 0;
  let correct = 0;
  for (const o of outcomes) {
    if (!o.graded) continue;
    graded++;
    if (o.correct) correct++;
  }
  return qualityFromCounts(graded, correct);
}

/** accuracy / the baseline's accuracy; null when either is unknown or the baseline's is 0. */
export function qualityKept(accuracy: number | null, baselineAccuracy: number | null): number | null {
  if (accuracy === null || baselineAccuracy === null || baselineAccuracy === 0) return null;
  return accuracy / baselineAccuracy;
}

/** n / d rounded to the nearest integer, halves away from zero. */
export function divRound(n: bigint, d: bigint): bigint {
  if (d === 0n) throw new RangeError('divRound: division by zero');
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const q = (2n * an + ad) / (2n * ad);
  return negative ? -q : q;
}

/** What one model did with ALL the prompts (its single-model reference row). */
export interface ModelTotals {
  cost: Pico;
  baselineCost: Pico;
  graded: number;
  correct: number;
  /** Prompts whose figures for this model are estimates. */
  estimated?: number | undefined;
}

export interface RandomRouterInput {
  name: string;
  /** The policy whose shares are copied. */
  mirrors: string;
  /** The policy's prompts per model: whole counts, summing to the prompts it routed. */
  callsByModel: Readonly<Record<string, number>>;
  /** Per model key, the results of sending every prompt to that model. */
  perModel: Readonly<Record<string, ModelTotals>>;
  baselineAccuracy: number | null;
}

/**
 * The random router that mirrors a policy: each prompt goes to model m with probability
 * s_m = count_m / N (N = Σ count_m), independently of its content. Its expected figures follow
 * exactly from the single-model totals, by linearity of expectation, without sampling:
 *
 * - cost = Σ count_m × cost_m / N, summed exactly in bigint and divided once, rounding half away
 *   from zero to the picodollar (likewise the baseline cost);
 * - graded and correct = Σ s_m × graded_m and Σ s_m × correct_m (fractional expected counts);
 * - accuracy = E[correct] / E[graded]. When every model graded the same prompts this is exactly
 *   Σ s_m × acc_m; when graded counts differ (a model failing where others answered), each
 *   model's accuracy is weighted by the prompts it expectedly grades, i.e. the router's
 *   accuracy over the answers it would grade, the same definition as any other row;
 * - accuracyCi = Wilson on those expected counts: the interval of a policy that graded E[graded]
 *   prompts and got E[correct] right, so the row's uncertainty is drawn on the same footing as
 *   the policies it is compared with (it ignores the extra variance of the coin flips themselves,
 *   which a real random router would add);
 * - callsByModel = the expected calls, N × s_m = count_m;
 * - estimated = the largest `estimated` among the models it uses: a prompt's expected figure is an
 *   estimate when any model's figure for it is, and that is a lower bound which is exact when
 *   the estimated prompts of one model include the others' (a dry run; a model never logged).
 */
export function randomRouter(input: RandomRouterInput): PolicyResult {
  const used = Object.entries(input.callsByModel).filter(([, count]) => count !== 0);
  let total = 0n;
  let cost = 0n;
  let baselineCost = 0n;
  let graded = 0;
  let correct = 0;
  let estimated = 0;
  for (const [model, count] of used) {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`randomRouter: ${model} has ${count} calls`);
    const totals = input.perModel[model];
    if (totals === undefined) throw new RangeError(`randomRouter: no single-model results for ${model}`);
    const n = BigInt(count);
    total += n;
    cost += n * totals.cost;
    baselineCost += n * totals.baselineCost;
    graded += count * totals.graded;
    correct += count * totals.correct;
    estimated = Math.max(estimated, totals.estimated ?? 0);
  }
  const N = Number(total);
  const quality = N === 0 ? qualityFromCounts(0, 0) : qualityFromCounts(graded / N, correct / N);
  // From the whole sums, so that the ratio is rounded once.
  if (graded > 0) quality.accuracy = correct / graded;
  return {
    name: input.name,
    file: null,
    kind: 'random',
    mirrors: input.mirrors,
    callsByModel: Object.fromEntries(used),
    cost: total === 0n ? 0n : divRound(cost, total),
    baselineCost: total === 0n ? 0n : divRound(baselineCost, total),
    ...quality,
    qualityKept: qualityKept(quality.accuracy, input.baselineAccuracy),
    estimated,
  };
}

/** Slack for comparing accuracy ratios computed in floating point (0.95 × 0.8 vs 0.76). */
const EPSILON = 1e-9;

/**
 * The policy to recommend, or null when none keeps enough quality.
 *
 * "Highest quality within --min-quality, then lowest spend" is read as: quality is a floor, not
 * the objective. A policy qualifies when its accuracy is at least minQuality × the baseline's
 * (i.e. qualityKept >= minQuality; a baseline accuracy of 0 lets every policy qualify); among
 * those the cheapest wins, a tie in spend goes to the higher accuracy, then to the name (code
 * point order). Ranking by accuracy first would nearly always pick the priciest policy, which is
 * not what a cost-aware comparison asks. When nothing was graded (no baseline accuracy) quality
 * cannot be judged and every policy qualifies; when the baseline was graded, a policy without an
 * accuracy does not.
 */
export function pickBest(policies: readonly PolicyResult[], baselineAccuracy: number | null, minQuality: number): string | null {
  const qualifies = (p: PolicyResult): boolean =>
    baselineAccuracy === null || (p.accuracy !== null && p.accuracy >= minQuality * baselineAccuracy - EPSILON);
  let best: PolicyResult | null = null;
  for (const p of policies) {
    if (!qualifies(p)) continue;
    if (best === null || better(p, best)) best = p;
  }
  return best?.name ?? null;
}

function better(a: PolicyResult, b: PolicyResult): boolean {
  if (a.cost !== b.cost) return a.cost < b.cost;
  const accA = a.accuracy ?? -1;
  const accB = b.accuracy ?? -1;
  if (accA !== accB) return accA > accB;
  return a.name < b.name;
}

import { formatInt, type Pico } from './money.js';

/** A price in micro-USD per million tokens (= picodollars per token), with long-context tiers. */
export interface Rate {
  base: number;
  /** Sorted by start; a tier applies when the request's total input tokens exceed `start`. */
  tiers: { start: number; rate: number }[];
}

export interface ModelRates {
  input: Rate;
  output: Rate;
  /** Absent: cache reads are billed as ordinary input (as the catalogue does). */
  cacheRead?: Rate;
  cacheWrite?: Rate;
}

/** Normalized usage. `input` is the whole prompt, cache reads and writes included. */
export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Reasoning tokens where the API reports them: already inside `output`, never billed twice. */
  reasoning?: number | undefined;
}

export const ZERO_USAGE: Usage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/** Usage and spend summed over a set of calls. */
export interface UsageSums {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** Sum over the calls whose cost is known. */
  cost: Pico;
  /** Calls whose cost is unknown (no usage reported): counted here, not in `cost`. */
  costUnknown: number;
}

export const emptyUsageSums = (): UsageSums => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, cost: 0n, costUnknown: 0 });

export type PriceSource =
  | { kind: 'override' }
  | { kind: 'catalogue'; providerId: string; catalogueId: string; exact: boolean; name?: string; timeDependent?: boolean };

export interface ModelPricing {
  rates: ModelRates;
  source: PriceSource;
}

export class PriceError extends Error {
  constructor(
    /** Which price: a price key (`input`) or a catalogue entry. */
    readonly what: string,
    readonly detail: string,
  ) {
    super(`${what}: ${detail}`);
    this.name = 'PriceError';
  }
}

const plain = (n: number) => n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });

/** USD per million tokens -> integer micro-USD per million tokens; prices finer than that are refused. */
export function toMicro(usdPerMtok: number, what: string): number {
  if (!Number.isFinite(usdPerMtok) || usdPerMtok < 0) throw new PriceError(what, 'price must be a non-negative number');
  const micro = Math.round(usdPerMtok * 1e6);
  // The tolerance only absorbs the float error of the multiplication (far below 1e-6 for any real price).
  if (Math.abs(usdPerMtok * 1e6 - micro) > Math.max(1e-6, micro * 1e-12)) {
    throw new PriceError(what, `price ${plain(usdPerMtok)} has more than 6 decimal places (USD per million tokens)`);
  }
  return micro;
}

export function flatRate(usdPerMtok: number, what: string): Rate {
  return { base: toMicro(usdPerMtok, what), tiers: [] };
}

function rateAt(rate: Rate, inputTokens: number): number {
  let current = rate.base;
  for (const tier of rate.tiers) if (inputTokens > tier.start) current = tier.rate;
  return current;
}

/**
 * Exact cost of one request in picodollars. Mirrors the catalogue's billing rules: the tier is
 * chosen by the request's total input tokens and applies to every token of that request, and
 * cached tokens are carved out of the input only when the model has a price for them.
 */
export function costOf(usage: Usage, rates: ModelRates): Pico {
  const tierTokens = usage.input;
  let uncached = usage.input;
  let cost = 0n;
  if (rates.cacheRead && usage.cacheRead > 0) {
    uncached -= usage.cacheRead;
    cost += BigInt(rateAt(rates.cacheRead, tierTokens)) * BigInt(usage.cacheRead);
  }
  if (rates.cacheWrite && usage.cacheWrite > 0) {
    uncached -= usage.cacheWrite;
    cost += BigInt(rateAt(rates.cacheWrite, tierTokens)) * BigInt(usage.cacheWrite);
  }
  cost += BigInt(rateAt(rates.input, tierTokens)) * BigInt(Math.max(0, uncached));
  cost += BigInt(rateAt(rates.output, tierTokens)) * BigInt(usage.output);
  return cost;
}

export interface PriceOverride {
  input: number;
  output: number;
  cache_read?: number | undefined;
  cache_write?: number | undefined;
}

/** A routes.yaml `price:`. A PriceError's `what` is the offending key (`input`, `cache_read`, ...). */
export function overridePricing(price: PriceOverride): ModelPricing {
  const rates: ModelRates = { input: flatRate(price.input, 'input'), output: flatRate(price.output, 'output') };
  if (price.cache_read !== undefined) rates.cacheRead = flatRate(price.cache_read, 'cache_read');
  if (price.cache_write !== undefined) rates.cacheWrite = flatRate(price.cache_write, 'cache_write');
  return { rates, source: { kind: 'override' } };
}

/** USD per million tokens, for display: the base rate and, when tiered, the tiers. */
export function describeRate(rate: Rate | undefined): string {
  if (!rate) return '—';
  const usd = (micro: number) => `$${(micro / 1e6).toString()}`;
  if (rate.tiers.length === 0) return usd(rate.base);
  return [usd(rate.base), ...rate.tiers.map((t) => `${usd(t.rate)} >${formatInt(t.start)}`)].join(' / ');
}

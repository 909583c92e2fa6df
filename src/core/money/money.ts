/**
 * Money is counted in integer picodollars (1e-12 USD) held in bigint, so that sums over
 * millions of prompts are exact. Catalogue prices are USD per million tokens with at most
 * six decimals, which makes every per-token charge a whole number of picodollars.
 */
export type Pico = bigint;

export const PICO_PER_USD = 1_000_000_000_000n;

const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** Exact USD value as a JS number (nearest double to the exact decimal). */
export function picoToUsd(pico: Pico): number {
  // Below 2^53 both operands are exact and the division rounds once; above, Number(pico) would round first.
  if (pico <= MAX_EXACT && pico >= -MAX_EXACT) return Number(pico) / 1e12;
  return Number(picoToDecimal(pico, 12));
}

/** Round half away from zero to `decimals` places, returning the decimal digits as a string. */
export function picoToDecimal(pico: Pico, decimals: number): string {
  const negative = pico < 0n;
  const abs = negative ? -pico : pico;
  const unit = 10n ** BigInt(12 - decimals);
  const rounded = (abs + unit / 2n) / unit;
  const digits = rounded.toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  const sign = negative && rounded !== 0n ? '-' : '';
  return decimals > 0 ? `${sign}${whole}.${frac}` : `${sign}${whole}`;
}

function groupThousands(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export const UNKNOWN = '—';

/**
 * The one money formatter. Small amounts keep enough places to be meaningful
 * (a single prompt often costs a fraction of a cent); amounts of a dollar or more show cents.
 */
export function formatUsd(pico: Pico | undefined): string {
  if (pico === undefined) return UNKNOWN;
  const abs = pico < 0n ? -pico : pico;
  // Compared as rounded, so that $0.0099996 shows as $0.0100 rather than $0.010000.
  const decimals = abs === 0n ? 2 : abs + 500_000n < PICO_PER_USD / 100n ? 6 : abs + 50_000_000n < PICO_PER_USD ? 4 : 2;
  const text = picoToDecimal(pico, decimals);
  const negative = text.startsWith('-');
  const [whole = '0', frac] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}$${groupThousands(whole)}${frac === undefined ? '' : `.${frac}`}`;
}

/** Percentage with one decimal, or the unknown mark when the denominator is zero or unknown. */
export function formatPct(part: Pico | undefined, whole: Pico | undefined): string {
  if (part === undefined || whole === undefined || whole === 0n) return UNKNOWN;
  // tenths of a percent, rounded half away from zero
  const scaled = part * 2000n;
  const q = scaled / whole;
  const tenths = (q + (q >= 0n ? 1n : -1n)) / 2n;
  const sign = tenths < 0n ? '-' : '';
  const abs = tenths < 0n ? -tenths : tenths;
  return `${sign}${abs / 10n}.${abs % 10n}%`;
}

export function pctNumber(part: Pico | undefined, whole: Pico | undefined): number | null {
  if (part === undefined || whole === undefined || whole === 0n) return null;
  return (Number(part) / Number(whole)) * 100;
}

export function formatInt(n: number): string {
  return groupThousands(String(n));
}

/** Parse a user-supplied USD amount ("5", "0.25", "$1,000.50") exactly into picodollars. */
export function usdToPico(text: string): Pico | undefined {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d{0,12}))?$/.exec(cleaned);
  if (!m) return undefined;
  const whole = BigInt(m[1] ?? '0');
  const frac = BigInt((m[2] ?? '').padEnd(12, '0'));
  return whole * PICO_PER_USD + frac;
}

/** A policy's USD amount (a number, at most six decimals, as the schema allows) in picodollars. */
export function usdNumberToPico(usd: number): Pico {
  return BigInt(Math.round(usd * 1e6)) * 1_000_000n;
}

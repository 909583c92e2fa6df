import { describe, expect, it } from 'vitest';
import { formatInt, formatPct, formatUsd, pctNumber, picoToDecimal, picoToUsd, usdToPico, UNKNOWN } from '../../../src/core/money/money.js';
import { rng } from '../../support.js';

const USD = 1_000_000_000_000n;

describe('picoToDecimal rounds half away from zero', () => {
  it.each([
    { pico: 0n, decimals: 2, text: '0.00' },
    { pico: 4_999_999_999n, decimals: 2, text: '0.00' },
    { pico: 5_000_000_000n, decimals: 2, text: '0.01' },
    { pico: -5_000_000_000n, decimals: 2, text: '-0.01' },
    { pico: -4_999_999_999n, decimals: 2, text: '0.00' },
    { pico: 1_234_500_000n, decimals: 6, text: '0.001235' },
    { pico: 1_234_499_999n, decimals: 6, text: '0.001234' },
    { pico: -1_234_500_000n, decimals: 6, text: '-0.001235' },
    { pico: 123n, decimals: 12, text: '0.000000000123' },
    { pico: 12n * USD + 345n, decimals: 12, text: '12.000000000345' },
    { pico: 2n * USD + USD / 2n, decimals: 0, text: '3' },
    { pico: -(2n * USD + USD / 2n), decimals: 0, text: '-3' },
    { pico: 1_000_000n * USD, decimals: 2, text: '1000000.00' },
  ])('$pico to $decimals places = $text', ({ pico, decimals, text }) => {
    expect(picoToDecimal(pico, decimals)).toBe(text);
  });
});

describe('formatUsd', () => {
  it.each([
    { pico: undefined, text: '—' },
    { pico: 0n, text: '$0.00' },
    { pico: 1n, text: '$0.000000' },
    { pico: 500_000n, text: '$0.000001' },
    { pico: 5_864_000_000n, text: '$0.005864' },
    { pico: 9_999_499_999n, text: '$0.009999' },
    // rounds up to a cent: shown with the places of a cent or more
    { pico: 9_999_500_000n, text: '$0.0100' },
    { pico: 10_000_000_000n, text: '$0.0100' },
    { pico: 137_249_000_000n, text: '$0.1372' },
    { pico: 999_949_999_999n, text: '$0.9999' },
    { pico: 999_950_000_000n, text: '$1.00' },
    { pico: USD, text: '$1.00' },
    { pico: 1_234_567_890_000_000n, text: '$1,234.57' },
    { pico: 1_000_000n * USD, text: '$1,000,000.00' },
    { pico: -5_864_000_000n, text: '-$0.005864' },
    { pico: -1_234_567_890_000_000n, text: '-$1,234.57' },
  ])('$pico -> $text', ({ pico, text }) => {
    expect(formatUsd(pico)).toBe(text);
  });
});

describe('formatPct', () => {
  it.each([
    { part: 1n, whole: 2n, text: '50.0%' },
    { part: 1n, whole: 3n, text: '33.3%' },
    { part: 2n, whole: 3n, text: '66.7%' },
    { part: 1n, whole: 8n, text: '12.5%' },
    { part: 1n, whole: 16n, text: '6.3%' }, // 6.25 -> 6.3
    { part: 1n, whole: 1600n, text: '0.1%' }, // 0.0625 -> 0.1
    { part: 1n, whole: 2001n, text: '0.0%' }, // 0.04998 -> 0.0
    { part: 1n, whole: 2000n, text: '0.1%' }, // 0.05 -> 0.1
    { part: -1n, whole: 16n, text: '-6.3%' },
    { part: -1n, whole: 2001n, text: '0.0%' },
    { part: 0n, whole: 5n, text: '0.0%' },
    { part: 5n, whole: 5n, text: '100.0%' },
    { part: 3n, whole: 2n, text: '150.0%' },
    { part: 139_200_000_000n, whole: 276_400_000_000n, text: '50.4%' },
    { part: 1n, whole: 0n, text: UNKNOWN },
    { part: undefined, whole: 5n, text: UNKNOWN },
    { part: 5n, whole: undefined, text: UNKNOWN },
  ])('$part / $whole = $text', ({ part, whole, text }) => {
    expect(formatPct(part, whole)).toBe(text);
  });

  it('pctNumber is the unrounded percentage, null when unknown', () => {
    expect(pctNumber(1n, 8n)).toBe(12.5);
    expect(pctNumber(1n, 0n)).toBeNull();
    expect(pctNumber(undefined, 1n)).toBeNull();
  });
});

describe('picoToUsd is the nearest double to the exact decimal', () => {
  it.each([
    { pico: 0n, usd: 0 },
    { pico: 5_864_000_000n, usd: 0.005864 },
    { pico: 1_125_750_000n, usd: 0.00112575 },
    { pico: 3n, usd: 3e-12 },
    { pico: -7n * USD, usd: -7 },
    { pico: 123_456_789_012_345_678n, usd: 123456.789012345678 },
  ])('$pico -> $usd', ({ pico, usd }) => {
    expect(picoToUsd(pico)).toBe(usd);
  });

  it('on random amounts below and above 2^53 picodollars', () => {
    const r = rng(2);
    for (let i = 0; i < 5000; i++) {
      const small = BigInt(Math.floor(r() * Number.MAX_SAFE_INTEGER));
      const big = small * 1_000_003n + BigInt(Math.floor(r() * 1e6));
      for (const pico of [small, -small, big, -big]) {
        expect(picoToUsd(pico), String(pico)).toBe(Number(picoToDecimal(pico, 12)));
      }
    }
  });
});

describe('usdToPico parses exactly', () => {
  it.each([
    { text: '5', pico: 5n * USD },
    { text: '0.25', pico: USD / 4n },
    { text: '$1,000.50', pico: 1000n * USD + USD / 2n },
    { text: ' 0.000000000001 ', pico: 1n },
    { text: '5.', pico: 5n * USD },
    { text: '0.1', pico: 100_000_000_000n },
    { text: '0.0000000000001', pico: undefined },
    { text: '-5', pico: undefined },
    { text: '1e3', pico: undefined },
    { text: '.5', pico: undefined },
    { text: '', pico: undefined },
    { text: 'five', pico: undefined },
  ])('"$text" -> $pico', ({ text, pico }) => {
    expect(usdToPico(text)).toBe(pico);
  });

  it('round-trips with picoToDecimal', () => {
    const r = rng(3);
    for (let i = 0; i < 1000; i++) {
      const pico = BigInt(Math.floor(r() * 1e15)) * 1000n + BigInt(Math.floor(r() * 1000));
      expect(usdToPico(picoToDecimal(pico, 12))).toBe(pico);
    }
  });
});

describe('formatInt', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
  ])('%d -> %s', (n, text) => {
    expect(formatInt(n)).toBe(text);
  });
});

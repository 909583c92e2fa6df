import { describe, expect, it } from 'vitest';
import { unsupportedOptions } from '../../../src/core/policy/options.js';
import { costOf, flatRate } from '../../../src/core/money/pricing.js';

describe('unsupportedOptions', () => {
  it('names the options set that the API does not accept, in the order given', () => {
    expect(unsupportedOptions('messages', { seed: 1, temperature: 0, reasoning_effort: 'low' })).toEqual(['seed', 'reasoning_effort']);
    expect(unsupportedOptions('responses', { top_k: 5, stop: ['x'], top_p: 1 })).toEqual(['top_k', 'stop']);
    expect(unsupportedOptions('chat', { top_k: 5 })).toEqual(['top_k']);
  });

  it('accepts what the API takes, and ignores options left unset', () => {
    expect(unsupportedOptions('chat', { temperature: 0.5, seed: 3, stop: ['END'], service_tier: 'flex', top_k: undefined })).toEqual([]);
    expect(unsupportedOptions('messages', {})).toEqual([]);
  });
});

describe('reasoning tokens', () => {
  it('are inside output and never billed twice', () => {
    const rates = { input: flatRate(1, 'input'), output: flatRate(10, 'output') };
    const usage = { input: 1000, output: 500, cacheRead: 0, cacheWrite: 0 };
    expect(costOf({ ...usage, reasoning: 400 }, rates)).toBe(costOf(usage, rates));
  });
});

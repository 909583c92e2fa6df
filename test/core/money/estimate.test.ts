import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/core/routing/classify.js';
import { assumedOutput, DEFAULT_OUTPUT_TOKENS, estimateRecord } from '../../../src/core/money/estimate.js';
import { estimateCounter } from '../../../src/core/routing/tokens.js';
import { localPolicy, userPrompt } from '../../support.js';

describe('assumedOutput: the output-token assumption and where it came from', () => {
  it.each([
    { name: 'nothing given: the default', flag: undefined, maxTokens: undefined, want: { tokens: 256, source: 'default' } },
    { name: "the record's max_tokens", flag: undefined, maxTokens: 1500, want: { tokens: 1500, source: 'max_tokens' } },
    { name: 'the flag', flag: 500, maxTokens: undefined, want: { tokens: 500, source: 'flag' } },
    { name: "the flag, under the record's max_tokens", flag: 500, maxTokens: 1500, want: { tokens: 500, source: 'flag' } },
    { name: "the flag, capped by the record's max_tokens", flag: 500, maxTokens: 200, want: { tokens: 200, source: 'max_tokens' } },
    { name: 'the flag equal to max_tokens', flag: 200, maxTokens: 200, want: { tokens: 200, source: 'flag' } },
    { name: 'the flag at zero', flag: 0, maxTokens: 200, want: { tokens: 0, source: 'flag' } },
  ])('$name', ({ flag, maxTokens, want }) => {
    expect(assumedOutput(userPrompt('x', {}, { maxTokens }), { tokens: flag })).toEqual(want);
  });

  it('the default is 256', () => {
    expect(DEFAULT_OUTPUT_TOKENS).toBe(256);
  });
});

describe('estimateRecord', () => {
  const policy = localPolicy();
  const decision = (route: string, promptTokens?: number): Decision => ({ class: null, route, reason: 'r', promptTokens });

  it('prices the route and the baseline on the same usage, exactly', () => {
    const r = estimateRecord(policy, userPrompt('hi', {}, { maxTokens: 200, id: 'a' }), decision('balanced', 301), estimateCounter, {});
    expect(r).toMatchObject({
      id: 'a',
      route: 'balanced',
      provider: 'openai',
      model: 'gpt-5.4-mini',
      estimated: true,
      outputTokensSource: 'max_tokens',
      usage: { input: 301, output: 200, cacheRead: 0, cacheWrite: 0 },
    });
    // gpt-5.4-mini: 301 * $0.75/M + 200 * $4.5/M; claude-opus-5-5: 301 * $4/M + 200 * $20/M
    expect(r.cost).toBe(301n * 750_000n + 200n * 4_500_000n);
    expect(r.baselineCost).toBe(301n * 4_000_000n + 200n * 20_000_000n);
  });

  it('counts the input itself when the rules did not need to', () => {
    const r = estimateRecord(policy, userPrompt('Who wrote Dune?', {}, { system: 'Be brief.' }), decision('local'), estimateCounter, { tokens: 10 });
    expect(r.usage).toEqual({ input: estimateCounter.count('Be brief.\nWho wrote Dune?'), output: 10, cacheRead: 0, cacheWrite: 0 });
    expect(r.usage.input).toBe(7);
    expect([r.cost, r.baselineCost]).toEqual([0n, 7n * 4_000_000n + 10n * 20_000_000n]);
    expect(r.outputTokensSource).toBe('flag');
  });
});

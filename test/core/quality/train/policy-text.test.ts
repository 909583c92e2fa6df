import { describe, expect, it } from 'vitest';
import { betterThanChance } from '../../../../src/core/quality/train/cross-validate.js';
import type { Outcome } from '../../../../src/core/quality/train/curve.js';
import { learnedPolicyText } from '../../../../src/core/quality/train/policy-text.js';
import { parsePolicy } from '../../../../src/core/policy/parse.js';
import { NOW } from '../../../support.js';

const SOURCE = `# mine
baseline: strong
default: strong
models:
  strong: { provider: anthropic, model: claude-opus-5-5, price: { input: 5, output: 25 } }
  weak: { provider: anthropic, model: claude-haiku-4-5, price: { input: 0.25, output: 1.25 } }
classes:
  - { name: short, when: { max_prompt_tokens: 5 }, route: weak }
cascades:
  learned: { try: [weak, strong], accept: { finish_reason: stop } }
`;

describe('the learned policy text', () => {
  it('keeps the models, drops the classes, adds a cascade under a free name as the default, with the comment on top', () => {
    const text = learnedPolicyText(SOURCE, { kind: 'cascade', cheap: 'weak', strong: 'strong', scorerFile: 'l.scorer.json', threshold: 0.42, comment: 'Learned by frugal train\nfigures' });
    expect(text.startsWith('# Learned by frugal train\n# figures\n')).toBe(true);
    expect(text).not.toContain('classes');
    expect(text).toContain('default: learned_2');
    expect(text).toContain('  learned: { try: [ weak, strong ], accept: { finish_reason: stop } }');
    const snapshot = parsePolicy(text.replace(/score:\n\s+file: l.scorer.json\n\s+threshold: 0.42/, 'finish_reason: stop'), 'l.yaml', { now: NOW });
    expect(snapshot.default).toBe('learned_2');
    expect(snapshot.cascades.get('learned_2')!.try).toEqual(['weak', 'strong']);
  });
});

describe('better than chance', () => {
  const outcomes: Outcome[] = Array.from({ length: 100 }, (_, i) => ({ cheapOk: i % 2 === 0, strongOk: true, cheapCost: 1, strongCost: 10 }));
  it('keeping only right answers is; keeping as many wrong as a random pick is not; keeping nothing is not', () => {
    expect(betterThanChance(outcomes, outcomes.map((o, i) => o.cheapOk && i < 40))).toBe(true);
    expect(betterThanChance(outcomes, outcomes.map((_, i) => i < 40))).toBe(false);
    expect(betterThanChance(outcomes, outcomes.map(() => false))).toBe(false);
  });
});

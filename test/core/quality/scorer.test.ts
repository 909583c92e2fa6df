import { describe, expect, it } from 'vitest';
import { parseScorer, ScorerFileError } from '../../../src/core/quality/scorer.js';
import { SCORER } from '../../fixtures/scorer.js';
import { userPrompt } from '../../support.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('frugal-scorer-1 files', () => {
  const s = parseScorer(SCORER);
  const p = userPrompt('Sam has 3 bags of 4 apples. How many?');

  it('scores a logistic model over its features', () => {
    const answer = '3 * 4 = 12\n#### 12';
    expect(s.score(p, answer)).toBeCloseTo(sigmoid(-1 + 2.5 + 0.1 * Math.log1p(7)), 12);
    expect(s.score(p, '3 * 4 = 13\n#### 13')).toBeCloseTo(sigmoid(-1 + 2.5 - 4 + 0.1 * Math.log1p(7)), 12);
    expect([s.kind, s.threshold]).toEqual(['cascade', 0.7]);
  });

  it('a prompt scorer looks at the prompt only', () => {
    const ps = parseScorer({
      ...SCORER,
      kind: 'prompt',
      features: { long: { kind: 'length', of: 'prompt', unit: 'chars' }, money: { kind: 'regex', of: 'prompt', pattern: '\\$' } },
      model: { type: 'logistic', bias: 0, weights: { long: -0.01, money: -1 } },
    });
    expect(ps.score(p)).toBeCloseTo(sigmoid(-0.01 * p.messages[0]!.content.length), 12);
  });

  it.each([
    { name: 'another format', file: { ...SCORER, format: 'frugal-scorer-2' }, message: /not a frugal-scorer-1 file: format: / },
    { name: 'a weight without its feature', file: { ...SCORER, model: { ...SCORER.model, weights: { nope: 1 } } }, message: /model.weights.nope: no feature of that name/ },
    { name: 'an unknown feature kind', file: { ...SCORER, features: { x: { kind: 'magic' } } }, message: /not a frugal-scorer-1 file: features.x.kind/ },
    { name: 'a prompt scorer looking at the answer', file: { ...SCORER, kind: 'prompt' }, message: /features.final: a prompt scorer cannot look at the answer/ },
    { name: 'a pattern RE2 cannot run', file: { ...SCORER, features: { ...SCORER.features, final: { kind: 'regex', of: 'answer', pattern: '(?=x)' } } }, message: /features.final.pattern: invalid or unsupported Perl syntax/ },
    { name: 'a threshold above 1', file: { ...SCORER, threshold: 2 }, message: /threshold/ },
  ])('rejects $name', ({ file, message }) => {
    expect(() => parseScorer(file)).toThrow(ScorerFileError);
    expect(() => parseScorer(file)).toThrow(message);
  });
});

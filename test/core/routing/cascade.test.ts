import { describe, expect, it } from 'vitest';
import { decideCascade, type Cascade, type StepAnswer } from '../../../src/core/routing/cascade.js';
import { compileCheck, NO_FILES } from '../../../src/core/routing/checks/compile.js';
import type { CheckInput } from '../../../src/core/routing/checks/schema.js';
import { estimateCounter } from '../../../src/core/routing/tokens.js';
import { userPrompt } from '../../support.js';

const cascade = (steps: string[], accept: CheckInput): Cascade => ({
  name: 'careful',
  try: steps,
  accept: compileCheck(accept, ['cascades', 'careful', 'accept'], { models: ['nano', 'quick', 'flagship'], files: NO_FILES }),
});
const ACCEPT: CheckInput = { all: [{ finish_reason: 'stop' }, { regex: '####' }, { check: 'arithmetic' }] };
const prompt = userPrompt('How many apples?');
const count = (t: string) => estimateCounter.count(t);
const ok = (text: string): StepAnswer => ({ answer: { text, finishReason: 'stop' } });

describe('decideCascade', () => {
  const two = cascade(['quick', 'flagship'], ACCEPT);

  it('starts with the first model', () => {
    expect(decideCascade(two, prompt, [], count)).toEqual({ next: { kind: 'call', step: 0, model: 'quick' }, steps: [], escalated: false });
  });

  it('keeps an accepted first answer, with the checks that passed', () => {
    const d = decideCascade(two, prompt, [ok('3 * 4 = 12\n#### 12')], count);
    expect(d.next).toEqual({ kind: 'keep', step: 0, model: 'quick' });
    expect(d.escalated).toBe(false);
    expect(d.steps[0]!.status).toBe('accepted');
    expect(d.steps[0]!.checks.map((c) => [c.kind, c.ok])).toEqual([['finish_reason', true], ['regex', true], ['arithmetic', true]]);
  });

  it('escalates on a failed check, naming it, and keeps the last answer unchecked', () => {
    const first = ok('3 * 4 = 13\n#### 13');
    const d = decideCascade(two, prompt, [first], count);
    expect(d.next).toEqual({ kind: 'call', step: 1, model: 'flagship' });
    expect(d.escalated).toBe(true);
    expect(d.failedCheck).toEqual({ id: 'cascades.careful.accept.all[2].check', kind: 'arithmetic', ok: false, why: '3 * 4 = 13 is wrong: it makes 12' });
    const done = decideCascade(two, prompt, [first, ok('no hashes at all')], count);
    expect(done.next).toEqual({ kind: 'keep', step: 1, model: 'flagship' });
    expect(done.steps.map((s) => s.status)).toEqual(['rejected', 'last']);
    expect(done.failedCheck?.kind).toBe('arithmetic');
  });

  it('a failed call escalates too; when the last fails the prompt fails', () => {
    expect(decideCascade(two, prompt, [{ failed: true }], count).next).toEqual({ kind: 'call', step: 1, model: 'flagship' });
    const d = decideCascade(two, prompt, [{ failed: true }, { failed: true }], count);
    expect(d.next).toEqual({ kind: 'fail', step: 1 });
    expect(d.steps.map((s) => s.status)).toEqual(['failed', 'failed']);
  });

  it('walks three steps; each middle step is checked', () => {
    const three = cascade(['nano', 'quick', 'flagship'], ACCEPT);
    const d = decideCascade(three, prompt, [ok('#### 12'), ok('cut off')], count);
    // "#### 12" states no calculation and passes; the middle step is never reached.
    expect(d.next).toEqual({ kind: 'keep', step: 0, model: 'nano' });
    const e = decideCascade(three, prompt, [ok('no answer'), ok('2 + 2 = 4\n#### 4')], count);
    expect(e.next).toEqual({ kind: 'keep', step: 1, model: 'quick' });
    expect(e.steps.map((s) => s.status)).toEqual(['rejected', 'accepted']);
  });

  it('asks for judge calls, then decides with their answers', () => {
    const judged = cascade(['quick', 'flagship'], { all: [{ finish_reason: 'stop' }, { judge: { model: 'flagship' } }] });
    const d = decideCascade(judged, prompt, [ok('#### 12')], count);
    expect(d.next.kind).toBe('judge');
    expect(d.next.kind === 'judge' && d.next.requests.map((r) => [r.checkId, r.model])).toEqual([['cascades.careful.accept.all[1].judge', 'flagship']]);
    expect(d.steps[0]!.status).toBe('pending');
    const yes = decideCascade(judged, prompt, [{ ...ok('#### 12'), judged: new Map([['cascades.careful.accept.all[1].judge', 'yes']]) }], count);
    expect(yes.next).toEqual({ kind: 'keep', step: 0, model: 'quick' });
    const no = decideCascade(judged, prompt, [{ ...ok('#### 12'), judged: new Map([['cascades.careful.accept.all[1].judge', 'no']]) }], count);
    expect(no.next).toEqual({ kind: 'call', step: 1, model: 'flagship' });
    expect(no.failedCheck?.kind).toBe('judge');
  });

  it('reads only as many logged answers as a live run would have asked for', () => {
    const logged = [ok('3 * 4 = 12\n#### 12'), ok('#### 12')];
    const d = decideCascade(two, prompt, logged, count);
    expect(d.next).toEqual({ kind: 'keep', step: 0, model: 'quick' });
    expect(d.steps).toHaveLength(1);
  });
});

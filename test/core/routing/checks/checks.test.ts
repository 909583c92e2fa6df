import { describe, expect, it } from 'vitest';
import { CheckCompileError, compileCheck, type PolicyFiles } from '../../../../src/core/routing/checks/compile.js';
import { compileJsonSchema } from '../../../../src/core/routing/checks/json-schema.js';
import { parseScorer } from '../../../../src/core/quality/scorer.js';
import { describeCheck, evaluateCheck } from '../../../../src/core/routing/checks/evaluate.js';
import { judgeRequest } from '../../../../src/core/routing/checks/judge.js';
import type { CheckInput } from '../../../../src/core/routing/checks/schema.js';
import type { Answer, CheckOf } from '../../../../src/core/routing/checks/types.js';
import { estimateCounter } from '../../../../src/core/routing/tokens.js';
import { userPrompt } from '../../../support.js';
import { SCORER } from '../../../fixtures/scorer.js';

const FILES: Record<string, unknown> = {
  'answer.json': { type: 'object', required: ['total'], properties: { total: { type: 'integer', minimum: 0 } } },
  'scorer.json': SCORER,
  'bad-schema.json': { type: 'no-such-type' },
};
const files: PolicyFiles = { read: (name) => (name in FILES ? { ok: true, json: FILES[name] } : { ok: false, message: 'no such file' }), compileSchema: compileJsonSchema, parseScorer };
const env = { models: ['quick', 'flagship'], files };

const compile = (input: CheckInput) => compileCheck(input, ['cascades', 'c', 'accept'], env);
const prompt = userPrompt('Sam has 3 bags of 4 apples. How many apples?');
const run = (input: CheckInput, answer: Answer | string, judged: Record<string, string> = {}) =>
  evaluateCheck(compile(input), { prompt, answer: typeof answer === 'string' ? { text: answer, finishReason: 'stop' } : answer, countTokens: (t) => estimateCounter.count(t) }, { judged: (id) => judged[id] });

describe('each check kind', () => {
  it.each<{ name: string; check: CheckInput; answer: Answer | string; ok: boolean; why?: string }>([
    { name: 'regex matches', check: { regex: '####\\s*-?[0-9]' }, answer: 'so\n#### 12', ok: true, why: 'regex ####\\s*-?[0-9] matched "#### 1"' },
    { name: 'regex does not match', check: { regex: '####' }, answer: 'twelve', ok: false, why: 'regex #### did not match' },
    { name: 'regex with flags', check: { regex: '/^answer:/im' }, answer: 'so\nANSWER: 12', ok: true },
    { name: 'contains', check: { contains: '####' }, answer: '#### 12', ok: true, why: 'contains "####"' },
    { name: 'contains, case-sensitive', check: { contains: 'Total' }, answer: 'total 12', ok: false, why: 'does not contain "Total"' },
    { name: 'min_answer_tokens from usage', check: { min_answer_tokens: 5 }, answer: { text: 'x', usage: { output: 9 } }, ok: true, why: '9 answer tokens >= 5' },
    { name: 'min_answer_tokens counted', check: { min_answer_tokens: 5 }, answer: 'ok', ok: false, why: '1 answer tokens < 5' },
    { name: 'max_answer_tokens', check: { max_answer_tokens: 100 }, answer: { text: 'x', usage: { output: 300 } }, ok: false, why: '300 answer tokens > 100' },
    { name: 'finish_reason stop', check: { finish_reason: 'stop' }, answer: { text: 'x', finishReason: 'stop' }, ok: true },
    { name: 'finish_reason cut off', check: { finish_reason: 'stop' }, answer: { text: 'x', finishReason: 'length' }, ok: false, why: 'finish reason length, not stop' },
    { name: 'finish_reason not reported', check: { finish_reason: ['stop', 'tool_use'] }, answer: { text: 'x' }, ok: false, why: 'finish reason not reported, not stop or tool_use' },
    { name: 'refusal: false on an answer', check: { refusal: false }, answer: 'There are 12 apples.', ok: true, why: 'the answer does not decline' },
    { name: 'refusal: false on a refusal', check: { refusal: false }, answer: "I'm sorry, but I can't help with that.", ok: false, why: 'the answer declines' },
    { name: 'refusal: false on another refusal', check: { refusal: false }, answer: 'I cannot assist with this request.', ok: false },
    { name: 'refusal reported by the API', check: { check: 'not_refusal' }, answer: { text: '', finishReason: 'refusal' }, ok: false },
    { name: 'refusal: true', check: { refusal: true }, answer: 'I will not do that.', ok: true },
    { name: '"sorry" alone is not a refusal', check: { refusal: false }, answer: 'Sorry for the wait: there are 12 apples.', ok: true },
    { name: 'json', check: { json: true }, answer: '{"total": 12}', ok: true, why: 'parses as JSON' },
    { name: 'json in a code fence', check: { check: 'json' }, answer: '```json\n{"total": 12}\n```', ok: true },
    { name: 'json, not JSON', check: { json: true }, answer: 'total: 12', ok: false },
    { name: 'json_schema valid', check: { json_schema: 'answer.json' }, answer: '{"total": 12}', ok: true, why: 'valid against answer.json' },
    { name: 'json_schema invalid', check: { json_schema: 'answer.json' }, answer: '{"total": -1}', ok: false, why: 'not valid against answer.json: /total must be >= 0' },
    { name: 'json_schema missing key', check: { json_schema: 'answer.json' }, answer: '{}', ok: false, why: "not valid against answer.json: (the answer) must have required property 'total'" },
    { name: 'number', check: { number: true }, answer: 'There are 12.5 apples', ok: false, why: 'does not end in a number' },
    { name: 'number at the end', check: { check: 'number' }, answer: 'The answer is $1,234.50.', ok: true, why: 'ends in $1,234.50' },
    { name: 'number in bold', check: { number: true }, answer: '#### **-7**', ok: true, why: 'ends in -7' },
    { name: 'number after a long run of digits', check: { number: true }, answer: `${'1'.repeat(100000)}x`, ok: false, why: 'does not end in a number' },
    { name: 'integer', check: { number: { integer: true } }, answer: '#### 1,200', ok: true, why: 'ends in 1,200' },
    { name: 'integer, not whole', check: { check: 'integer' }, answer: '#### 12.5', ok: false, why: 'ends in 12.5, not a whole number' },
    { name: 'arithmetic right', check: { arithmetic: true }, answer: '3 * 4 = 12 apples.\n#### 12', ok: true, why: '1 calculation right' },
    { name: 'arithmetic wrong', check: { check: 'arithmetic' }, answer: '3 * 4 = 13 apples.\n#### 13', ok: false, why: '3 * 4 = 13 is wrong: it makes 12' },
    { name: 'arithmetic with none stated', check: { arithmetic: true }, answer: '#### 12', ok: true, why: 'states no calculation' },
    { name: 'score above the threshold', check: { score: { file: 'scorer.json' } }, answer: '3 * 4 = 12\n#### 12', ok: true },
    { name: 'score under a threshold of its own', check: { score: { file: 'scorer.json', threshold: 0.99 } }, answer: '3 * 4 = 12\n#### 12', ok: false },
    { name: 'score of a wrong answer', check: { score: { file: 'scorer.json' } }, answer: '3 * 4 = 13\n#### 13', ok: false },
  ])('$name', ({ check, answer, ok, why }) => {
    const e = run(check, answer);
    expect(e.ok).toBe(ok);
    expect(e.needs).toEqual([]);
    if (why !== undefined) expect(e.results[0]!.why).toBe(why);
  });
});

describe('all, any, not and several keys', () => {
  const good = '3 * 4 = 12\n#### 12';
  it('several keys in one mapping mean all of them', () => {
    const c = compile({ finish_reason: 'stop', regex: '####', arithmetic: true });
    expect(c.kind).toBe('all');
    expect(run({ finish_reason: 'stop', regex: '####', arithmetic: true }, good).ok).toBe(true);
    expect(run({ finish_reason: 'stop', regex: '####', arithmetic: true }, { text: good, finishReason: 'length' }).ok).toBe(false);
  });

  it('all stops at the first failure; the results say which checks ran and which failed', () => {
    const e = run({ all: [{ finish_reason: 'stop' }, { regex: '####' }, { check: 'arithmetic' }] }, 'so 3 * 4 = 13');
    expect(e.ok).toBe(false);
    expect(e.results.map((r) => [r.id, r.ok])).toEqual([
      ['cascades.c.accept.all[0].finish_reason', true],
      ['cascades.c.accept.all[1].regex', false],
    ]);
  });

  it('any stops at the first success', () => {
    const e = run({ any: [{ contains: 'total' }, { regex: '####' }, { check: 'arithmetic' }] }, good);
    expect([e.ok, e.results.length]).toEqual([true, 2]);
  });

  it('not inverts', () => {
    expect(run({ not: { contains: 'I think' } }, good).ok).toBe(true);
    expect(run({ not: { contains: 'I think' } }, 'I think 12').ok).toBe(false);
  });

  it('describes a tree in short form', () => {
    const c = compile({ all: [{ finish_reason: 'stop' }, { regex: '####' }, { not: { check: 'not_refusal' } }, { judge: { model: 'flagship' } }] });
    expect(describeCheck(c)).toBe('all(finish_reason stop; regex ####; not(not a refusal); judge flagship (verdict /^\\W*yes\\b/i))');
  });
});

describe('judge: a check that needs a call', () => {
  const check = { all: [{ check: 'arithmetic' as const }, { judge: { model: 'flagship', prompt: 'Q: {question}\nA: {answer}\nRight? yes/no', verdict: '/^\\s*yes/i' } }] };

  it('waits for the judge when the cheap checks leave the answer open, and says what to send', () => {
    const e = run(check, '3 * 4 = 12\n#### 12');
    expect(e.ok).toBeNull();
    expect(e.needs).toEqual([
      { checkId: 'cascades.c.accept.all[1].judge', model: 'flagship', messages: [{ role: 'user', content: 'Q: Sam has 3 bags of 4 apples. How many apples?\nA: 3 * 4 = 12\n#### 12\nRight? yes/no' }] },
    ]);
  });

  it('is not called when a cheap check already failed', () => {
    const e = run(check, '3 * 4 = 13');
    expect([e.ok, e.needs]).toEqual([false, []]);
  });

  it("reads the judge's answer with the verdict regex", () => {
    const id = 'cascades.c.accept.all[1].judge';
    expect(run(check, '3 * 4 = 12', { [id]: 'Yes, it is right.' }).ok).toBe(true);
    const no = run(check, '3 * 4 = 12', { [id]: 'No: 3 bags of 4 is 12, but...' });
    expect(no.ok).toBe(false);
    expect(no.results[1]!.why).toBe('judge flagship said "No: 3 bags of 4 is 12, but...", not /^\\s*yes/i');
  });

  it('puts the answer in the template literally, even when it contains placeholders or $ signs', () => {
    const c = compile({ judge: { model: 'quick' } }) as CheckOf<'judge'>;
    const req = judgeRequest(c, userPrompt('q {answer}'), 'costs $& and {question}');
    expect(req.messages[0]!.content).toContain('Question:\nq {answer}\n\nAnswer:\ncosts $& and {question}\n');
  });
});

describe('compile errors name the key path and a hint', () => {
  const fails = (input: CheckInput) => {
    try {
      compile(input);
    } catch (err) {
      expect(err).toBeInstanceOf(CheckCompileError);
      const e = err as CheckCompileError;
      return [e.path.join('.'), e.message, e.hint];
    }
    throw new Error('compiled');
  };

  it.each<{ name: string; input: CheckInput; want: [string, RegExp, RegExp] }>([
    { name: 'a bad regex', input: { all: [{ regex: '(unclosed' }] }, want: ['cascades.c.accept.all.0.regex', /regex does not compile: missing closing \)/, /RE2 syntax/] },
    { name: 'a backtracking construct', input: { regex: '(a)\\1' }, want: ['cascades.c.accept.regex', /invalid escape sequence/, /RE2/] },
    { name: 'a missing schema file', input: { json_schema: 'nope.json' }, want: ['cascades.c.accept.json_schema', /cannot read JSON Schema "nope.json": no such file/, /relative to the policy/] },
    { name: 'a schema that is not one', input: { json_schema: 'bad-schema.json' }, want: ['cascades.c.accept.json_schema', /bad-schema.json: not a valid JSON Schema/, /json-schema.org/] },
    { name: 'a judge naming an unknown model', input: { judge: { model: 'flagshp' } }, want: ['cascades.c.accept.judge.model', /unknown model "flagshp" \(did you mean "flagship"\?\)/, /quick, flagship/] },
    { name: 'a judge prompt without the answer', input: { judge: { model: 'quick', prompt: 'Is {question} easy?' } }, want: ['cascades.c.accept.judge.prompt', /never shows the answer/, /\{answer\}/] },
    { name: 'a bad verdict regex', input: { judge: { model: 'quick', verdict: '[' } }, want: ['cascades.c.accept.judge.verdict', /regex does not compile/, /RE2/] },
    { name: 'a missing scorer', input: { score: { file: 'no.json' } }, want: ['cascades.c.accept.score.file', /cannot read scorer "no.json"/, /relative/] },
    { name: 'a scorer that is not one', input: { score: { file: 'answer.json' } }, want: ['cascades.c.accept.score.file', /answer.json: not a frugal-scorer-1 file/, /frugal train/] },
  ])('$name', ({ input, want }) => {
    const [path, message, hint] = fails(input);
    expect(path).toBe(want[0]);
    expect(message).toMatch(want[1]);
    expect(hint).toMatch(want[2]);
  });
});

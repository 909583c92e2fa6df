import { describe, expect, it } from 'vitest';
import { extractChoice, extractJson, extractNumbers, jsonDifference, numbersEqual } from '../../../src/core/quality/grade-extract.js';
import {
  canonicalText,
  checkExpected,
  compileExpected,
  describeExpected,
  ExpectedError,
  grade,
  GRADER_NAMES,
  hasExpected,
  isGraderName,
  type GraderName,
} from '../../../src/core/quality/grade.js';

interface Case {
  answer: string;
  expected: unknown;
  correct: boolean;
  detail?: string | RegExp;
}

function table(grader: GraderName, cases: Case[]) {
  describe(`${grader} grader`, () => {
    it.each(cases)('$answer vs $expected -> $correct', ({ answer, expected, correct, detail }) => {
      const result = grade(answer, expected, grader);
      expect(result.correct).toBe(correct);
      if (correct) expect(result.detail).toBeUndefined();
      else expect(result.detail).toMatch(detail ?? /./);
    });
  });
}

table('exact', [
  { answer: 'Paris', expected: 'Paris', correct: true },
  { answer: '  paris \n', expected: 'Paris', correct: true },
  { answer: 'PARIS', expected: 'Paris', correct: true },
  { answer: 'Paris.', expected: 'Paris', correct: true },
  { answer: '**Paris**', expected: 'Paris', correct: true },
  { answer: '"Paris"', expected: 'Paris', correct: true },
  { answer: '`42`', expected: 42, correct: true },
  { answer: 'New   York\tCity', expected: 'new york city', correct: true },
  { answer: 'ﬁne', expected: 'fine', correct: true }, // NFKC folds the ligature
  { answer: 'Lyon', expected: ['Paris', 'Lyon'], correct: true },
  { answer: 'Paris, France', expected: 'Paris', correct: false, detail: /not the expected one/ },
  { answer: 'Pari', expected: 'Paris', correct: false },
  { answer: '', expected: 'Paris', correct: false },
  { answer: 'Paris?', expected: 'Paris', correct: false },
]);

table('contains', [
  { answer: 'The capital is Paris.', expected: 'paris', correct: true },
  { answer: 'THE CAPITAL IS\n  PARIS', expected: 'is paris', correct: true },
  { answer: 'It is Lyon', expected: ['Paris', 'Lyon'], correct: true },
  { answer: 'The capital is Rome.', expected: 'Paris', correct: false, detail: /does not contain/ },
  { answer: 'forty-two', expected: 42, correct: false },
  { answer: 'about 42 km', expected: 42, correct: true },
]);

table('regex', [
  { answer: 'The answer is 42', expected: '\\b42\\b', correct: true },
  { answer: '420', expected: '\\b42\\b', correct: false, detail: /no match for/ },
  { answer: 'YES', expected: '/^yes$/i', correct: true },
  { answer: 'YES', expected: '^yes$', correct: false },
  { answer: 'yes\n', expected: '^yes$', correct: true }, // trimmed
  { answer: 'no', expected: ['^yes$', '^no$'], correct: true },
  { answer: 'yes', expected: '/^yes$/gi', correct: true }, // g and y dropped
  { answer: 'a/b', expected: 'a/b', correct: true }, // not slashed: literal pattern
]);

describe('regex grader is stateless across answers', () => {
  it('a /g pattern matches the same answer twice', () => {
    const compiled = compileExpected('/yes/g', 'regex');
    if (!compiled.ok) throw new Error(compiled.message);
    expect([compiled.grade('yes').correct, compiled.grade('yes').correct]).toEqual([true, true]);
  });
});

table('number', [
  { answer: '42', expected: 42, correct: true },
  { answer: 'The answer is 42.', expected: 42, correct: true },
  { answer: 'approximately 42.', expected: '42', correct: true },
  { answer: 'It costs $1,234.50', expected: 1234.5, correct: true },
  { answer: 'It costs $1,234.50', expected: '$1,234.5', correct: true },
  { answer: 'It costs $1,234.50', expected: 1234, correct: false, detail: 'last number is 1234.5, expected 1234' },
  { answer: '-3', expected: -3, correct: true },
  { answer: 'x = −3', expected: -3, correct: true }, // unicode minus
  { answer: 'the loss was -$3', expected: -3, correct: true },
  { answer: 'The result is -3', expected: 3, correct: false },
  { answer: 'from 10 to 20', expected: 20, correct: true },
  { answer: 'from 10 to 20', expected: 10, correct: false, detail: 'last number is 20, expected 10' },
  { answer: '10-20', expected: 20, correct: true }, // a range, not minus 20
  { answer: '1.5e3', expected: 1500, correct: true },
  { answer: '12%', expected: 12, correct: true },
  { answer: 'about 3 km', expected: 3, correct: true },
  { answer: '3km', expected: 3, correct: true },
  { answer: 'No idea.', expected: 3, correct: false, detail: 'no number in the answer' },
  { answer: 'Step 1: add. Step 2: the total is 7', expected: 7, correct: true },
  { answer: 'The total is 7 (see COVID-19)', expected: 7, correct: true },
  { answer: 'The total is 7, per section A2', expected: 7, correct: true },
  { answer: '0.30000000000000004', expected: 0.3, correct: true }, // relative tolerance
  { answer: '0.3001', expected: 0.3, correct: false },
  { answer: '0', expected: 0, correct: true },
  { answer: '-0', expected: 0, correct: true },
  { answer: '1,000,000', expected: 1e6, correct: true },
  { answer: '8', expected: [7, 8], correct: true },
]);

describe('extractNumbers', () => {
  it.each([
    { text: '$1,234.50', numbers: [1234.5] },
    { text: '-3 and +4', numbers: [-3, 4] },
    { text: '−3', numbers: [-3] },
    { text: '1.5e3 or 2E-2', numbers: [1500, 0.02] },
    { text: 'from 10 to 20', numbers: [10, 20] },
    { text: '10-20', numbers: [10, 20] },
    { text: '2024-01-15', numbers: [2024, 1, 15] },
    { text: 'abc123 gpt4 H2O COVID-19', numbers: [] },
    { text: 'version 1.2.3', numbers: [1.2] },
    { text: '1,2,3', numbers: [1, 2, 3] },
    { text: '1,2345', numbers: [1, 2345] }, // not a thousands group
    { text: '12,34', numbers: [12, 34] }, // decimal commas are not read
    { text: '1\u202F234\u202F567 €', numbers: [1234567] },
    { text: '.5 and 0.25', numbers: [0.5, 0.25] },
    { text: 'approximately 42.', numbers: [42] },
    { text: '3em 4th', numbers: [3, 4] },
    { text: '€5 £6 ¥7 ₹8', numbers: [5, 6, 7, 8] },
    { text: '1e999', numbers: [] }, // not finite
    { text: 'no numbers', numbers: [] },
  ])('$text', ({ text, numbers }) => {
    expect(extractNumbers(text)).toEqual(numbers);
  });
});

describe('numbersEqual', () => {
  it.each([
    { a: 1, b: 1, equal: true },
    { a: 0.1 + 0.2, b: 0.3, equal: true },
    { a: 1e12, b: 1e12 + 1, equal: true },
    { a: 1e12, b: 1e12 + 10_000, equal: false },
    { a: 0, b: 1e-300, equal: false },
    { a: -1, b: 1, equal: false },
  ])('$a ~ $b = $equal', ({ a, b, equal }) => {
    expect(numbersEqual(a, b)).toBe(equal);
  });
});

table('json', [
  { answer: '{"a": 1, "b": [1, 2]}', expected: { b: [1, 2], a: 1 }, correct: true },
  { answer: '{"b": [1, 2], "a": 1}', expected: '{"a":1,"b":[1,2]}', correct: true },
  { answer: 'Here you go:\n```json\n{"a": 1}\n```\nAnything else?', expected: { a: 1 }, correct: true },
  { answer: '```\n[1, 2]\n```', expected: [1, 2], correct: true },
  { answer: 'The result is {"a": {"b": "}"}} as asked.', expected: { a: { b: '}' } }, correct: true },
  { answer: 'Sure! [1, 2, 3]', expected: [1, 2, 3], correct: true },
  { answer: '{"a": 1}', expected: undefined, correct: true },
  { answer: '{"a": 1}', expected: null, correct: true },
  { answer: '42', expected: 42, correct: true },
  { answer: '"yes"', expected: '"yes"', correct: true },
  { answer: '{"a": 1, "b": 2}', expected: { a: 1 }, correct: false, detail: 'JSON differs: $: unexpected key "b"' },
  { answer: '{"a": 2}', expected: { a: 1 }, correct: false, detail: 'JSON differs: $.a: 2 ≠ 1' },
  { answer: '[2, 1]', expected: [1, 2], correct: false, detail: 'JSON differs: $[0]: 2 ≠ 1' },
  { answer: '{"a": 1,}', expected: undefined, correct: false, detail: /^the answer is not valid JSON: / },
  { answer: "{'a': 1}", expected: { a: 1 }, correct: false, detail: /not valid JSON/ },
  { answer: '{"a": 1', expected: undefined, correct: false, detail: /not valid JSON/ },
  { answer: '```json\n{"a": 1,,}\n```', expected: { a: 1 }, correct: false, detail: /^the fenced block is not valid JSON/ },
  { answer: 'I cannot do that.', expected: undefined, correct: false, detail: 'no JSON in the answer' },
  { answer: '   ', expected: undefined, correct: false, detail: 'the answer is empty' },
]);

describe('jsonDifference', () => {
  it.each([
    { actual: { a: 1, b: { c: [1, { d: true }] } }, expected: { b: { c: [1, { d: true }] }, a: 1 }, diff: null },
    { actual: { a: 1 }, expected: { a: 1, b: 2 }, diff: '$: missing key "b"' },
    { actual: [1], expected: [1, 2], diff: '$: 1 items, expected 2' },
    { actual: { a: [] }, expected: { a: {} }, diff: '$.a: expected an object' },
    { actual: { a: {} }, expected: { a: [] }, diff: '$.a: expected an array' },
    { actual: { a: [0, { b: 'x' }] }, expected: { a: [0, { b: 'y' }] }, diff: '$.a[1].b: "x" ≠ "y"' },
    { actual: 1, expected: '1', diff: '$: 1 ≠ "1"' },
    { actual: null, expected: null, diff: null },
  ])('$diff', ({ actual, expected, diff }) => {
    expect(jsonDifference(actual, expected)).toBe(diff);
  });
});

describe('extractJson', () => {
  it.each([
    { answer: 'true', value: true },
    { answer: 'text [not json] then {"ok": 1}', value: { ok: 1 } },
    { answer: '```JSON\n{"x": "```"}\n```', value: { x: '```' } },
    { answer: 'a ```py\nprint(1)\n``` and ```json\n[1]\n```', value: [1] },
  ])('$answer', ({ answer, value }) => {
    expect(extractJson(answer)).toEqual({ ok: true, value });
  });
});

table('choice', [
  { answer: 'B', expected: 'B', correct: true },
  { answer: 'b', expected: 'B', correct: true },
  { answer: '(c)', expected: 'C', correct: true },
  { answer: 'C)', expected: 'c', correct: true },
  { answer: 'Answer: D', expected: 'D', correct: true },
  { answer: 'The answer is b.', expected: 'B', correct: true },
  { answer: '**C**', expected: 'C', correct: true },
  { answer: 'Answer: **E**', expected: 'E', correct: true },
  { answer: 'The correct option is (E).', expected: 'E', correct: true },
  { answer: 'The answer is option C', expected: 'C', correct: true },
  { answer: 'A. Paris', expected: 'A', correct: true },
  { answer: 'A', expected: '(A)', correct: true },
  { answer: 'Final answer: a.', expected: 'A', correct: true },
  { answer: 'Answer: B\nOn reflection, the answer is D.', expected: 'D', correct: true },
  { answer: 'A and C look plausible, but the answer is C.', expected: 'C', correct: true },
  { answer: 'Both A and C are plausible.', expected: 'A', correct: true },
  { answer: "I'd go with B.", expected: 'B', correct: true },
  { answer: 'e.g. B', expected: 'B', correct: true },
  { answer: 'A mammal breathes air, so C.', expected: 'C', correct: true },
  { answer: 'The answer is a bit unclear, but B.', expected: 'B', correct: true },
  { answer: 'It is (d) since...', expected: 'D', correct: true },
  { answer: 'D', expected: ['B', 'D'], correct: true },
  { answer: '**Answer:** B', expected: 'B', correct: true },
  { answer: 'The answer is: (B)', expected: 'B', correct: true },
  { answer: 'The answer is B. Option A is wrong because...', expected: 'B', correct: true },
  { answer: 'Option A is wrong; the answer is B', expected: 'B', correct: true },
  { answer: 'I would answer D', expected: 'D', correct: true },
  { answer: 'B', expected: 'C', correct: false, detail: 'chose B, expected C' },
  { answer: 'Answer: B', expected: 'C', correct: false, detail: 'chose B, expected C' },
  { answer: 'None of them.', expected: 'C', correct: false, detail: 'no choice letter A-E in the answer' },
  { answer: 'F', expected: 'C', correct: false, detail: 'no choice letter A-E in the answer' },
  { answer: 'a cat is a mammal', expected: 'A', correct: false },
]);

describe('extractChoice', () => {
  it.each([
    { answer: 'Choice: c', letter: 'C' },
    { answer: 'answers vary; B', letter: 'B' },
    { answer: 'Ph.D. students pick E', letter: 'E' },
    { answer: '`B`', letter: 'B' },
    { answer: '[D]', letter: 'D' },
    { answer: 'The answer to question 2 is C', letter: 'C' },
    { answer: 'I think so', letter: null },
  ])('$answer -> $letter', ({ answer, letter }) => {
    expect(extractChoice(answer)).toBe(letter);
  });
});

describe('checkExpected', () => {
  it.each([
    { grader: 'exact', expected: 'Paris', message: undefined },
    { grader: 'exact', expected: ['Paris', 75], message: undefined },
    { grader: 'exact', expected: undefined, message: 'the exact grader needs an expected answer' },
    { grader: 'contains', expected: null, message: 'the contains grader needs an expected answer' },
    { grader: 'exact', expected: [], message: 'expected is an empty list' },
    { grader: 'exact', expected: '  ', message: 'expected: is empty' },
    { grader: 'exact', expected: { a: 1 }, message: 'expected: must be a string or a number, not an object' },
    { grader: 'contains', expected: ['a', true], message: 'expected[1]: must be a string or a number, not a boolean' },
    { grader: 'regex', expected: '/^(a/', message: /^expected: regex "\/\^\(a\/" does not compile: / },
    { grader: 'regex', expected: ['ok', '[z-a]'], message: /^expected\[1\]: regex "\[z-a\]" does not compile/ },
    { grader: 'regex', expected: '/a/q', message: /does not compile/ },
    { grader: 'number', expected: '1,234.5', message: undefined },
    { grader: 'number', expected: 'many', message: 'expected: "many" is not a number' },
    { grader: 'number', expected: '3 to 4', message: 'expected: "3 to 4" holds 2 numbers; give one' },
    { grader: 'number', expected: Number.NaN, message: 'expected: NaN is not a finite number' },
    { grader: 'number', expected: [1, {}], message: 'expected[1]: must be a number or a numeric string, not an object' },
    { grader: 'json', expected: undefined, message: undefined },
    { grader: 'json', expected: '{"a": [1]}', message: undefined },
    { grader: 'json', expected: [1, 'two'], message: undefined },
    { grader: 'json', expected: '{a: 1}', message: /^expected is not valid JSON: / },
    { grader: 'json', expected: { a: Number.POSITIVE_INFINITY }, message: 'expected is not a JSON value' },
    { grader: 'choice', expected: 'e', message: undefined },
    { grader: 'choice', expected: ['A', '(b)', 'C.'], message: undefined },
    { grader: 'choice', expected: 'F', message: 'expected: "F" is not a choice letter A-E' },
    { grader: 'choice', expected: ['A', 'AB'], message: 'expected[1]: "AB" is not a choice letter A-E' },
    { grader: 'choice', expected: 1, message: 'expected: 1 is not a choice letter A-E' },
  ] as { grader: GraderName; expected: unknown; message: string | RegExp | undefined }[])(
    '$grader: $expected',
    ({ grader, expected, message }) => {
      const got = checkExpected(expected, grader);
      if (message === undefined) expect(got).toBeUndefined();
      else expect(got).toMatch(message);
    },
  );

  it('grade() throws ExpectedError on an expected it cannot use', () => {
    expect(() => grade('x', '(', 'regex')).toThrow(ExpectedError);
  });
});

describe('helpers', () => {
  it.each([
    { name: 'exact', known: true },
    { name: 'choice', known: true },
    { name: 'Exact', known: false },
    { name: 'llm', known: false },
  ])('isGraderName($name) = $known', ({ name, known }) => {
    expect(isGraderName(name)).toBe(known);
  });

  it('GRADER_NAMES lists every grader once', () => {
    expect(new Set(GRADER_NAMES).size).toBe(6);
  });

  it.each([
    { expected: undefined, has: false },
    { expected: null, has: false },
    { expected: '', has: true },
    { expected: 0, has: true },
  ])('hasExpected($expected) = $has', ({ expected, has }) => {
    expect(hasExpected(expected)).toBe(has);
  });

  it.each([
    { text: '  **"Paris."**  ', canonical: 'paris' },
    { text: 'U.S.', canonical: 'u.s' },
    { text: 'Hello   World!', canonical: 'hello world' },
  ])('canonicalText($text) = $canonical', ({ text, canonical }) => {
    expect(canonicalText(text)).toBe(canonical);
  });

  it.each([
    { expected: 'Paris', text: 'Paris' },
    { expected: ['Paris', 75], text: 'Paris | 75' },
    { expected: { a: 1 }, text: '{"a":1}' },
    { expected: 42, text: '42' },
    { expected: undefined, text: '' },
  ])('describeExpected($expected) = $text', ({ expected, text }) => {
    expect(describeExpected(expected)).toBe(text);
  });
});

import { describe, expect, it } from 'vitest';
import { arithmeticStatements } from '../../../../src/core/routing/checks/arithmetic.js';

const verdicts = (text: string) => arithmeticStatements(text).map((s) => s.ok);

describe('arithmeticStatements: every calculation an answer states', () => {
  it.each([
    { name: 'subtraction', text: '13 - 4 = 9', want: [true] },
    { name: 'a wrong sum', text: '2 + 2 = 5', want: [false] },
    { name: 'a wrong product', text: 'So 7 * 8 = 54 in all.', want: [false] },
    { name: 'money on one side', text: '3 * $2 = $6', want: [true] },
    { name: 'money with cents', text: 'He paid 3 * $2.50 = $7.50 total.', want: [true] },
    { name: 'money, wrong', text: '4 * $2.25 = $10.00', want: [false] },
    { name: 'GSM8K annotations', text: 'She bakes <<5*12=60>>60 cookies and <<60-7=53>>53 are left', want: [true, true] },
    { name: 'a GSM8K annotation, wrong', text: '<<5/2=2.6>>', want: [false] },
    { name: 'a decimal result', text: '<<5/2=2.5>>', want: [true] },
    { name: 'thousands separators', text: '1,200 + 300 = 1,500', want: [true] },
    { name: 'thousands separators, large', text: '1,250 * 21 = 26,250 widgets', want: [true] },
    { name: 'thousands separators, wrong', text: '1,250 * 21 = 26,350', want: [false] },
    { name: 'a percentage result', text: '15/60 = 25%', want: [true] },
    { name: 'a percentage as hundredths', text: '(15/60) * 100 = 25%', want: [true] },
    { name: 'a percentage of an amount', text: '$110 * 30% = $33', want: [true] },
    { name: 'a percentage of an amount, wrong', text: '$110 * 30% = $32', want: [false] },
    { name: 'a percentage added to an amount', text: '$50 + 10% = $55', want: [true] },
    { name: 'percentages added together', text: '20% + 30% = 50%', want: [true] },
    { name: 'fractions', text: '3/4 * 20 = 15', want: [true] },
    { name: 'fractions on both sides', text: '1/2 + 1/4 = 3/4', want: [true] },
    { name: 'a fraction, wrong', text: '3/4 * 20 = 16', want: [false] },
    { name: 'rounding of the stated result', text: '1/3 = 0.33 and 10/3 = 3.3', want: [true, true] },
    { name: 'rounding too far', text: '1/3 = 0.3333 is not 1/3 = 0.34', want: [true, false] },
    { name: 'approximately equal', text: '22/7 ≈ 3.14', want: [true] },
    { name: 'a negative result', text: '5 - 8 = -3', want: [true] },
    { name: 'powers', text: '2^10 = 1024', want: [true] },
    { name: 'unicode operators', text: '6 × 7 = 42 and 42 ÷ 6 = 7 and 9 − 2 = 7', want: [true, true, true] },
    { name: 'x as a times sign', text: '3 x 4 = 12, 3x4=12, 3 x 4 = 13', want: [true, true, false] },
    { name: 'LaTeX', text: '\\(3 \\times 4 = 12\\) and \\(\\frac{3}{4} \\times 20 = 15\\)', want: [true, true] },
    { name: 'Markdown bold', text: '**5 + 3 = 8**', want: [true] },
    { name: 'a chain', text: '3 * 4 = 12 = 2 * 6', want: [true, true] },
    { name: 'a running total', text: '5 + 3 = 8 + 2 = 10', want: [true] },
    { name: 'a running total, wrong at the end', text: '5 + 3 = 8 + 2 = 11', want: [false] },
    { name: 'one per line', text: 'Step 1: 6 * 9 = 54\nStep 2: 22 + 54 = 76\n#### 76', want: [true, true] },
  ])('$name: $text', ({ text, want }) => {
    expect(verdicts(text)).toEqual(want);
  });

  it('says what each side makes', () => {
    expect(arithmeticStatements('The bags hold 6 * 9 = 55 apples.')).toEqual([{ text: '6 * 9 = 55', left: 54, right: 55, ok: false }]);
  });
});

describe('long answers', () => {
  it('are checked in about linear time', () => {
    const text = `${'Step: 12 * 3 = 36, then 36 + 4 = 40 apples and some words.\n'.repeat(2000)}${'9'.repeat(20000)}x`;
    const started = performance.now();
    const statements = arithmeticStatements(text);
    expect(statements).toHaveLength(4000);
    expect(statements.every((s) => s.ok)).toBe(true);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});

describe('text that only looks like arithmetic is not a calculation', () => {
  it.each([
    'x = 5',
    '3x = 12',
    '2x + 3 = 11',
    'Let y - 4 + 3 = 5',
    'Step 1 = done, price = $5',
    'The total = 42',
    '5 apples + 3 apples = 8 apples',
    '3/4 of the class = 15 students',
    '20% of 50 = 10',
    'version 1.2.3 = 4 and v2.0',
    'on 2023-10-05 at 10:30',
    'call 555-1234 or 1-800-555-0199',
    'a == b and a => b',
    '=====',
    '1, 2, 3 = 6',
    'f(1) + 1 = 3 and 2(3+4) = 15',
    'i = i + 1',
    'the score was 3 - 2',
    '10 / 0 = 5',
  ])('%s', (text) => {
    expect(arithmeticStatements(text)).toEqual([]);
  });
});

describe('the expression parser cannot execute code', () => {
  const g = globalThis as Record<string, unknown>;

  it.each([
    'globalThis.pwned = 1 + 1 = 2',
    'constructor.constructor("globalThis.pwned = 1")() + 1 = 2',
    '(() => { globalThis.pwned = 1 })() + 1 = 2',
    'this.pwned + 1 = 2',
    '[1].length + 1 = 2',
    'process.exit(1) + 1 = 2',
    '__proto__.pwned + 1 = 2',
    'n0 + 1 = 2',
    'eval("globalThis.pwned = 1") + 1 = 2',
    'require("child_process").execSync("touch /tmp/pwned") + 1 = 2',
  ])('%s', (text) => {
    delete g.pwned;
    // Only numbers and operators reach the parser; names, calls and members are words that end a calculation.
    for (const s of arithmeticStatements(text)) expect(s.text).toMatch(/^[\d\s.+\-*/()=$%,]+$/);
    expect(g.pwned).toBeUndefined();
    expect(({} as Record<string, unknown>).pwned).toBeUndefined();
  });
});

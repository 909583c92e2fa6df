import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { foldForPrefilter, mayMatch, regexPrefilter } from '../../../src/core/routing/regex-prefilter.js';
import { compileSafeRegex, RegexSyntaxError, validatedSafeRegex } from '../../../src/core/routing/safe-regex.js';
// A seeded generator (mulberry32), so that a failure can be replayed.
import { seeded as rng } from '../../../src/core/quality/train/cross-validate.js';

describe('regexPrefilter: the literals every match contains', () => {
  it.each([
    // The shipped routes.yaml's code class.
    ['```|\\bdef |\\bfunction\\b|stack ?trace', false, { or: [{ lit: '```' }, { lit: 'def ' }, { lit: 'function' }, { and: [{ lit: 'stack' }, { lit: 'trace' }] }] }],
    ['^refactor(ing)?$', false, { lit: 'refactor' }],
    ['(?:ab|cd)ef', false, { or: [{ lit: 'abef' }, { lit: 'cdef' }] }],
    ['a+b', false, { and: [{ lit: 'a' }, { lit: 'b' }] }],
    ['(?P<n>x{2,3})y', false, { and: [{ lit: 'x' }, { lit: 'y' }] }],
    ['\\.\\*\\[', false, { lit: '.*[' }],
    ['tab\\there', false, { lit: 'tab\there' }],
    ['a{,2}', false, { lit: 'a{,2}' }],
    ['[]x]yz', false, { lit: 'yz' }],
    ['[[:alpha:]]+end', false, { lit: 'end' }],
    ['\\d+ms', false, { lit: 'ms' }],
    ['\\p{Greek}\\pL!', false, { lit: '!' }],
    ['(?s)sql.select', false, { and: [{ lit: 'sql' }, { lit: 'select' }] }],
    ['Café', false, { lit: 'Café' }],
    ['SELECT', true, { lit: 'select' }],
    ['Café', true, { lit: 'caf' }], // a non-ASCII letter under i: not modelled, any character
    ['x\\.?y', false, { and: [{ lit: 'x' }, { lit: 'y' }] }],
  ])('%s (i: %s)', (pattern, ci, expected) => {
    expect(regexPrefilter(pattern, ci)).toEqual(expected);
  });

  it.each([
    ['a*', false],
    ['.', false],
    ['x|y*', false],
    ['(?i)abc', false], // case folding inside the pattern: not modelled
    ['\\x41bc', false],
    ['\\Qa.b\\E', false],
    ['\\101', false],
    ['😀', false],
  ])('%s (i: %s) has no condition: RE2 always decides', (pattern, ci) => {
    expect(regexPrefilter(pattern, ci)).toBeUndefined();
  });

  it('folds the text as RE2 folds case: the Kelvin sign matches k, the long s matches s', () => {
    expect(RE2JS.compile('(?i)ks').test('\u212A\u017F')).toBe(true);
    const filter = regexPrefilter('ks', true)!;
    expect(mayMatch(filter, foldForPrefilter('\u212A\u017F'))).toBe(true);
    expect(mayMatch(filter, foldForPrefilter('KS'))).toBe(true);
    expect(mayMatch(filter, foldForPrefilter('k s'))).toBe(false);
  });
});

const ATOMS = ['a', 'b', 'c', 'A', 'K', 's', 'ſ', '\u212A', ' ', '.', '\\.', '\\b', '\\B', '^', '$', '\\d', '\\w', '\\s', '[ab]', '[^a]', '[]a]', '[[:upper:]]', '\\pL', 'é', '{', '}', ']', '-', '\\n', '\\t', '\\*'];
const QUANTIFIERS = ['', '', '', '*', '+', '?', '{2}', '{1,}', '{0,2}', '+?', '*?', '{1,2}?'];

function pattern(next: () => number, depth = 0): string {
  const pick = <T,>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const pieces: string[] = [];
  const n = 1 + Math.floor(next() * 4);
  for (let i = 0; i < n; i++) {
    let atom = pick(ATOMS);
    if (depth < 2 && next() < 0.2) atom = `${pick(['(', '(?:', '(?P<g>', '(?s:', '(?m)('])}${pattern(next, depth + 1)}${next() < 0.4 ? `|${pattern(next, depth + 1)}` : ''})`;
    pieces.push(atom + pick(QUANTIFIERS));
  }
  return next() < 0.15 ? `${pieces.join('')}|${pattern(next, depth + 1)}` : pieces.join('');
}

function text(next: () => number): string {
  const chars = ['a', 'b', 'c', 'A', 'B', 'k', 'K', 's', 'S', 'ſ', '\u212A', ' ', '.', '\n', '\t', '1', 'é', 'É', '{', '}', ']', '-', '*', '\uFFFD', '\uD800'];
  let s = '';
  const n = Math.floor(next() * 12);
  for (let i = 0; i < n; i++) s += chars[Math.floor(next() * chars.length)];
  return s;
}

describe('SafeRegex answers exactly as RE2 does', () => {
  it('on thousands of generated patterns and texts, with and without the i flag (the prefilter never rules out a match)', () => {
    const next = rng(15);
    let checked = 0;
    let skipped = 0;
    for (let p = 0; p < 3000; p++) {
      const source = pattern(next);
      const ci = next() < 0.35;
      let re2: RE2JS;
      try {
        re2 = RE2JS.compile(source, ci ? RE2JS.CASE_INSENSITIVE : 0);
      } catch {
        continue; // not valid RE2: validation rejects it before any prefilter is made
      }
      const safe = validatedSafeRegex(ci ? `/${source}/i` : source);
      const filter = regexPrefilter(source, ci);
      for (let t = 0; t < 25; t++) {
        const subject = text(next);
        const expected = re2.test(subject);
        expect(safe.test(subject), `${source} (i: ${ci}) on ${JSON.stringify(subject)}`).toBe(expected);
        if (filter && !mayMatch(filter, ci ? foldForPrefilter(subject) : subject)) skipped++;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20_000);
    // The prefilter does decide a good share of them without RE2.
    expect(skipped).toBeGreaterThan(checked / 10);
  });

  it('find gives the first match, or undefined when the literals are missing', () => {
    const re = validatedSafeRegex('\\bdef |stack ?trace');
    expect(re.find('a stacktrace here')).toBe('stacktrace');
    expect(re.find('nothing to see')).toBeUndefined();
  });
});

describe('compiling', () => {
  it('compileSafeRegex reports RE2 syntax errors at once; validatedSafeRegex only when the pattern first runs', () => {
    expect(() => compileSafeRegex('(a')).toThrow(RegexSyntaxError);
    const lazy = validatedSafeRegex('(a');
    expect(() => lazy.test('a')).toThrow(RegexSyntaxError);
    expect(() => validatedSafeRegex('/a/x')).toThrow('unknown flag "x" (use i, m or s)');
  });
});

import { describe, expect, it } from 'vitest';
import { compileMatcher, describeMatcher, explainMatch, matches, MatcherCompileError, type MatchSubject } from '../../../src/core/routing/matchers.js';
import type { MatcherInput } from '../../../src/core/policy/schema.js';

/** A subject whose token count is given; `counted` records whether a rule needed it. */
function subject(text: string, opts: { tokens?: number; fields?: Record<string, unknown>; bound?: number } = {}) {
  const state = { counted: 0 };
  const s: MatchSubject = {
    text,
    fields: opts.fields ?? {},
    maxTokensBound: opts.bound ?? Buffer.byteLength(text, 'utf8'),
    tokens: () => {
      state.counted++;
      return opts.tokens ?? 0;
    },
  };
  return { s, state };
}

const compile = (input: MatcherInput) => compileMatcher(input, ['classes', 0, 'when']);

interface Case {
  rule: MatcherInput;
  text: string;
  tokens?: number;
  fields?: Record<string, unknown>;
  ok: boolean;
  why?: string;
}

const CASES: Record<string, Case[]> = {
  regex: [
    { rule: { regex: '```|\\bdef ' }, text: 'see ```ts\nx\n```', ok: true, why: 'regex ```|\\bdef  matched "```"' },
    { rule: { regex: '\\bdef ' }, text: 'undef x', ok: false, why: 'regex \\bdef  did not match' },
    { rule: { regex: 'stack ?trace' }, text: 'here is the stacktrace', ok: true, why: 'regex stack ?trace matched "stacktrace"' },
    { rule: { regex: 'Stack trace' }, text: 'a stack trace', ok: false, why: 'regex Stack trace did not match' },
    { rule: { regex: '/Stack trace/i' }, text: 'a stack trace', ok: true, why: 'regex /Stack trace/i matched "stack trace"' },
    { rule: { regex: '/^select\\b/im' }, text: 'query:\nSELECT 1', ok: true, why: 'regex /^select\\b/im matched "SELECT"' },
    { rule: { regex: '/a.b/s' }, text: 'a\nb', ok: true },
    { rule: { regex: 'a.b' }, text: 'a\nb', ok: false },
    { rule: { regex: 'x{41}' }, text: 'x'.repeat(45), ok: true, why: `regex x{41} matched "${'x'.repeat(37)}..."` },
  ],
  keywords: [
    { rule: { keywords: ['what'] }, text: 'whatever you say', ok: false, why: 'none of the keywords [what]' },
    { rule: { keywords: ['what'] }, text: 'What?', ok: true, why: 'keyword "what"' },
    { rule: { keywords: ['what'] }, text: 'so... WHAT is it', ok: true, why: 'keyword "what"' },
    { rule: { keywords: ['what'] }, text: "what's up", ok: true },
    { rule: { keywords: ['what'] }, text: 'somewhat', ok: false },
    { rule: { keywords: ['what'] }, text: 'what_ever', ok: false },
    { rule: { keywords: ['what'] }, text: 'what2', ok: false },
    { rule: { keywords: ['define', 'who'] }, text: 'Who defined it?', ok: true, why: 'keyword "who"' },
    { rule: { keywords: ['stack trace'] }, text: 'the Stack Trace says', ok: true, why: 'keyword "stack trace"' },
    { rule: { keywords: ['c++'] }, text: 'I write C++.', ok: true, why: 'keyword "c++"' },
    { rule: { keywords: ['node.js'] }, text: 'nodexjs', ok: false },
    { rule: { keywords: ['café'] }, text: 'un CAFÉ noir', ok: true, why: 'keyword "café"' },
    { rule: { keywords: ['café'] }, text: 'cafés', ok: false },
    { rule: { keywords: ['typescript', 'type'] }, text: 'TypeScript', ok: true, why: 'keyword "typescript"' },
  ],
  tokens: [
    { rule: { max_prompt_tokens: 40 }, text: 'x'.repeat(100), tokens: 40, ok: true, why: '40 prompt tokens <= 40' },
    { rule: { max_prompt_tokens: 40 }, text: 'x'.repeat(100), tokens: 41, ok: false, why: '41 prompt tokens > 40' },
    { rule: { min_prompt_tokens: 40 }, text: 'x'.repeat(100), tokens: 40, ok: true, why: '40 prompt tokens >= 40' },
    { rule: { min_prompt_tokens: 40 }, text: 'x'.repeat(100), tokens: 39, ok: false, why: '39 prompt tokens < 40' },
    { rule: { max_prompt_tokens: 0 }, text: 'x', tokens: 0, ok: true },
    { rule: { min_prompt_tokens: 10, max_prompt_tokens: 20 }, text: 'x'.repeat(100), tokens: 10, ok: true, why: '10 prompt tokens >= 10 and 10 prompt tokens <= 20' },
    { rule: { min_prompt_tokens: 10, max_prompt_tokens: 20 }, text: 'x'.repeat(100), tokens: 21, ok: false, why: '21 prompt tokens > 20' },
  ],
  field: [
    { rule: { field: { difficulty: 'hard' } }, text: '', fields: { difficulty: 'hard' }, ok: true, why: 'field difficulty is "hard"' },
    { rule: { field: { difficulty: 'hard' } }, text: '', fields: { difficulty: 'Hard' }, ok: false, why: 'field difficulty is "Hard", not "hard"' },
    { rule: { field: { difficulty: 'hard' } }, text: '', fields: {}, ok: false, why: 'field difficulty is absent, not "hard"' },
    { rule: { field: { difficulty: ['hard', 'expert'] } }, text: '', fields: { difficulty: 'expert' }, ok: true, why: 'field difficulty is "expert"' },
    { rule: { field: { difficulty: ['hard', 'expert'] } }, text: '', fields: { difficulty: 'easy' }, ok: false, why: 'field difficulty is "easy", not "hard" or "expert"' },
    { rule: { field: { level: 3 } }, text: '', fields: { level: 3 }, ok: true },
    { rule: { field: { level: 3 } }, text: '', fields: { level: '3' }, ok: false, why: 'field level is "3", not 3' },
    { rule: { field: { urgent: true } }, text: '', fields: { urgent: true }, ok: true },
    { rule: { field: { lang: null } }, text: '', fields: { lang: null }, ok: true },
    { rule: { field: { lang: null } }, text: '', fields: {}, ok: false, why: 'field lang is absent, not null' },
    { rule: { field: { 'meta.team': 'docs' } }, text: '', fields: { meta: { team: 'docs' } }, ok: true, why: 'field meta.team is "docs"' },
    { rule: { field: { 'meta.team': 'docs' } }, text: '', fields: { meta: 'docs' }, ok: false, why: 'field meta.team is absent, not "docs"' },
    { rule: { field: { 'a.b.c': 1 } }, text: '', fields: { a: { b: { c: 1 } } }, ok: true },
    { rule: { field: { 'a.b.c': 1 } }, text: '', fields: { a: null }, ok: false },
    { rule: { field: { team: 'docs', level: 2 } }, text: '', fields: { team: 'docs', level: 2 }, ok: true, why: 'field team is "docs" and field level is 2' },
    { rule: { field: { team: 'docs', level: 2 } }, text: '', fields: { team: 'docs', level: 1 }, ok: false, why: 'field level is 1, not 2' },
  ],
  combinators: [
    { rule: { any: [{ regex: 'def ' }, { keywords: ['refactor'] }] }, text: 'Please refactor this', ok: true, why: 'keyword "refactor"' },
    { rule: { any: [{ regex: 'def ' }, { keywords: ['refactor'] }] }, text: 'hello', ok: false, why: 'regex def  did not match and none of the keywords [refactor]' },
    { rule: { all: [{ keywords: ['what'] }, { max_prompt_tokens: 200 }] }, text: 'what is it', tokens: 3, ok: true, why: 'keyword "what" and 3 prompt tokens <= 200' },
    { rule: { all: [{ keywords: ['what'] }, { max_prompt_tokens: 200 }] }, text: 'tell me', tokens: 3, ok: false, why: 'none of the keywords [what]' },
    { rule: { not: { keywords: ['why'] } }, text: 'what is it', ok: true, why: 'not (none of the keywords [why])' },
    { rule: { not: { keywords: ['why'] } }, text: 'why is it', ok: false, why: 'excluded: keyword "why"' },
    { rule: { not: { not: { regex: 'x' } } }, text: 'x', ok: true, why: 'not (excluded: regex x matched "x")' },
    { rule: { keywords: ['what'], not: { keywords: ['why'] } }, text: 'what and why', ok: false, why: 'excluded: keyword "why"' },
    { rule: { regex: 'a', keywords: ['b'] }, text: 'a c', ok: false, why: 'none of the keywords [b]' },
    { rule: { regex: 'a', keywords: ['b'] }, text: 'a b', ok: true, why: 'regex a matched "a" and keyword "b"' },
    {
      rule: { all: [{ keywords: ['what', 'who', 'when', 'define'] }, { max_prompt_tokens: 200 }, { not: { keywords: ['why', 'explain', 'compare'] } }] },
      text: 'Who wrote Dune?',
      tokens: 5,
      ok: true,
      why: 'keyword "who" and 5 prompt tokens <= 200 and not (none of the keywords [why, explain, compare])',
    },
    {
      rule: { any: [{ all: [{ field: { kind: 'code' } }, { min_prompt_tokens: 100 }] }, { regex: '```' }] },
      text: 'short',
      tokens: 150,
      fields: { kind: 'code' },
      ok: true,
      why: 'field kind is "code" and 150 prompt tokens >= 100',
    },
  ],
};

for (const [group, cases] of Object.entries(CASES)) {
  describe(`matcher: ${group}`, () => {
    it.each(cases.map((c, i) => ({ ...c, i })))('#$i $rule on $text -> $ok', ({ rule, text, tokens, fields, ok, why }) => {
      const m = compile(rule);
      const { s } = subject(text, { tokens, fields, bound: tokens === undefined ? undefined : 1_000_000 });
      expect(matches(m, s)).toBe(ok);
      const verdict = explainMatch(m, s);
      expect(verdict.ok).toBe(ok);
      if (why !== undefined) expect(verdict.why).toBe(why);
    });
  });
}

describe('token bounds use the free upper bound before counting', () => {
  it.each([
    // max: a bound at or under the limit decides without counting
    { rule: { max_prompt_tokens: 40 }, bound: 40, tokens: 99, ok: true, counted: 0 },
    { rule: { max_prompt_tokens: 40 }, bound: 41, tokens: 40, ok: true, counted: 1 },
    { rule: { max_prompt_tokens: 40 }, bound: 41, tokens: 41, ok: false, counted: 1 },
    // min: a bound under the limit decides without counting
    { rule: { min_prompt_tokens: 40 }, bound: 39, tokens: 99, ok: false, counted: 0 },
    { rule: { min_prompt_tokens: 40 }, bound: 40, tokens: 40, ok: true, counted: 1 },
    { rule: { min_prompt_tokens: 40 }, bound: 40, tokens: 39, ok: false, counted: 1 },
  ])('$rule with bound $bound and $tokens tokens', ({ rule, bound, tokens, ok, counted }) => {
    const { s, state } = subject('text', { bound, tokens });
    expect(matches(compile(rule), s)).toBe(ok);
    expect(state.counted).toBe(counted);
  });

  it('regex and keyword rules never count tokens', () => {
    const { s, state } = subject('What is it?', { tokens: 4 });
    expect(matches(compile({ any: [{ regex: 'x' }, { keywords: ['what'] }] }), s)).toBe(true);
    expect(state.counted).toBe(0);
  });
});

describe('compileMatcher', () => {
  it('a mapping with several keys means all of them, in a fixed order', () => {
    const m = compile({ not: { regex: 'z' }, field: { a: 1 }, max_prompt_tokens: 5, min_prompt_tokens: 1, keywords: ['k'], regex: 'r' });
    expect(m.kind).toBe('all');
    expect(m.kind === 'all' && m.of.map((x) => x.kind)).toEqual(['regex', 'keywords', 'min_tokens', 'max_tokens', 'field', 'not']);
    expect(describeMatcher(m)).toBe('all(regex r; keywords [k]; >= 1 tokens; <= 5 tokens; field a = 1; not(regex z))');
  });

  it('a single key compiles to that matcher alone', () => {
    expect(compile({ max_prompt_tokens: 40 })).toEqual({ kind: 'max_tokens', n: 40 });
  });

  it('describes lists of field values and nested combinators', () => {
    expect(describeMatcher(compile({ any: [{ field: { d: ['hard', 2, null] } }, { all: [{ keywords: ['a', 'b'] }] }] }))).toBe(
      'any(field d = "hard" | 2 | null; all(keywords [a, b]))',
    );
  });

  it('a regex that does not compile fails with its key path', () => {
    let err: unknown;
    try {
      compile({ any: [{ regex: 'ok' }, { not: { regex: '[z-a]' } }] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MatcherCompileError);
    expect((err as MatcherCompileError).path).toEqual(['classes', 0, 'when', 'any', 1, 'not', 'regex']);
    expect((err as MatcherCompileError).message).toBe('regex does not compile: invalid character class range: `z-a`');
  });

  it('ignores the g and y flags, which would make matching depend on the previous prompt', () => {
    for (const source of ['/foo/g', '/foo/y', '/foo/gy']) {
      const m = compile({ regex: source });
      const { s } = subject('x foo');
      expect([matches(m, s), matches(m, s), matches(m, subject('foo').s)]).toEqual([true, true, true]);
    }
  });

  it('runs in linear time: a pattern that backtracks catastrophically in JavaScript returns at once', () => {
    const m = compile({ regex: '(a+)+$' });
    const started = performance.now();
    expect(matches(m, subject(`${'a'.repeat(5000)}b`).s)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects what RE2 cannot run in linear time (backreferences, lookaround) at compile time', () => {
    expect(() => compile({ regex: '(a)\\1' })).toThrow(/regex does not compile: invalid escape sequence/);
    expect(() => compile({ regex: 'x(?=y)' })).toThrow(/regex does not compile: invalid or unsupported Perl syntax/);
  });

  it('keywords are trimmed', () => {
    const m = compile({ keywords: ['  what '] });
    expect(matches(m, subject('so what').s)).toBe(true);
    expect(describeMatcher(m)).toBe('keywords [what]');
  });
});

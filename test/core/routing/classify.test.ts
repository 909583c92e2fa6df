import { describe, expect, it } from 'vitest';
import { classify, traceClasses } from '../../../src/core/routing/classify.js';
import type { PromptRecord } from '../../../src/core/prompt.js';
import { estimateCounter, type TokenCounter } from '../../../src/core/routing/tokens.js';
import { recordToPrompt } from '../../../src/io/records.js';
import { exampleRecords, localPolicy, userPrompt } from '../../support.js';

const policy = localPolicy();
const examples = exampleRecords();

function example(id: string): PromptRecord {
  const parsed = recordToPrompt(examples.get(id), 'examples/prompts.jsonl', 1);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

/** Counts how often the tokenizer runs. */
function countingCounter(): TokenCounter & { calls: number } {
  const c = { name: 'estimate', exact: false, calls: 0, count: (t: string) => (c.calls++, estimateCounter.count(t)) };
  return c;
}

describe('classify on the shipped policy and the example prompts', () => {
  it.each([
    // code: the fence, "function", "stack trace" — before any length rule
    { id: 'code-ts-filter-narrowing', class: 'code', route: 'flagship', reason: 'code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "```"' },
    { id: 'code-python-keyerror-stack-trace', class: 'code', route: 'flagship', reason: 'code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "stack trace"' },
    { id: 'code-refactor-callbacks-async', class: 'code', route: 'flagship', reason: 'code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "function"' },
    { id: 'code-c-segfault-free-list', class: 'code', route: 'flagship', reason: 'code: regex ```|\\bdef |\\bfunction\\b|stack ?trace matched "```"' },
    // a record's own field
    { id: 'analysis-why-deploys-slow-monolith', class: 'tagged-hard', route: 'flagship', reason: 'tagged-hard: field difficulty is "hard"' },
    { id: 'analysis-postgres-vs-dynamodb', class: 'tagged-hard', route: 'flagship', reason: 'tagged-hard: field difficulty is "hard"' },
    // short prompts go local, even the questions lookup would take: tiny comes first
    { id: 'fact-author-left-hand-darkness', class: 'tiny', route: 'local', reason: 'tiny: 8 prompt tokens <= 40' },
    { id: 'fact-capital-australia', class: 'tiny', route: 'local', reason: 'tiny: 7 prompt tokens <= 40' },
    { id: 'short-synonym-happy', class: 'tiny', route: 'local', reason: 'tiny: 4 prompt tokens <= 40' },
    // system prompt and every message are counted
    { id: 'chat-terse-cooking-units', class: 'tiny', route: 'local', reason: 'tiny: 28 prompt tokens <= 40' },
    // nothing matches: the default route
    { id: 'sum-review-wireless-earbuds', class: null, route: 'balanced', reason: 'no class matched: default route' },
    { id: 'analysis-compare-kafka-sqs-orders', class: null, route: 'balanced', reason: 'no class matched: default route' },
    { id: 'code-sql-index-not-used', class: null, route: 'balanced', reason: 'no class matched: default route' },
  ])('$id -> $class / $route', ({ id, ...want }) => {
    const d = classify(policy, example(id), estimateCounter);
    expect({ class: d.class, route: d.route, reason: d.reason }).toEqual(want);
  });

  it('routes all 40 examples: 12 flagship, 12 balanced, 16 local', () => {
    const routes = new Map<string, number>();
    for (const id of examples.keys()) {
      const route = classify(policy, example(id), estimateCounter).route;
      routes.set(route, (routes.get(route) ?? 0) + 1);
    }
    expect(Object.fromEntries(routes)).toEqual({ flagship: 12, balanced: 12, local: 16 });
  });
});

const LOOKUP =
  'What is the difference in the boiling point of water at sea level and at the top of a mountain that is four thousand metres high, assuming a normal day with no storms, a calm wind, and a pot of clean tap water on a small camping stove?';

describe('classify: ordering and the default route', () => {
  it('a question too long for tiny but short enough for lookup goes to quick', () => {
    const d = classify(policy, userPrompt(LOOKUP), estimateCounter);
    expect(d).toEqual({
      class: 'lookup',
      route: 'quick',
      reason: 'lookup: keyword "what" and 53 prompt tokens <= 200 and not (none of the keywords [why, explain, compare])',
      promptTokens: 53,
    });
  });

  it('the same question with "why" is excluded from lookup and takes the default route', () => {
    const d = classify(policy, userPrompt(`${LOOKUP} And why?`), estimateCounter);
    expect([d.class, d.route, d.reason]).toEqual([null, 'balanced', 'no class matched: default route']);
  });

  it('first match wins: code beats tagged-hard on a hard code prompt', () => {
    const d = classify(policy, userPrompt('Please refactor this module', { difficulty: 'hard' }), estimateCounter);
    expect([d.class, d.route, d.reason]).toEqual(['code', 'flagship', 'code: keyword "refactor"']);
  });

  it('first match wins: tagged-hard beats tiny on a short hard prompt', () => {
    const d = classify(policy, userPrompt('Prove it.', { difficulty: 'hard' }), estimateCounter);
    expect([d.class, d.route]).toEqual(['tagged-hard', 'flagship']);
  });

  it('regex and keywords look at user messages only; token bounds count the system prompt too', () => {
    const p = userPrompt('Hello there', {}, { system: 'Never write a function. '.repeat(20) });
    const d = classify(policy, p, estimateCounter);
    expect([d.class, d.route]).toEqual([null, 'balanced']);
    expect(d.promptTokens).toBe(estimateCounter.count(`${'Never write a function. '.repeat(20)}\nHello there`));
  });

  it('counts tokens only when a rule needs them, and at most once', () => {
    const counter = countingCounter();
    expect(classify(policy, userPrompt('Please refactor this'), counter).promptTokens).toBeUndefined();
    expect(counter.calls).toBe(0);
    const d = classify(policy, userPrompt(LOOKUP), counter);
    expect(counter.calls).toBe(1);
    expect(d.promptTokens).toBe(estimateCounter.count(LOOKUP));
  });

  it('a policy without classes always answers with its default', () => {
    const bare = { ...policy, classes: [] };
    expect(classify(bare, userPrompt('refactor'), estimateCounter)).toEqual({ class: null, route: 'balanced', reason: 'no class matched: default route', promptTokens: undefined });
  });
});

describe('traceClasses', () => {
  it('shows every class in order, the winner, and the shadowed matches after it', () => {
    const { decision, trace } = traceClasses(policy, example('fact-author-left-hand-darkness'), estimateCounter);
    expect(decision).toEqual({ class: 'tiny', route: 'local', reason: 'tiny: 8 prompt tokens <= 40', promptTokens: 8 });
    expect(trace).toEqual([
      { name: 'code', route: 'flagship', ok: false, shadowed: false, why: 'regex ```|\\bdef |\\bfunction\\b|stack ?trace did not match and none of the keywords [refactor, compile, segfault, typescript]' },
      { name: 'tagged-hard', route: 'flagship', ok: false, shadowed: false, why: 'field difficulty is absent, not "hard"' },
      { name: 'tiny', route: 'local', ok: true, shadowed: false, why: '8 prompt tokens <= 40' },
      { name: 'lookup', route: 'quick', ok: true, shadowed: true, why: 'keyword "who" and 8 prompt tokens <= 200 and not (none of the keywords [why, explain, compare])' },
    ]);
  });

  it('agrees with classify on every example', () => {
    for (const id of examples.keys()) {
      const p = example(id);
      const a = classify(policy, p, estimateCounter);
      const b = traceClasses(policy, p, estimateCounter).decision;
      expect([b.class, b.route, b.reason], id).toEqual([a.class, a.route, a.reason]);
    }
  });

  it('the default route: every class fails, and the prompt tokens are still counted', () => {
    const { decision, trace } = traceClasses(policy, example('sum-review-wireless-earbuds'), estimateCounter);
    expect(decision.class).toBeNull();
    expect(decision.route).toBe('balanced');
    expect(decision.promptTokens).toBe(301);
    expect(trace.map((t) => [t.name, t.ok, t.shadowed])).toEqual([
      ['code', false, false],
      ['tagged-hard', false, false],
      ['tiny', false, false],
      ['lookup', false, false],
    ]);
    expect(trace[2]!.why).toBe('301 prompt tokens > 40');
    expect(trace[3]!.why).toBe('none of the keywords [what, who, when, define]');
  });
});

import { describe, expect, it } from 'vitest';
import { PolicyError, type PolicyProblem } from '../../../src/core/errors.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import type { Policy } from '../../../src/core/policy/types.js';
import { similarMatchers } from '../../../src/core/routing/similar.js';
import { dedent, NOW } from '../../support.js';

const files: Record<string, string> = { 'support.txt': '# support examples\nHow do I reset my password?\n\n  My invoice is wrong  \n', 'empty.txt': '# nothing\n\n' };
const readFile = (name: string) => {
  if (name in files) return files[name]!;
  throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
};
const load = (text: string): Policy => parsePolicy(text, 'routes.yaml', { now: NOW, readFile });

/** Models on lines 1-6; what follows starts on line 7. */
const withModels = (rest: string) =>
  dedent(`
    default: big
    models:
      quick: { provider: openai, model: gpt-5.4-mini }
      big: { provider: openai, model: gpt-5.4 }
      claude: { provider: anthropic, model: claude-haiku-4-5 }
      embed: { provider: openai, model: text-embedding-3-small, price: { input: 0.02, output: 0 } }
  `) + dedent(rest);

function problemsOf(text: string): PolicyProblem[] {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems;
  }
  throw new Error('expected the policy to be rejected');
}

const support = (similar: string) =>
  withModels(`
    classes:
      - name: support
        when:
          similar_to: ${similar}
        route: quick
  `);

describe('similar_to in the policy', () => {
  it('compiles to a similar matcher keyed by where it sits, with the default embedder builtin', () => {
    const policy = load(support('{ examples: ["How do I reset my password?"], threshold: 0.5 }'));
    expect(policy.embedder).toBe('builtin');
    expect(similarMatchers(policy).map((s) => [s.rule.name, s.matcher.key, s.matcher.threshold, s.matcher.examples])).toEqual([
      ['support', 'classes[0].when.similar_to', 0.5, ['How do I reset my password?']],
    ]);
  });

  it('combines with all/any/not and other matchers, each similar_to with its own key', () => {
    const policy = load(
      withModels(`
        embedder: embed
        classes:
          - name: a
            when:
              all:
                - { keywords: [invoice] }
                - not: { similar_to: { examples: [refund], threshold: 0.4 } }
            route: quick
          - name: b
            when:
              max_prompt_tokens: 100
              any: [{ similar_to: { examples: [x, y], threshold: 0.2 } }, { regex: z }]
            route: big
      `),
    );
    expect(policy.embedder).toBe('embed');
    expect(similarMatchers(policy).map((s) => s.matcher.key)).toEqual(['classes[0].when.all[1].not.similar_to', 'classes[1].when.any[0].similar_to']);
  });

  it('reads examples_file relative to the policy: one per line, blanks and # comments skipped', () => {
    const policy = load(support('{ examples_file: support.txt, threshold: 0.5 }'));
    const [s] = similarMatchers(policy);
    expect(s!.matcher.examples).toEqual(['How do I reset my password?', 'My invoice is wrong']);
    expect(s!.matcher.examplesFile).toBe('support.txt');
  });

  it.each([
    ['no threshold', '{ examples: [a] }', 'classes[0].when.similar_to.threshold', /is required/],
    ['threshold above 1', '{ examples: [a], threshold: 1.5 }', 'classes[0].when.similar_to.threshold', /1/],
    ['both examples and a file', '{ examples: [a], examples_file: support.txt, threshold: 0.5 }', 'classes[0].when.similar_to', /either examples or examples_file/],
    ['a blank example', '{ examples: ["  "], threshold: 0.5 }', 'classes[0].when.similar_to.examples[0]', /must not be blank/],
    ['a missing file', '{ examples_file: nope.txt, threshold: 0.5 }', 'classes[0].when.similar_to.examples_file', /cannot read nope.txt \(ENOENT\)/],
    ['a file without examples', '{ examples_file: empty.txt, threshold: 0.5 }', 'classes[0].when.similar_to.examples_file', /has no examples/],
  ])('%s: file:line and key path', (_name, similar, path, message) => {
    const [p, ...rest] = problemsOf(support(similar));
    expect(rest).toEqual([]);
    expect(p!.line).toBe(10);
    expect(p!.path).toBe(path);
    expect(p!.message).toMatch(message);
  });

  it('a misspelt key inside similar_to says which keys are allowed there', () => {
    expect(problemsOf(support('{ examples: [a], treshold: 0.5 }'))).toContainEqual({ line: 10, path: 'classes[0].when.similar_to.treshold', message: 'unknown key (did you mean "threshold"?)', hint: 'allowed here: examples, examples_file, threshold' });
  });

  it('embedder must be builtin or a model with an embeddings endpoint', () => {
    expect(problemsOf(withModels('embedder: embedd\n'))).toEqual([
      expect.objectContaining({ line: 7, path: 'embedder', message: 'unknown model "embedd" (did you mean "embed"?)' }),
    ]);
    const [p] = problemsOf(withModels('embedder: claude\n'));
    expect(p).toMatchObject({ line: 7, path: 'embedder', message: 'claude is a anthropic model, and anthropic has no embeddings endpoint' });
    expect(p!.hint).toMatch(/openai or openai-compatible/);
  });
});

describe('tests: in the policy', () => {
  const base = (tests: string) =>
    withModels(`
      classes:
        - name: support
          when: { similar_to: { examples: [password], threshold: 0.5 } }
          route: quick
      tests:
    `) + `${tests}\n`;

  it('keeps the records, messages and fields included', () => {
    const policy = load(base('  - { prompt: "reset my password", class: support }\n  - { messages: [{ role: user, content: hi }], route: big, tier: 2 }\ntests_file: t.jsonl\n'));
    expect(policy.tests).toEqual([
      { prompt: 'reset my password', class: 'support' },
      { messages: [{ role: 'user', content: 'hi' }], route: 'big', tier: 2 },
    ]);
    expect(policy.testsFile).toBe('t.jsonl');
  });

  it.each([
    ['an unknown class', '  - { prompt: a, class: suport }', 'tests[0].class', 'unknown class "suport" (did you mean "support"?)'],
    ['an unknown route', '  - { prompt: a, route: quik }', 'tests[0].route', 'unknown model "quik" (did you mean "quick"?)'],
    ['neither class nor route', '  - { prompt: a }', 'tests[0]', 'a test expects either a class or a route'],
    ['no prompt', '  - { class: support }', 'tests[0]', 'a test needs a prompt (or messages, as in input files)'],
  ])('%s', (_name, tests, path, message) => {
    const [p, ...rest] = problemsOf(base(tests));
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ line: 12, path, message });
  });
});

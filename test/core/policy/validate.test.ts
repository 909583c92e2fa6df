import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PolicyError, type PolicyProblem } from '../../../src/core/errors.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import { REGEX_HINT } from '../../../src/core/routing/safe-regex.js';
import type { Policy } from '../../../src/core/policy/types.js';
import { dedent, FIXTURES, LOCAL_ROUTES, NOW, SHIPPED_ROUTES } from '../../support.js';

const load = (text: string): Policy => parsePolicy(text, 'routes.yaml', { now: NOW });

function problemsOf(text: string): PolicyProblem[] {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems;
  }
  throw new Error('expected the policy to be rejected');
}

function errorOf(text: string): PolicyError {
  try {
    load(text);
  } catch (err) {
    return err as PolicyError;
  }
  throw new Error('expected the policy to be rejected');
}

const MODELS = `
  default: balanced
  models:
    flagship:
      provider: anthropic
      model: claude-opus-5-5
    balanced:
      provider: openai
      model: gpt-5.4-mini
`;

/** Two models on lines 1-8, then whatever follows (starting on line 9). */
const withModels = (rest: string) => dedent(MODELS) + dedent(rest);

interface Expected {
  line: number | undefined;
  path: string;
  message: string | RegExp;
  hint: string | RegExp;
}

const ALL_MATCHER_KEYS = 'allowed here: regex, keywords, min_prompt_tokens, max_prompt_tokens, field, all, any, not, similar_to, score';

const CASES: { name: string; yaml: string; problems: Expected[] }[] = [
  {
    name: 'YAML syntax: a line indented off the mapping',
    yaml: dedent(`
      default: balanced
      models:
        balanced:
          provider: openai
         model: gpt-5.4-mini
    `),
    problems: [{ line: 5, path: '', message: 'All mapping items must start at the same column', hint: 'check the indentation and quoting on this line' }],
  },
  {
    name: 'YAML syntax: an unquoted colon in a value',
    yaml: dedent(`
      default: balanced
      models:
        balanced:
          provider: openai
          model: gpt: 5
    `),
    problems: [{ line: 5, path: '', message: 'Nested mappings are not allowed in compact mappings', hint: 'check the indentation and quoting on this line' }],
  },
  {
    name: 'duplicate key inside a model',
    yaml: dedent(`
      default: balanced
      models:
        flagship:
          provider: anthropic
          model: claude-opus-5-5
        balanced:
          provider: openai
          model: gpt-5.4-mini
          model: gpt-5.4
    `),
    problems: [{ line: 9, path: 'models.balanced.model', message: 'duplicate key: each key may appear once in a mapping', hint: 'remove or rename one of the two' }],
  },
  {
    name: 'duplicate key inside a condition (flow mapping)',
    yaml: withModels(`
      classes:
        - name: x
          when: { regex: a, regex: b }
          route: balanced
    `),
    problems: [{ line: 11, path: 'classes[0].when.regex', message: 'duplicate key: each key may appear once in a mapping', hint: 'remove or rename one of the two' }],
  },
  {
    name: 'duplicate top-level key',
    yaml: `default: balanced\n${dedent(MODELS)}`,
    problems: [{ line: 2, path: 'default', message: 'duplicate key: each key may appear once in a mapping', hint: 'remove or rename one of the two' }],
  },
  {
    name: 'unknown top-level key, with did-you-mean',
    yaml: withModels(`
      clases:
        - name: x
          when: { regex: a }
          route: balanced
    `),
    problems: [{ line: 9, path: 'clases', message: 'unknown key (did you mean "classes"?)', hint: 'allowed here: baseline, default, tokenizer, models, classes, cascades, budget, embedder, tests, tests_file' }],
  },
  {
    name: 'unknown key inside a model',
    yaml: dedent(`
      default: balanced
      models:
        balanced:
          provider: openai
          model: gpt-5.4-mini
          baseurl: http://localhost:8080/v1
    `),
    problems: [
      {
        line: 6,
        path: 'models.balanced.baseurl',
        message: 'unknown key (did you mean "base_url"?)',
        hint: 'allowed here: provider, model, base_url, api_key_env, api, max_tokens, price, fallback, options, batch',
      },
    ],
  },
  {
    name: 'unknown key inside a model price',
    yaml: dedent(`
      default: local
      models:
        local:
          provider: openai-compatible
          model: llama3.2:3b
          price: { input: 0, output: 0, cache_reed: 0 }
    `),
    problems: [{ line: 6, path: 'models.local.price.cache_reed', message: 'unknown key (did you mean "cache_read"?)', hint: 'allowed here: input, output, cache_read, cache_write, batch' }],
  },
  {
    name: 'unknown key inside a class',
    yaml: withModels(`
      classes:
        - name: x
          when: { regex: a }
          rout: balanced
    `),
    problems: [
      { line: 10, path: 'classes[0].route', message: 'is required', hint: 'for example `route: quick`' },
      { line: 12, path: 'classes[0].rout', message: 'unknown key (did you mean "route"?)', hint: 'allowed here: name, description, when, route, schema' },
    ],
  },
  {
    name: 'unknown key inside a when matcher (nested in any)',
    yaml: withModels(`
      classes:
        - name: x
          when:
            any:
              - regex: a
              - keyword: [bar]
          route: balanced
    `),
    problems: [{ line: 14, path: 'classes[0].when.any[1].keyword', message: 'unknown key (did you mean "keywords"?)', hint: ALL_MATCHER_KEYS }],
  },
  {
    name: 'unknown key inside not',
    yaml: withModels(`
      classes:
        - name: x
          when:
            not: { regx: a }
          route: balanced
    `),
    problems: [{ line: 12, path: 'classes[0].when.not.regx', message: 'unknown key (did you mean "regex"?)', hint: ALL_MATCHER_KEYS }],
  },
  {
    name: 'class route to an unknown model, with did-you-mean',
    yaml: withModels(`
      classes:
        - name: code
          when: { keywords: [refactor] }
          route: flagshp
    `),
    problems: [{ line: 12, path: 'classes[0].route', message: 'unknown model "flagshp" (did you mean "flagship"?)', hint: 'route must name one of the models: flagship, balanced' }],
  },
  {
    name: 'unknown default',
    yaml: withModels('').replace('default: balanced', 'default: balance'),
    problems: [{ line: 1, path: 'default', message: 'unknown model "balance" (did you mean "balanced"?)', hint: 'default must name one of the models: flagship, balanced' }],
  },
  {
    name: 'unknown baseline',
    yaml: `baseline: flagshipp\n${withModels('')}`,
    problems: [{ line: 1, path: 'baseline', message: 'unknown model "flagshipp" (did you mean "flagship"?)', hint: 'baseline must name one of the models: flagship, balanced' }],
  },
  {
    name: 'missing default',
    yaml: withModels('').replace('default: balanced\n', 'baseline: flagship\n'),
    problems: [{ line: 1, path: 'default', message: 'is required', hint: 'name the model alias that answers prompts no class matches, e.g. `default: balanced`' }],
  },
  {
    name: 'regex that does not compile',
    yaml: withModels(`
      classes:
        - name: code
          when:
            any:
              - keywords: [refactor]
              - regex: "(unclosed"
          route: flagship
    `),
    problems: [
      {
        line: 14,
        path: 'classes[0].when.any[1].regex',
        message: 'regex does not compile: missing closing ): `(unclosed`',
        hint: REGEX_HINT,
      },
    ],
  },
  {
    name: 'regex with a bad flag in the slash form',
    yaml: withModels(`
      classes:
        - name: code
          when: { regex: "/def/q" }
          route: flagship
    `),
    problems: [{ line: 11, path: 'classes[0].when.regex', message: 'regex does not compile: unknown flag "q" (use i, m or s)', hint: REGEX_HINT }],
  },
  {
    name: 'bad provider, with did-you-mean',
    yaml: withModels('').replace('provider: openai', 'provider: opnai'),
    problems: [{ line: 7, path: 'models.balanced.provider', message: '"opnai" is not allowed (did you mean "openai"?)', hint: 'use one of: openai, anthropic, openai-compatible' }],
  },
  {
    name: 'a model with no known price',
    yaml: dedent(`
      default: local
      models:
        balanced:
          provider: openai
          model: gpt-5.4-mini
        local:
          provider: openai-compatible
          model: llama3.2:3b
    `),
    problems: [
      {
        line: 8,
        path: 'models.local.model',
        message: 'no price known for openai-compatible model "llama3.2:3b"',
        hint: 'add its price in USD per million tokens under models.local: `price: { input: 0.5, output: 1.5 }` (cache_read and cache_write optional)',
      },
    ],
  },
  {
    name: 'a price override with more than 6 decimals',
    yaml: dedent(`
      default: local
      models:
        local:
          provider: openai-compatible
          model: llama3.2:3b
          price:
            input: 0.1
            output: 1.0000001
    `),
    problems: [
      {
        line: 8,
        path: 'models.local.price.output',
        message: 'price 1.0000001 has more than 6 decimal places (USD per million tokens)',
        hint: 'prices are USD per million tokens, to at most 6 decimal places (e.g. `input: 0.075`)',
      },
    ],
  },
  {
    name: 'a tiny price override below a micro-dollar',
    yaml: dedent(`
      default: local
      models:
        local:
          provider: openai-compatible
          model: llama3.2:3b
          price: { input: 0.0000001, output: 1 }
    `),
    problems: [{ line: 6, path: 'models.local.price.input', message: 'price 0.0000001 has more than 6 decimal places (USD per million tokens)', hint: /^prices are USD per million tokens/ }],
  },
  {
    name: 'duplicate class names',
    yaml: withModels(`
      classes:
        - name: code
          when: { keywords: [refactor] }
          route: flagship
        - name: code
          when: { regex: "def " }
          route: flagship
    `),
    problems: [{ line: 13, path: 'classes[1].name', message: 'class "code" is defined twice', hint: 'class names must be unique' }],
  },
  {
    name: 'keywords given as a string',
    yaml: withModels(`
      classes:
        - name: code
          when: { keywords: refactor }
          route: flagship
    `),
    problems: [{ line: 11, path: 'classes[0].when.keywords', message: 'expected array, got string "refactor"', hint: 'for example `keywords: [refactor, compile]`' }],
  },
  {
    name: 'a blank keyword (it would match every prompt)',
    yaml: withModels(`
      classes:
        - name: code
          when: { keywords: [refactor, " "] }
          route: flagship
    `),
    problems: [{ line: 11, path: 'classes[0].when.keywords[1]', message: 'a keyword must not be blank', hint: 'for example `keywords: [refactor, compile]`' }],
  },
  {
    name: 'max_prompt_tokens negative',
    yaml: withModels(`
      classes:
        - name: tiny
          when:
            max_prompt_tokens: -5
          route: balanced
    `),
    problems: [{ line: 12, path: 'classes[0].when.max_prompt_tokens', message: 'must be 0 or more, got number -5', hint: 'for example `max_prompt_tokens: 200`' }],
  },
  {
    name: 'a model max_tokens of zero',
    yaml: withModels('').replace('model: gpt-5.4-mini', 'model: gpt-5.4-mini\n    max_tokens: 0'),
    problems: [{ line: 9, path: 'models.balanced.max_tokens', message: 'must be more than 0, got number 0', hint: 'for example `max_tokens: 1024`' }],
  },
  {
    name: 'min_prompt_tokens not a whole number',
    yaml: withModels(`
      classes:
        - name: long
          when: { min_prompt_tokens: 2.5 }
          route: flagship
    `),
    problems: [{ line: 11, path: 'classes[0].when.min_prompt_tokens', message: 'expected int, got number 2.5', hint: 'for example `min_prompt_tokens: 2000`' }],
  },
  {
    name: 'an empty condition',
    yaml: withModels(`
      classes:
        - name: x
          when: {}
          route: balanced
    `),
    problems: [
      {
        line: 11,
        path: 'classes[0].when',
        message: 'a condition needs at least one of: regex, keywords, min_prompt_tokens, max_prompt_tokens, field, all, any, not, similar_to, score',
        hint: 'for example `when: { keywords: [what, who] }`',
      },
    ],
  },
  {
    name: 'a model alias with a space',
    yaml: dedent(`
      default: balanced
      models:
        balanced:
          provider: openai
          model: gpt-5.4-mini
        fast one:
          provider: openai
          model: gpt-5.4-mini
    `),
    problems: [{ line: 6, path: 'models.fast one', message: 'bad name "fast one": model aliases use letters, digits, "_", "-" and "."', hint: 'rename it, e.g. `fast-model`' }],
  },
  {
    name: 'a document that is a list',
    yaml: '- flagship\n- balanced\n',
    problems: [{ line: 1, path: '', message: 'expected object, got a list', hint: /^for example|^$/ }],
  },
];

describe('parsePolicy rejects with file:line, key path and hint', () => {
  it.each(CASES)('$name', ({ yaml, problems }) => {
    const got = problemsOf(yaml);
    expect(got).toHaveLength(problems.length);
    problems.forEach((want, i) => {
      const p = got[i]!;
      expect({ line: p.line, path: p.path }).toEqual({ line: want.line, path: want.path });
      if (typeof want.message === 'string') expect(p.message).toBe(want.message);
      else expect(p.message).toMatch(want.message);
      if (typeof want.hint === 'string') expect(p.hint).toBe(want.hint);
      else expect(p.hint ?? '').toMatch(want.hint);
    });
  });

  it('formats each problem as "file:line path: message" with an indented hint', () => {
    const err = errorOf(withModels('classes:\n  - name: code\n    when: { keywords: [refactor] }\n    route: flagshp\n'));
    expect(err.message).toBe(
      'routes.yaml:12 classes[0].route: unknown model "flagshp" (did you mean "flagship"?)\n  hint: route must name one of the models: flagship, balanced',
    );
    expect(err.exitCode).toBe(2);
  });

  it('reports every problem at once, in document order of checking', () => {
    const yaml = dedent(`
      baseline: nope
      default: balanced
      models:
        balanced:
          provider: openai
          model: gpt-5.4-mini
      classes:
        - name: a
          when: { regex: "(" }
          route: balancd
    `);
    expect(problemsOf(yaml).map((p) => `${p.line} ${p.path}`)).toEqual(['1 baseline', '10 classes[0].route', '9 classes[0].when.regex']);
  });

  it('an empty file names the missing keys without a line', () => {
    expect(problemsOf('').map((p) => [p.line, p.path, p.message])).toEqual([
      [undefined, 'default', 'is required'],
      [undefined, 'models', 'is required'],
    ]);
  });
});

describe('parsePolicy accepts', () => {
  it('the shipped routes.yaml exactly as written', () => {
    const policy = load(readFileSync(SHIPPED_ROUTES, 'utf8'));
    expect(policy.baseline).toBe('flagship');
    expect(policy.baselineImplied).toBe(false);
    expect(policy.default).toBe('balanced');
    expect(policy.tokenizer).toBe('estimate');
    expect(
      [...policy.models.values()].map((m) => ({
        alias: m.alias,
        provider: m.provider,
        model: m.model,
        baseUrl: m.baseUrl,
        rates: [m.pricing.rates.input.base, m.pricing.rates.output.base, m.pricing.rates.cacheRead?.base, m.pricing.rates.cacheWrite?.base],
        source: m.pricing.source,
      })),
    ).toEqual([
      {
        alias: 'flagship',
        provider: 'anthropic',
        model: 'claude-opus-5-5',
        baseUrl: undefined,
        rates: [4_000_000, 20_000_000, 200_000, 5_000_000],
        source: { kind: 'catalogue', providerId: 'anthropic', catalogueId: 'claude-opus-5-5', exact: true, name: expect.any(String), timeDependent: false },
      },
      {
        alias: 'balanced',
        provider: 'openai',
        model: 'gpt-5.4-mini',
        baseUrl: undefined,
        rates: [750_000, 4_500_000, 75_000, undefined],
        source: { kind: 'catalogue', providerId: 'openai', catalogueId: 'gpt-5.4-mini', exact: true, name: expect.any(String), timeDependent: false },
      },
      {
        alias: 'quick',
        provider: 'anthropic',
        model: 'claude-haiku-4-5',
        baseUrl: undefined,
        rates: [1_000_000, 5_000_000, 100_000, 1_250_000],
        source: { kind: 'catalogue', providerId: 'anthropic', catalogueId: 'claude-haiku-4-5', exact: true, name: expect.any(String), timeDependent: false },
      },
    ]);
    // Only the two API keys of the README are needed: the local model is a comment.
    expect([...new Set([...policy.models.values()].map((m) => m.provider))].sort()).toEqual(['anthropic', 'openai']);
    expect(policy.classes.map((c) => [c.name, c.route, c.when.kind])).toEqual([
      ['code', 'flagship', 'any'],
      ['tagged-hard', 'flagship', 'field'],
      ['tiny', 'quick', 'max_tokens'],
      ['lookup', 'quick', 'all'],
    ]);
  });

  it('the policy exactly as printed in the issue', () => {
    const fromIssue = load(readFileSync(`${FIXTURES}policies/issue-2.yaml`, 'utf8'));
    const shipped = load(readFileSync(LOCAL_ROUTES, 'utf8'));
    expect([...fromIssue.models.keys()]).toEqual([...shipped.models.keys()]);
    expect(fromIssue.classes.map((c) => c.name)).toEqual(shipped.classes.map((c) => c.name));
  });

  it('a dated model id the catalogue matches fuzzily, naming the catalogue id', () => {
    const policy = load(withModels('').replace('model: claude-opus-5-5', 'model: claude-opus-5-5-20260101'));
    const m = policy.models.get('flagship')!;
    expect(m.model).toBe('claude-opus-5-5-20260101');
    expect(m.pricing.source).toMatchObject({ kind: 'catalogue', providerId: 'anthropic', catalogueId: 'claude-opus-5-5', exact: false });
    expect(m.pricing.rates.output.base).toBe(20_000_000);
  });

  it('the catalogue id in another case counts as exact', () => {
    const policy = load(withModels('').replace('model: gpt-5.4-mini', 'model: GPT-5.4-mini'));
    expect(policy.models.get('balanced')!.pricing.source).toMatchObject({ catalogueId: 'gpt-5.4-mini', exact: true });
  });

  it('no baseline: the model with the highest output price', () => {
    const policy = load(
      dedent(`
        default: cheap
        models:
          cheap:
            provider: openai
            model: gpt-5.4-mini
          pricey:
            provider: openai-compatible
            model: big
            price: { input: 1, output: 30 }
          flagship:
            provider: anthropic
            model: claude-opus-5-5
      `),
    );
    expect(policy.baseline).toBe('pricey');
    expect(policy.baselineImplied).toBe(true);
  });

  it('a price override with cache prices and 6 decimals, exactly', () => {
    const policy = load(
      dedent(`
        default: local
        models:
          local:
            provider: openai-compatible
            model: llama3.2:3b
            price: { input: 0.123456, output: 1.5, cache_read: 0.012345, cache_write: 0.15 }
      `),
    );
    const r = policy.models.get('local')!.pricing.rates;
    expect([r.input.base, r.output.base, r.cacheRead?.base, r.cacheWrite?.base]).toEqual([123_456, 1_500_000, 12_345, 150_000]);
  });

  it('a price override wins over the catalogue', () => {
    const policy = load(withModels('').replace('model: gpt-5.4-mini', 'model: gpt-5.4-mini\n    price: { input: 1, output: 2 }'));
    const m = policy.models.get('balanced')!;
    expect(m.pricing.source).toEqual({ kind: 'override' });
    expect([m.pricing.rates.input.base, m.pricing.rates.output.base, m.pricing.rates.cacheRead]).toEqual([1_000_000, 2_000_000, undefined]);
  });

  it('optional model keys, dotted field paths, lists of values and slash regexes', () => {
    const policy = load(
      withModels(`
        classes:
          - name: tagged
            description: records tagged by the team
            when: { field: { meta.level: [1, 2], lang: null } }
            route: flagship
          - name: shouty
            when: { regex: "/^HELP/i" }
            route: flagship
      `).replace('model: gpt-5.4-mini', 'model: gpt-5.4-mini\n    api_key_env: MY_KEY\n    api: responses\n    max_tokens: 800'),
    );
    const balanced = policy.models.get('balanced')!;
    expect([balanced.apiKeyEnv, balanced.api, balanced.maxTokens]).toEqual(['MY_KEY', 'responses', 800]);
    expect(policy.classes[0]!.when).toEqual({
      kind: 'all',
      of: [
        { kind: 'field', key: 'meta.level', path: ['meta', 'level'], values: [1, 2] },
        { kind: 'field', key: 'lang', path: ['lang'], values: [null] },
      ],
    });
    const shouty = policy.classes[1]!.when;
    expect(shouty.kind === 'regex' && [shouty.source, shouty.re.test('help me'), shouty.re.test('x\nhelp')]).toEqual(['/^HELP/i', true, false]);
  });
});

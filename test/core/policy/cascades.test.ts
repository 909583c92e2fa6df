import { describe, expect, it } from 'vitest';
import { PolicyError, formatProblem, type PolicyProblem } from '../../../src/core/errors.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import type { PolicyFiles } from '../../../src/core/routing/checks/compile.js';
import { compileJsonSchema } from '../../../src/core/routing/checks/json-schema.js';
import { describeCheck } from '../../../src/core/routing/checks/evaluate.js';
import { dedent, NOW } from '../../support.js';

const FILES: Record<string, unknown> = { 'schemas/answer.json': { type: 'object' } };
const files: PolicyFiles = { read: (name) => (name in FILES ? { ok: true, json: FILES[name] } : { ok: false, message: 'no such file' }), compileSchema: compileJsonSchema };
const load = (text: string) => parsePolicy(text, 'routes.yaml', { now: NOW, files });

/** Two models on lines 1-8, then the rest from line 9. */
const withModels = (rest: string) =>
  dedent(`
    default: quick
    models:
      flagship:
        provider: anthropic
        model: claude-opus-5-5
      quick:
        provider: anthropic
        model: claude-haiku-4-5
  `) + dedent(rest);

function problemsOf(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).problems.map((p: PolicyProblem) => formatProblem('routes.yaml', p));
  }
  throw new Error('expected the policy to be rejected');
}

describe('cascades in routes.yaml', () => {
  it('accepts the policy of the issue; routes and the default may name a cascade', () => {
    const policy = load(
      withModels(`
        cascades:
          careful:
            try: [quick, flagship]
            accept:
              all:
                - finish_reason: stop
                - regex: "####\\\\s*-?[0-9]"
                - check: arithmetic
                - json_schema: schemas/answer.json
        classes:
          - name: math
            when: { keywords: [how many, how much, total] }
            route: careful
      `).replace('default: quick', 'default: careful'),
    );
    const c = policy.cascades.get('careful')!;
    expect(c.try).toEqual(['quick', 'flagship']);
    expect(describeCheck(c.accept)).toBe('all(finish_reason stop; regex ####\\s*-?[0-9]; arithmetic; JSON valid against schemas/answer.json)');
    expect([policy.classes[0]!.route, policy.default]).toEqual(['careful', 'careful']);
  });

  it.each([
    {
      name: 'an unknown model in try',
      rest: 'cascades:\n  careful: { try: [quick, flagshp], accept: { check: arithmetic } }\n',
      want: ['routes.yaml:10 cascades.careful.try[1]: unknown model "flagshp" (did you mean "flagship"?)\n  hint: a cascade step must name one of the models: flagship, quick'],
    },
    {
      name: 'a model tried twice',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship, quick]\n    accept: { check: arithmetic }\n',
      want: ['routes.yaml:11 cascades.careful.try[2]: "quick" is tried twice\n  hint: the same model would give the same kind of answer again: list each model once'],
    },
    {
      name: 'fewer than two steps',
      rest: 'cascades:\n  careful:\n    try: [quick]\n    accept: { check: arithmetic }\n',
      want: ['routes.yaml:11 cascades.careful.try: a cascade tries at least two models, got 1\n  hint: for example `try: [quick, flagship]`; to use one model, route to it directly'],
    },
    {
      name: 'a regex that does not compile',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n    accept:\n      any:\n        - contains: "####"\n        - regex: "(a+"\n',
      want: [/^routes\.yaml:15 cascades\.careful\.accept\.any\[1\]\.regex: regex does not compile: missing closing \)/],
    },
    {
      name: 'a regex that could backtrack',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n    accept: { regex: "(\\\\w+)\\\\s\\\\1" }\n',
      want: [/^routes\.yaml:12 cascades\.careful\.accept\.regex: regex does not compile: invalid escape sequence[^]*hint: regexes use RE2 syntax/],
    },
    {
      name: 'a missing schema file',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n    accept:\n      json_schema: schemas/nope.json\n',
      want: ['routes.yaml:13 cascades.careful.accept.json_schema: cannot read JSON Schema "schemas/nope.json": no such file\n  hint: paths are relative to the policy file'],
    },
    {
      name: 'a judge naming an unknown model',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n    accept:\n      judge:\n        model: opus\n',
      want: ['routes.yaml:14 cascades.careful.accept.judge.model: unknown model "opus"\n  hint: a judge must name one of the models: flagship, quick'],
    },
    {
      name: 'a misspelt check key, with did-you-mean',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n    accept:\n      finish_reasn: stop\n',
      want: [/^routes\.yaml:13 cascades\.careful\.accept\.finish_reasn: unknown key \(did you mean "finish_reason"\?\)\n {2}hint: allowed here: regex, contains, /],
    },
    {
      name: 'a bad finish reason',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n    accept: { finish_reason: stopp }\n',
      want: [/^routes\.yaml:12 cascades\.careful\.accept\.finish_reason: must be one of stop, length, content_filter, tool_use, refusal, other, or a list of them\n {2}hint: for example `finish_reason: stop`$/],
    },
    {
      name: 'a cascade named like a model',
      rest: 'cascades:\n  quick:\n    try: [quick, flagship]\n    accept: { check: json }\n',
      want: ['routes.yaml:10 cascades.quick: "quick" is both a model and a cascade\n  hint: routes name either; give the cascade another name'],
    },
    {
      name: 'a route naming neither a model nor a cascade',
      rest: 'cascades:\n  careful: { try: [quick, flagship], accept: { check: json } }\nclasses:\n  - { name: m, when: { keywords: [x] }, route: carefull }\n',
      want: ['routes.yaml:12 classes[0].route: unknown model or cascade "carefull" (did you mean "careful"?)\n  hint: route must name one of the models (flagship, quick) or cascades (careful)'],
    },
    {
      name: 'a cascade without accept',
      rest: 'cascades:\n  careful:\n    try: [quick, flagship]\n',
      want: [/^routes\.yaml:11 cascades\.careful\.accept: is required/],
    },
  ])('rejects $name with file:line, key path and hint', ({ rest, want }) => {
    const got = problemsOf(withModels(rest));
    expect(got).toHaveLength(want.length);
    want.forEach((w, i) => (typeof w === 'string' ? expect(got[i]).toBe(w) : expect(got[i]).toMatch(w)));
  });
});

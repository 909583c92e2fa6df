import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/core/errors.js';
import { apiOf, optionLikeKeys, parseOptionFlags, recordOptions, resolveOptions } from '../../../src/core/policy/resolve-options.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import { dedent, NOW } from '../../support.js';

describe('--option KEY=VALUE', () => {
  it('reads numbers and lists as JSON and words as strings', () => {
    expect(parseOptionFlags(['temperature=0.2', 'seed=7', 'stop=END', 'reasoning_effort=low', 'stop=["a","b"]'])).toEqual({
      ok: true,
      value: { temperature: 0.2, seed: 7, stop: ['a', 'b'], reasoning_effort: 'low' },
    });
  });

  it('rejects unknown keys with a suggestion, bad values and a missing =', () => {
    expect(parseOptionFlags(['temprature=1'])).toEqual({ ok: false, message: expect.stringContaining('unknown option (did you mean "temperature"?)') });
    expect(parseOptionFlags(['temperature=hot'])).toEqual({ ok: false, message: '--option temperature: must be a number from 0 to 2' });
    expect(parseOptionFlags(['top_p=1.5'])).toEqual({ ok: false, message: '--option top_p: must be a number from 0 to 1' });
    expect(parseOptionFlags(['temperature'])).toMatchObject({ ok: false, message: expect.stringContaining('expected KEY=VALUE') });
  });
});

describe('record options', () => {
  it('takes the option keys of a record and checks them', () => {
    expect(recordOptions({ prompt: 'x', temperature: 0.1, top_k: 5 })).toEqual({ ok: true, value: { temperature: 0.1, top_k: 5 } });
    expect(recordOptions({ temperature: '0.1' })).toEqual({ ok: false, message: '"temperature" must be a number from 0 to 2' });
  });

  it('finds keys that look like options frugal does not know', () => {
    expect(optionLikeKeys({ prompt: 'x', temperature: 1, frequency_penalty: 0.5, max_completion_tokens: 9, difficulty: 'hard' })).toEqual(['frequency_penalty', 'max_completion_tokens']);
  });
});

describe('resolveOptions', () => {
  it('takes the record over the flag over the model', () => {
    const r = resolveOptions('quick', 'messages', { model: { temperature: 0, top_k: 3 }, flag: { temperature: 0.5, top_p: 0.9 }, record: { temperature: 1 } });
    expect(r).toEqual({ options: { temperature: 1, top_k: 3, top_p: 0.9 } });
  });

  it('refuses an option the API does not take, naming option, model and what it takes', () => {
    const r = resolveOptions('balanced', 'responses', { flag: { seed: 4 } });
    expect(r).toEqual({
      error: 'option seed (from --option) is not accepted by model balanced: its API (OpenAI Responses) takes temperature, top_p, reasoning_effort, service_tier',
      hint: expect.any(String),
    });
    expect(resolveOptions('quick', 'messages', { record: { reasoning_effort: 'low' } })).toMatchObject({ error: expect.stringContaining('reasoning_effort (from the record)') });
  });

  it('knows the API of each provider kind', () => {
    expect(apiOf({ provider: 'openai', api: undefined })).toBe('responses');
    expect(apiOf({ provider: 'openai', api: 'chat' })).toBe('chat');
    expect(apiOf({ provider: 'anthropic', api: undefined })).toBe('messages');
    expect(apiOf({ provider: 'openai-compatible', api: undefined })).toBe('chat');
  });
});

describe('options: and schema: in routes.yaml', () => {
  const policy = (extra: string) =>
    dedent(`
      default: quick
      models:
        quick:
          provider: anthropic
          model: claude-haiku-4-5
          options: { temperature: 0.3, stop: END${extra} }
      classes:
        - name: extract
          when: { keywords: [extract] }
          route: quick
          schema: { type: object, properties: { name: { type: string } }, required: [name] }
    `);

  it('keeps checked options (normalized) and the class schema', () => {
    const p = parsePolicy(policy(''), 'routes.yaml', { now: NOW });
    expect(p.models.get('quick')!.options).toEqual({ temperature: 0.3, stop: ['END'] });
    expect(p.classes[0]!.schema).toEqual({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] });
  });

  it('reports unknown options, options the API refuses and bad values with file:line', () => {
    let err: PolicyError | undefined;
    try {
      parsePolicy(policy(', seed: 1, temprature: 1, top_p: 7'), 'routes.yaml', { now: NOW });
    } catch (e) {
      err = e as PolicyError;
    }
    expect(err?.problems.map((p) => `${p.line} ${p.path}: ${p.message}`)).toEqual([
      "6 models.quick.options.seed: model quick's API (messages) does not accept seed",
      '6 models.quick.options.temprature: unknown option (did you mean "temperature"?)',
      '6 models.quick.options.top_p: top_p must be a number from 0 to 1',
    ]);
  });

  it('reports a schema Ajv cannot compile', () => {
    const text = policy('').replace('type: object, properties', 'type: objekt, properties');
    expect(() => parsePolicy(text, 'routes.yaml', { now: NOW })).toThrow(/routes.yaml:11 classes\[0\].schema: not a valid JSON Schema/);
  });
});

import { describe, expect, it } from 'vitest';
import { answerSchemas } from '../../../src/core/quality/answer-schema.js';
import { compileJsonSchema, validateAnswer } from '../../../src/core/quality/json-schema.js';
import { parsePolicy } from '../../../src/core/policy/parse.js';
import { dedent, NOW } from '../../support.js';

const policy = parsePolicy(
  dedent(`
    default: quick
    models:
      quick: { provider: anthropic, model: claude-haiku-4-5 }
    classes:
      - name: extract
        when: { keywords: [extract] }
        route: quick
        schema: { type: object, properties: { name: { type: string } }, required: [name] }
  `),
  'routes.yaml',
  { now: NOW },
);

describe('answerSchemas', () => {
  it("gives a class its schema, none to other prompts, and --schema to every prompt", () => {
    const forClass = answerSchemas(policy, undefined);
    expect(forClass('extract')?.name).toBe('extract');
    expect(forClass(null)).toBeUndefined();
    expect(validateAnswer('{"name": "Ada"}', forClass('extract')!)).toMatchObject({ ok: true });
    expect(validateAnswer('{"nom": "Ada"}', forClass('extract')!)).toEqual({ ok: false, message: "schema extract: $ must have required property 'name'" });

    const flag = compileJsonSchema({ type: 'array' }, 'list.json');
    if (!flag.ok) throw new Error(flag.message);
    const all = answerSchemas(policy, flag.validator);
    expect(all('extract')?.name).toBe('list');
    expect(all(null)?.name).toBe('list');
  });
});

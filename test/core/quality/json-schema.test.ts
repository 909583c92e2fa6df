import { describe, expect, it } from 'vitest';
import { compileJsonSchema, validateAnswer, type JsonSchemaValidator } from '../../../src/core/quality/json-schema.js';

const person = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } }, required: ['name'], additionalProperties: false };

function compiled(schema: unknown, name = 'person.json'): JsonSchemaValidator {
  const c = compileJsonSchema(schema, name);
  if (!c.ok) throw new Error(c.message);
  return c.validator;
}

describe('JSON Schema validation', () => {
  it('accepts a conforming answer, whole or fenced', () => {
    const v = compiled(person);
    expect(v.name).toBe('person');
    expect(validateAnswer('{"name": "Ada", "age": 36}', v)).toEqual({ ok: true, value: { name: 'Ada', age: 36 } });
    expect(validateAnswer('Here:\n```json\n{"name": "Ada"}\n```', v)).toEqual({ ok: true, value: { name: 'Ada' } });
  });

  it('says where an answer breaks the schema', () => {
    const v = compiled(person);
    expect(validateAnswer('{"age": -1, "x": 1}', v)).toEqual({
      ok: false,
      message: "schema person: $ must have required property 'name'; $ must NOT have additional properties (x); $.age must be >= 0",
    });
    expect(validateAnswer('no json here', v)).toEqual({ ok: false, message: 'schema person: no JSON in the answer' });
  });

  it('names the schema by its title, cleaned for the APIs', () => {
    expect(compiled({ title: 'A person!', type: 'object' }).name).toBe('A_person');
  });

  it('rejects what is not a schema', () => {
    expect(compileJsonSchema([1], 'x')).toEqual({ ok: false, message: expect.stringContaining('must be an object') });
    expect(compileJsonSchema({ type: 'objekt' }, 'x')).toEqual({ ok: false, message: expect.stringContaining('not a valid JSON Schema') });
  });
});

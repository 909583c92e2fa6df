import { Ajv, type AnySchema, type Options } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compileSafeRegex } from '../safe-regex.js';
import type { SchemaValidator } from './types.js';

/** Schema `pattern`s run on RE2 too: a schema file cannot make an answer check hang. */
const regExp = Object.assign((pattern: string) => compileSafeRegex(pattern), { code: 'RE2JS' });

// strict off and no logger: core prints nothing; an unknown `format` is not checked.
const OPTIONS: Options = { strict: false, logger: false, allErrors: false, code: { regExp } };

export class SchemaFileError extends Error {}

/** Compile a JSON Schema (draft-07, or 2020-12 when its `$schema` says so) into a validator. */
export function compileJsonSchema(schema: unknown): SchemaValidator {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    if (typeof schema !== 'boolean') throw new SchemaFileError('a JSON Schema is an object (or true/false)');
  }
  const id = typeof schema === 'object' && schema !== null ? (schema as { $schema?: unknown }).$schema : undefined;
  const ajv = typeof id === 'string' && id.includes('2020-12') ? new Ajv2020(OPTIONS) : new Ajv(OPTIONS);
  let validate;
  try {
    validate = ajv.compile(schema as AnySchema);
  } catch (err) {
    throw new SchemaFileError(`not a valid JSON Schema: ${(err as Error).message}`);
  }
  return (value) => {
    if (validate(value)) return true;
    const e = validate.errors?.[0];
    return e ? `${e.instancePath || '(the answer)'} ${e.message ?? 'is not valid'}` : 'is not valid';
  };
}

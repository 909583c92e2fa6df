import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { extractJson } from './grade-extract.js';

/**
 * JSON Schema validation, shared by `--schema`, a class's `schema:` in routes.yaml and the
 * `json_schema` answer check. Ajv (draft 2020-12's everyday keywords, draft-07 by default) compiles
 * a schema once into a function; each answer is then one call.
 */
export interface JsonSchemaValidator {
  /** The schema's name (its title, or the file it came from): what the structured-output request carries. */
  readonly name: string;
  readonly schema: Record<string, unknown>;
  /** Null when `value` conforms; else the first problems, as one line. */
  check(value: unknown): string | null;
}

export type Compiled = { ok: true; validator: JsonSchemaValidator } | { ok: false; message: string };

let shared: Ajv | undefined;
// One Ajv for the process: it caches compiled schemas by their content.
const ajv = () => (shared ??= new Ajv({ allErrors: true, strict: false }));

/** Compile a JSON Schema; a schema Ajv rejects comes back as a message, never thrown. */
export function compileJsonSchema(schema: unknown, name: string): Compiled {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return { ok: false, message: 'a JSON Schema must be an object, such as {"type": "object", "properties": {...}}' };
  let fn: ValidateFunction;
  try {
    fn = ajv().compile(schema);
  } catch (err) {
    return { ok: false, message: `not a valid JSON Schema: ${(err as Error).message}` };
  }
  const title = (schema as { title?: unknown }).title;
  return {
    ok: true,
    validator: {
      name: schemaName(typeof title === 'string' && title !== '' ? title : name),
      schema: schema as Record<string, unknown>,
      check: (value) => (fn(value) ? null : describeErrors(fn.errors ?? [])),
    },
  };
}

/** Structured-output APIs want a name of letters, digits, `_` and `-`, at most 64 long. */
function schemaName(text: string): string {
  const name = text.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);
  return name || 'answer';
}

function describeErrors(errors: ErrorObject[]): string {
  const shown = errors.slice(0, 3).map((e) => {
    const at = e.instancePath === '' ? '$' : `$${e.instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.')}`;
    const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : e.keyword === 'enum' ? `: ${(e.params as { allowedValues?: unknown[] }).allowedValues?.map((v) => JSON.stringify(v)).join(', ')}` : '';
    return `${at} ${e.message ?? e.keyword}${extra}`;
  });
  return shown.join('; ') + (errors.length > 3 ? `; and ${errors.length - 3} more` : '');
}

export type AnswerValidation = { ok: true; value: unknown } | { ok: false; message: string };

/** An answer against a schema: it must hold JSON (the whole answer, or its fenced block) that conforms. */
export function validateAnswer(answer: string, validator: JsonSchemaValidator): AnswerValidation {
  const json = extractJson(answer);
  if (!json.ok) return { ok: false, message: `schema ${validator.name}: ${json.message}` };
  const problem = validator.check(json.value);
  return problem === null ? { ok: true, value: json.value } : { ok: false, message: `schema ${validator.name}: ${problem}` };
}

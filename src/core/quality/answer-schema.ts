import type { Policy } from '../policy/types.js';
import { compileJsonSchema, type JsonSchemaValidator } from './json-schema.js';

/**
 * The schema each prompt's answer must conform to: `--schema` for every prompt, else its class's
 * `schema:` in routes.yaml, else none. Class schemas compile once, on first use.
 */
export function answerSchemas(policy: Pick<Policy, 'classes'>, flag: JsonSchemaValidator | undefined): (className: string | null) => JsonSchemaValidator | undefined {
  const compiled = new Map<string, JsonSchemaValidator | undefined>();
  return (className) => {
    if (flag) return flag;
    if (className === null) return undefined;
    if (compiled.has(className)) return compiled.get(className);
    const rule = policy.classes.find((c) => c.name === className);
    // validate.ts compiled every class schema already: a failure here cannot happen for a loaded policy.
    const c = rule?.schema ? compileJsonSchema(rule.schema, rule.name) : undefined;
    const validator = c?.ok ? c.validator : undefined;
    compiled.set(className, validator);
    return validator;
  };
}

import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../core/errors.js';
import type { ModelOptions } from '../core/policy/options.js';
import { checkFlagOptions, OPTION_KEYS, parseOptionFlags } from '../core/policy/resolve-options.js';
import type { Policy } from '../core/policy/types.js';
import type { JsonSchemaValidator } from '../core/quality/json-schema.js';
import { collect } from './common.js';

/** What -s/--system, --system-file, --option and --schema are parsed into. */
export interface PromptFlagValues {
  system?: string | undefined;
  systemFile?: string | undefined;
  option?: string[] | undefined;
  schema?: string | undefined;
}

export interface PromptSettings {
  /** The system prompt of every prompt whose record has none. */
  system?: string | undefined;
  /** --option flags, checked against every model the run can send to. */
  options: ModelOptions;
  /** --schema FILE, compiled. */
  schema?: JsonSchemaValidator | undefined;
}

/** The flags that shape each request: system prompt, model options, answer schema. */
export function addPromptFlags(cmd: Command, which: { options?: boolean; schema?: boolean } = { options: true, schema: true }): Command {
  cmd
    .option('-s, --system <text>', "the system prompt of every prompt (a record's own system wins)")
    .option('--system-file <file>', 'read the system prompt from FILE');
  if (which.options) cmd.option('--option <key=value>', `a model option for every request, e.g. temperature=0.2 (repeatable; ${OPTION_KEYS.join(', ')}); a record's own keys win, then this, then the model's options: in routes.yaml`, collect);
  if (which.schema) cmd.option('--schema <file>', 'a JSON Schema file: ask for structured answers and fail every answer that does not conform');
  return cmd;
}

async function readText(file: string, cwd: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new UserError(`${what} ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Read and check the prompt flags before anything is read or sent; mistakes are UserErrors (exit 2). */
export async function promptSettings(cwd: string, flags: PromptFlagValues, policy: Policy, forcedModel?: string): Promise<PromptSettings> {
  if (flags.system !== undefined && flags.systemFile !== undefined) throw new UserError('give -s/--system or --system-file, not both');
  let system = flags.system;
  if (flags.systemFile !== undefined) system = (await readText(flags.systemFile, cwd, '--system-file')).replace(/\n$/, '');
  if (system !== undefined && system.trim() === '') throw new UserError('the system prompt is empty', 'leave out -s/--system-file for no system prompt');

  const parsed = parseOptionFlags(flags.option ?? []);
  if (!parsed.ok) throw new UserError(parsed.message, `options: ${OPTION_KEYS.join(', ')}`);
  const refused = checkFlagOptions(policy, parsed.value, forcedModel);
  if (refused) throw new UserError(refused.error, refused.hint);

  let schema: JsonSchemaValidator | undefined;
  if (flags.schema !== undefined) {
    const text = await readText(flags.schema, cwd, '--schema');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UserError(`--schema ${flags.schema}: not JSON (${(err as Error).message})`, 'a JSON Schema file, such as {"type": "object", "properties": {"answer": {"type": "string"}}}');
    }
    const { compileJsonSchema } = await import('../core/quality/json-schema.js');
    const compiled = compileJsonSchema(value, basename(flags.schema));
    if (!compiled.ok) throw new UserError(`--schema ${flags.schema}: ${compiled.message}`);
    schema = compiled.validator;
  }
  return { system, options: parsed.value, schema };
}

import { z } from 'zod';
import { CascadeSchema, cascadeKeysAt, CHECK_EXAMPLES, ScoreSchema, type ScoreInput } from '../routing/checks/schema.js';

export const PROVIDERS = ['openai', 'anthropic', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

const usd = z.number().nonnegative();
const tokens = z.int().nonnegative();
const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const BatchPriceSchema = z.union([
  z.number().min(0).max(1),
  z.strictObject({ input: usd, output: usd, cache_read: usd.optional(), cache_write: usd.optional() }),
]);

export const PriceSchema = z
  .strictObject({
    input: usd.optional(),
    output: usd.optional(),
    cache_read: usd.optional(),
    cache_write: usd.optional(),
    /** Batch API price: a share of the normal price (0.5), or its own `{input, output, ...}`. */
    batch: BatchPriceSchema.optional(),
  })
  .refine((p) => (p.input === undefined) === (p.output === undefined) && (p.input !== undefined || (p.cache_read === undefined && p.cache_write === undefined)), {
    message: 'give both input and output (USD per million tokens), or only `batch:`',
  });

export interface MatcherInput {
  regex?: string | undefined;
  keywords?: string[] | undefined;
  min_prompt_tokens?: number | undefined;
  max_prompt_tokens?: number | undefined;
  field?: Record<string, z.infer<typeof scalar> | z.infer<typeof scalar>[]> | undefined;
  all?: MatcherInput[] | undefined;
  any?: MatcherInput[] | undefined;
  not?: MatcherInput | undefined;
  similar_to?: SimilarToInput | undefined;
  /** A prompt scorer (`frugal train`): the prompt's score reaches the threshold. */
  score?: ScoreInput | undefined;
}

export interface SimilarToInput {
  examples?: string[] | undefined;
  examples_file?: string | undefined;
  threshold: number;
}

export const SimilarToSchema = z
  .strictObject({
    examples: z.array(z.string().regex(/\S/, 'an example must not be blank')).min(1).optional(),
    examples_file: z.string().min(1).optional(),
    threshold: z.number({ error: 'is required: the similarity (0 to 1) a prompt must reach' }).min(0).max(1),
  })
  .refine((s) => (s.examples === undefined) !== (s.examples_file === undefined), {
    message: 'give either examples or examples_file (not both)',
  });

export const MatcherSchema: z.ZodType<MatcherInput> = z.lazy(() =>
  z
    .strictObject({
      regex: z.string().min(1).optional(),
      keywords: z.array(z.string().regex(/\S/, 'a keyword must not be blank')).min(1).optional(),
      min_prompt_tokens: tokens.optional(),
      max_prompt_tokens: tokens.optional(),
      field: z.record(z.string().min(1), z.union([scalar, z.array(scalar).min(1)])).optional(),
      all: z.array(MatcherSchema).min(1).optional(),
      any: z.array(MatcherSchema).min(1).optional(),
      not: MatcherSchema.optional(),
      similar_to: SimilarToSchema.optional(),
      score: ScoreSchema.optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      message: 'a condition needs at least one of: ' + MATCHER_KEYS.join(', '),
    }),
);

export const ModelSchema = z.strictObject({
  provider: z.enum(PROVIDERS),
  model: z.string().min(1),
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  api_key_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').optional(),
  api: z.enum(['chat', 'responses']).optional(),
  max_tokens: z.int().positive().optional(),
  price: PriceSchema.optional(),
  fallback: z.string().min(1).optional(),
  /** Model options (temperature, top_p, ...): keys and values are checked in validate.ts. */
  options: z.record(z.string(), z.unknown()).optional(),
  /** Send this model's prompts through the provider's batch API (openai, anthropic). */
  batch: z.boolean().optional(),
});

export const ClassSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  when: MatcherSchema,
  route: z.string().min(1),
  /** A JSON Schema every answer of this class must conform to (compiled in validate.ts). */
  schema: z.record(z.string(), z.unknown()).optional(),
});

/** A `tests:` entry: a prompt (or messages, as in input files) and the class or route it must get. */
export const PolicyTestSchema = z.looseObject({
  prompt: z.string().optional(),
  messages: z.array(z.unknown()).optional(),
  class: z.string().min(1).optional(),
  route: z.string().min(1).optional(),
});

export const BudgetSchema = z.strictObject({
  max_spend: usd.optional(),
  per_model: z.record(z.string().min(1), usd).optional(),
});

export const PolicySchema = z.strictObject({
  baseline: z.string().min(1).optional(),
  default: z.string({ error: 'is required: the route for prompts no class matches' }).min(1),
  tokenizer: z.enum(['estimate', 'o200k']).optional(),
  models: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'model aliases use letters, digits, "_", "-" and "."'), ModelSchema)
    .refine((m) => Object.keys(m).length > 0, 'at least one model is required'),
  classes: z.array(ClassSchema).optional(),
  cascades: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'cascade names use letters, digits, "_", "-" and "."'), CascadeSchema).optional(),
  budget: BudgetSchema.optional(),
  embedder: z.string().min(1).optional(),
  tests: z.array(PolicyTestSchema).optional(),
  tests_file: z.string().min(1).optional(),
});

export type PolicyInput = z.infer<typeof PolicySchema>;

export const TOP_KEYS = Object.keys(PolicySchema.shape);
export const MODEL_KEYS = Object.keys(ModelSchema.shape);
export const CLASS_KEYS = Object.keys(ClassSchema.shape);
export const PRICE_KEYS = ['input', 'output', 'cache_read', 'cache_write', 'batch'];
export const BUDGET_KEYS = Object.keys(BudgetSchema.shape);
export const MATCHER_KEYS = [
  'regex',
  'keywords',
  'min_prompt_tokens',
  'max_prompt_tokens',
  'field',
  'all',
  'any',
  'not',
  'similar_to',
  'score',
];
export const SIMILAR_KEYS = Object.keys(SimilarToSchema.shape);

const EXAMPLES: Record<string, string> = {
  baseline: 'baseline: flagship',
  default: 'default: balanced',
  tokenizer: 'tokenizer: o200k',
  models: 'models: { balanced: { provider: openai, model: gpt-5.4-mini } }',
  provider: 'provider: openai',
  model: 'model: gpt-5.4-mini',
  base_url: 'base_url: http://localhost:11434/v1',
  api_key_env: 'api_key_env: OPENAI_API_KEY',
  api: 'api: responses',
  max_tokens: 'max_tokens: 1024',
  price: 'price: { input: 0.5, output: 1.5 }',
  input: 'input: 0.5',
  output: 'output: 1.5',
  cache_read: 'cache_read: 0.05',
  cache_write: 'cache_write: 0.625',
  fallback: 'fallback: balanced',
  options: 'options: { temperature: 0.2 }',
  schema: 'schema: { type: object, properties: { answer: { type: string } }, required: [answer] }',
  batch: 'batch: true',
  classes: 'classes: [{ name: lookup, when: { keywords: [what] }, route: quick }]',
  name: 'name: lookup',
  description: 'description: short factual questions',
  when: 'when: { keywords: [what, who] }',
  route: 'route: quick',
  regex: 'regex: "```|\\bdef "',
  keywords: 'keywords: [refactor, compile]',
  min_prompt_tokens: 'min_prompt_tokens: 2000',
  max_prompt_tokens: 'max_prompt_tokens: 200',
  field: 'field: { difficulty: hard }',
  all: 'all: [{ keywords: [what] }, { max_prompt_tokens: 200 }]',
  any: 'any: [{ regex: "```" }, { keywords: [refactor] }]',
  not: 'not: { keywords: [why, explain] }',
  similar_to: 'similar_to: { examples: ["How do I reset my password?"], threshold: 0.5 }',
  examples: 'examples: ["How do I reset my password?", "My invoice is wrong"]',
  examples_file: 'examples_file: support-examples.txt',
  threshold: 'threshold: 0.5',
  embedder: 'embedder: builtin',
  tests: 'tests: [{ prompt: "Reset my password", class: support }]',
  tests_file: 'tests_file: routes.tests.jsonl',
  budget: 'budget: { max_spend: 5 }',
  max_spend: 'max_spend: 5',
  per_model: 'per_model: { flagship: 2 }',
  ...CHECK_EXAMPLES,
};

/** An example of the key at `path` written correctly, for hints on wrong values. */
export function exampleFor(path: readonly PropertyKey[]): string | undefined {
  let example: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key === 'string' && Object.hasOwn(EXAMPLES, key)) example = EXAMPLES[key];
    // The key after these is a name the user chose (a model alias, a record field), not a schema key.
    if (key === 'models' || key === 'field' || key === 'per_model' || key === 'cascades') i++;
    // Below these is free-form content the user wrote (option values, a JSON Schema).
    if (key === 'options' || key === 'schema') break;
  }
  return example;
}

/** The keys allowed in the mapping at `path`, for did-you-mean hints on unknown keys. */
export function keysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return TOP_KEYS;
  if (path[0] === 'models') return path.length === 2 ? MODEL_KEYS : path[2] === 'price' ? PRICE_KEYS : [];
  if (path[0] === 'budget') return BUDGET_KEYS;
  if (path[0] === 'classes') return path.length === 2 ? CLASS_KEYS : path[path.length - 1] === 'similar_to' ? SIMILAR_KEYS : MATCHER_KEYS;
  if (path[0] === 'cascades') return path.length === 1 ? [] : cascadeKeysAt(path.slice(2));
  return [];
}

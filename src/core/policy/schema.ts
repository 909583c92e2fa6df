import { z } from 'zod';

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
}

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
  /** Send this model's prompts through the provider's batch API (openai, anthropic). */
  batch: z.boolean().optional(),
});

export const ClassSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  when: MatcherSchema,
  route: z.string().min(1),
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
  budget: BudgetSchema.optional(),
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
];

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
  budget: 'budget: { max_spend: 5 }',
  max_spend: 'max_spend: 5',
  per_model: 'per_model: { flagship: 2 }',
};

/** An example of the key at `path` written correctly, for hints on wrong values. */
export function exampleFor(path: readonly PropertyKey[]): string | undefined {
  let example: string | undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key === 'string' && Object.hasOwn(EXAMPLES, key)) example = EXAMPLES[key];
    // The key after these is a name the user chose (a model alias, a record field), not a schema key.
    if (key === 'models' || key === 'field' || key === 'per_model') i++;
  }
  return example;
}

/** The keys allowed in the mapping at `path`, for did-you-mean hints on unknown keys. */
export function keysAt(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return TOP_KEYS;
  if (path[0] === 'models') return path.length === 2 ? MODEL_KEYS : path[2] === 'price' ? PRICE_KEYS : [];
  if (path[0] === 'budget') return BUDGET_KEYS;
  if (path[0] === 'classes') return path.length === 2 ? CLASS_KEYS : MATCHER_KEYS;
  return [];
}

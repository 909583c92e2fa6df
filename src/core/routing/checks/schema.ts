import { z } from 'zod';
import type { FinishReason } from '../../execution/calls.js';
import { FINISH_REASONS } from './types.js';

export { FINISH_REASONS };

/** routes.yaml's answer checks, as written: a mapping of one or more keys (several keys: all of them). */
export interface CheckInput {
  regex?: string | undefined;
  contains?: string | undefined;
  min_answer_tokens?: number | undefined;
  max_answer_tokens?: number | undefined;
  finish_reason?: FinishReason | FinishReason[] | undefined;
  refusal?: boolean | undefined;
  json?: true | undefined;
  json_schema?: string | undefined;
  number?: true | { integer?: boolean | undefined } | undefined;
  arithmetic?: true | undefined;
  check?: NamedCheck | undefined;
  judge?: JudgeInput | undefined;
  score?: ScoreInput | undefined;
  all?: CheckInput[] | undefined;
  any?: CheckInput[] | undefined;
  not?: CheckInput | undefined;
}

export interface JudgeInput {
  model: string;
  prompt?: string | undefined;
  verdict?: string | undefined;
}

export interface ScoreInput {
  file: string;
  threshold?: number | undefined;
}


/** `check: NAME`, the short form of the checks that take no argument. */
export const NAMED_CHECKS = ['arithmetic', 'json', 'number', 'integer', 'not_refusal'] as const;
export type NamedCheck = (typeof NAMED_CHECKS)[number];

const finishReason = z.enum(FINISH_REASONS);
const only = (what: string) => z.literal(true, { error: `write \`${what}: true\` (or leave the key out)` });

export const JudgeSchema = z.strictObject({
  model: z.string().min(1),
  prompt: z.string().min(1).optional(),
  verdict: z.string().min(1).optional(),
});

export const ScoreSchema = z.strictObject({
  file: z.string().min(1),
  threshold: z.number().min(0).max(1).optional(),
});

export const CheckSchema: z.ZodType<CheckInput> = z.lazy(() =>
  z
    .strictObject({
      regex: z.string().min(1).optional(),
      contains: z.string().min(1).optional(),
      min_answer_tokens: z.int().nonnegative().optional(),
      max_answer_tokens: z.int().nonnegative().optional(),
      finish_reason: z.union([finishReason, z.array(finishReason).min(1)], { error: `must be one of ${FINISH_REASONS.join(', ')}, or a list of them` }).optional(),
      refusal: z.boolean().optional(),
      json: only('json').optional(),
      json_schema: z.string().min(1).optional(),
      number: z.union([only('number'), z.strictObject({ integer: z.boolean().optional() })]).optional(),
      arithmetic: only('arithmetic').optional(),
      check: z.enum(NAMED_CHECKS).optional(),
      judge: JudgeSchema.optional(),
      score: ScoreSchema.optional(),
      all: z.array(CheckSchema).min(1).optional(),
      any: z.array(CheckSchema).min(1).optional(),
      not: CheckSchema.optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), {
      message: 'a check needs at least one of: ' + CHECK_KEYS.join(', '),
    }),
);

export const CascadeSchema = z.strictObject({
  try: z.array(z.string().min(1)),
  accept: CheckSchema,
});

export type CascadeInput = z.infer<typeof CascadeSchema>;

export const CHECK_KEYS = [
  'regex',
  'contains',
  'min_answer_tokens',
  'max_answer_tokens',
  'finish_reason',
  'refusal',
  'json',
  'json_schema',
  'number',
  'arithmetic',
  'check',
  'judge',
  'score',
  'all',
  'any',
  'not',
];
export const CASCADE_KEYS = Object.keys(CascadeSchema.shape);
export const JUDGE_KEYS = Object.keys(JudgeSchema.shape);
export const SCORE_KEYS = Object.keys(ScoreSchema.shape);

export const CHECK_EXAMPLES: Record<string, string> = {
  cascades: 'cascades: { careful: { try: [quick, flagship], accept: { check: arithmetic } } }',
  try: 'try: [quick, flagship]',
  accept: 'accept: { all: [{ finish_reason: stop }, { check: arithmetic }] }',
  contains: 'contains: "####"',
  min_answer_tokens: 'min_answer_tokens: 5',
  max_answer_tokens: 'max_answer_tokens: 800',
  finish_reason: 'finish_reason: stop',
  refusal: 'refusal: false',
  json: 'json: true',
  json_schema: 'json_schema: schemas/answer.json',
  number: 'number: { integer: true }',
  integer: 'integer: true',
  arithmetic: 'arithmetic: true',
  check: 'check: arithmetic',
  judge: 'judge: { model: flagship, verdict: "^(yes|correct)" }',
  verdict: 'verdict: "^yes"',
  score: 'score: { file: scorers/math.json, threshold: 0.7 }',
  file: 'file: scorers/math.json',
  threshold: 'threshold: 0.7',
};

/** The keys allowed at `rest`, a path inside one cascade (after `cascades.NAME`). */
export function cascadeKeysAt(rest: readonly PropertyKey[]): string[] {
  if (rest.length === 0) return CASCADE_KEYS;
  const last = rest[rest.length - 1];
  if (last === 'judge') return JUDGE_KEYS;
  if (last === 'score') return SCORE_KEYS;
  if (last === 'number') return ['integer'];
  return CHECK_KEYS;
}

import { z } from 'zod';
import { inputText, userText, type PromptRecord } from '../prompt.js';
import { arithmeticStatements } from '../routing/checks/arithmetic.js';
import { compileSafeRegex, RegexSyntaxError, type SafeRegex } from '../routing/safe-regex.js';

/**
 * A learned scorer: how likely a prompt (kind `prompt`) or a prompt and a cheap model's answer
 * (kind `cascade`) is to be answered well, in 0..1. The `score` check of a cascade reads these
 * files; `frugal train` writes them. The file is JSON, format `frugal-scorer-1`:
 *
 *   { "format": "frugal-scorer-1", "kind": "cascade",
 *     "trained_on": { "prompts": 1200, "source": "gsm8k-train.jsonl" },
 *     "features": { "answer_words": { "kind": "length", "of": "answer", "unit": "words", "log": true },
 *                   "final": { "kind": "regex", "of": "answer", "pattern": "####\\s*-?\\d" },
 *                   "wrong_sums": { "kind": "arithmetic_errors" } },
 *     "model": { "type": "logistic", "bias": -0.4, "weights": { "answer_words": 0.2, "final": 1.7, "wrong_sums": -3 } },
 *     "threshold": 0.6 }
 *
 * Every feature is a pure function of the text; the model is a logistic regression over them.
 */
export interface Scorer {
  kind: 'prompt' | 'cascade';
  /** The threshold the file recommends (a check may set its own). */
  threshold: number;
  score(prompt: PromptRecord, answer?: string): number;
}

export const SCORER_FORMAT = 'frugal-scorer-1';

const of = z.enum(['prompt', 'answer']);
const FeatureSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('length'), of, unit: z.enum(['chars', 'words', 'lines']), log: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('regex'), of, pattern: z.string().min(1) }),
  z.strictObject({ kind: z.literal('arithmetic_errors') }),
]);
export type FeatureSpec = z.infer<typeof FeatureSchema>;

export const ScorerFileSchema = z.strictObject({
  format: z.literal(SCORER_FORMAT),
  kind: z.enum(['prompt', 'cascade']),
  trained_on: z.record(z.string(), z.unknown()),
  features: z.record(z.string().min(1), FeatureSchema),
  model: z.strictObject({ type: z.literal('logistic'), bias: z.number(), weights: z.record(z.string(), z.number()) }),
  threshold: z.number().min(0).max(1),
});
export type ScorerFile = z.infer<typeof ScorerFileSchema>;

export type Feature = (prompt: PromptRecord, answer: string) => number;

const text = (which: 'prompt' | 'answer', prompt: PromptRecord, answer: string) => (which === 'prompt' ? userText(prompt) : answer);

/** One small function per feature kind. */
const FEATURES: { [K in FeatureSpec['kind']]: (spec: Extract<FeatureSpec, { kind: K }>) => Feature } = {
  length: (spec) => {
    const measure = spec.unit === 'chars' ? (t: string) => t.length : spec.unit === 'words' ? (t: string) => t.split(/\s+/).filter(Boolean).length : (t: string) => t.split('\n').length;
    return (p, a) => {
      const n = measure(spec.of === 'prompt' ? inputText(p) : a);
      return spec.log ? Math.log1p(n) : n;
    };
  },
  regex: (spec) => {
    const re: SafeRegex = compileSafeRegex(spec.pattern);
    return (p, a) => (re.test(text(spec.of, p, a)) ? 1 : 0);
  },
  arithmetic_errors: () => (_p, a) => arithmeticStatements(a).filter((s) => !s.ok).length,
};

/** A feature's pure function of the prompt and the answer (a bad regex throws RegexSyntaxError). */
export function feature(spec: FeatureSpec): Feature {
  return (FEATURES[spec.kind] as (s: FeatureSpec) => Feature)(spec);
}

export class ScorerFileError extends Error {}

/** Check a scorer file's JSON and build its scoring function. Throws ScorerFileError in words. */
export function parseScorer(json: unknown): Scorer {
  const parsed = ScorerFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new ScorerFileError(`not a ${SCORER_FORMAT} file: ${at}${issue.message}`);
  }
  const file = parsed.data;
  const features: [number, Feature][] = [];
  for (const [name, weight] of Object.entries(file.model.weights)) {
    const spec = file.features[name];
    if (!spec) throw new ScorerFileError(`model.weights.${name}: no feature of that name`);
    if (file.kind === 'prompt' && (spec.kind === 'arithmetic_errors' || spec.of === 'answer')) {
      throw new ScorerFileError(`features.${name}: a prompt scorer cannot look at the answer`);
    }
    try {
      features.push([weight, feature(spec)]);
    } catch (err) {
      if (err instanceof RegexSyntaxError) throw new ScorerFileError(`features.${name}.pattern: ${err.message}`);
      throw err;
    }
  }
  return {
    kind: file.kind,
    threshold: file.threshold,
    score(prompt, answer = '') {
      let z = file.model.bias;
      for (const [w, f] of features) z += w * f(prompt, answer);
      return 1 / (1 + Math.exp(-z));
    },
  };
}

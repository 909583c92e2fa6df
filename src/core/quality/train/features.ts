import { userText, type PromptRecord } from '../../prompt.js';
import type { CheckInput } from '../../routing/checks/schema.js';
import { feature, type FeatureSpec } from '../scorer.js';

/**
 * The candidate features `frugal train` learns from, as `frugal-scorer-1` feature specs, so that
 * what is trained is exactly what a scorer file computes: lengths, the commonest words of the
 * prompt (and of the answer) as word n-grams, a final number, wrong arithmetic, and every check
 * of the starting policy that a scorer can compute from the text (regex, number, arithmetic).
 */
export interface Example {
  prompt: PromptRecord;
  /** The cheap model's answer (empty when it failed). */
  answer: string;
}

const WORD = /[\p{L}\p{N}]+/gu;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Lowercase words of a text, and their consecutive pairs. */
export function ngrams(text: string): Set<string> {
  const words = (text.toLowerCase().match(WORD) ?? []).filter((w) => !/^\d+$/.test(w));
  const out = new Set<string>(words);
  for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  return out;
}

/** The n-grams found in at least `minShare` and at most `1 - minShare` of the texts, commonest first. */
export function vocabulary(texts: string[], limit: number, minShare = 0.03): string[] {
  const df = new Map<string, number>();
  for (const t of texts) for (const g of ngrams(t)) df.set(g, (df.get(g) ?? 0) + 1);
  const lo = Math.max(2, Math.ceil(minShare * texts.length));
  const hi = texts.length - lo;
  return [...df]
    .filter(([, n]) => n >= lo && n <= hi)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
    .map(([g]) => g);
}

const gramSpec = (g: string, of: 'prompt' | 'answer'): FeatureSpec => ({ kind: 'regex', of, pattern: `/\\b${g.split(' ').map(escape).join('\\s+')}\\b/i` });

/** The text checks of a policy, as scorer features (checks that need a call or metadata are skipped). */
export function checkFeatures(checks: CheckInput[]): Record<string, FeatureSpec> {
  const out: Record<string, FeatureSpec> = {};
  const visit = (c: CheckInput) => {
    if (c.regex) out[`check_regex_${Object.keys(out).length}`] = { kind: 'regex', of: 'answer', pattern: c.regex };
    if (c.contains) out[`check_contains_${Object.keys(out).length}`] = { kind: 'regex', of: 'answer', pattern: `/${escape(c.contains)}/i` };
    if (c.arithmetic || c.check === 'arithmetic') out['check_arithmetic'] = { kind: 'arithmetic_errors' };
    for (const sub of [...(c.all ?? []), ...(c.any ?? []), ...(c.not ? [c.not] : [])]) visit(sub);
  };
  checks.forEach(visit);
  return out;
}

export type FeatureSet = Record<string, FeatureSpec>;

/** The features of a prompt-only router (`cascade` false) or of a cascade scorer. */
export function candidateFeatures(examples: Example[], cascade: boolean, checks: CheckInput[] = [], limit = 30): FeatureSet {
  const out: FeatureSet = {
    prompt_chars: { kind: 'length', of: 'prompt', unit: 'chars', log: true },
    prompt_words: { kind: 'length', of: 'prompt', unit: 'words' },
  };
  vocabulary(examples.map((e) => userText(e.prompt)), limit).forEach((g, i) => (out[`prompt_gram_${i}`] = gramSpec(g, 'prompt')));
  if (!cascade) return out;
  Object.assign(out, {
    answer_words: { kind: 'length', of: 'answer', unit: 'words', log: true },
    answer_lines: { kind: 'length', of: 'answer', unit: 'lines' },
    answer_ends_in_number: { kind: 'regex', of: 'answer', pattern: '-?\\$?[0-9][0-9,]*(\\.[0-9]+)?\\s*$' },
    arithmetic_errors: { kind: 'arithmetic_errors' },
  } satisfies FeatureSet);
  vocabulary(examples.map((e) => e.answer), limit).forEach((g, i) => (out[`answer_gram_${i}`] = gramSpec(g, 'answer')));
  return { ...out, ...checkFeatures(checks) };
}

/** The feature matrix: one row per example, columns in the order of `names`. */
export function featureMatrix(features: FeatureSet, examples: Example[]): { names: string[]; rows: number[][] } {
  const names = Object.keys(features);
  const fns = names.map((n) => feature(features[n]!));
  return { names, rows: examples.map((e) => fns.map((f) => f(e.prompt, e.answer))) };
}

import type { FinishReason } from '../../execution/calls.js';
import type { PromptRecord } from '../../prompt.js';
import type { SafeRegex } from '../safe-regex.js';
import type { Scorer } from '../../quality/scorer.js';

export const FINISH_REASONS = ['stop', 'length', 'content_filter', 'tool_use', 'refusal', 'other'] as const satisfies readonly FinishReason[];

/** What a check looks at besides the prompt: the answer a model gave. */
export interface Answer {
  text: string;
  finishReason?: FinishReason | undefined;
  /** Output tokens as billed, when the server reported them. */
  usage?: { output: number } | undefined;
}

/** A JSON Schema compiled once at policy load: true, or the first problem in words. */
export type SchemaValidator = (value: unknown) => true | string;

interface Base {
  /** The check's key path in routes.yaml (`cascades.careful.accept.all[2]`): how records name it. */
  id: string;
}

export type LeafCheck =
  | (Base & { kind: 'regex'; re: SafeRegex })
  | (Base & { kind: 'contains'; text: string })
  | (Base & { kind: 'min_answer_tokens'; n: number })
  | (Base & { kind: 'max_answer_tokens'; n: number })
  | (Base & { kind: 'finish_reason'; reasons: FinishReason[] })
  | (Base & { kind: 'refusal'; refuses: boolean })
  | (Base & { kind: 'json'; schema?: { file: string; validate: SchemaValidator } | undefined })
  | (Base & { kind: 'number'; integer: boolean })
  | (Base & { kind: 'arithmetic' })
  | (Base & { kind: 'judge'; model: string; template: string; verdict: SafeRegex })
  | (Base & { kind: 'score'; file: string; scorer: Scorer; threshold: number });

export type Check = LeafCheck | (Base & { kind: 'all'; of: Check[] }) | (Base & { kind: 'any'; of: Check[] }) | (Base & { kind: 'not'; of: Check });

export type CheckKind = LeafCheck['kind'];
export type CheckOf<K extends CheckKind> = Extract<LeafCheck, { kind: K }>;

/** Everything a check may look at. Token counting is passed in: core does not load a tokenizer. */
export interface CheckSubject {
  prompt: PromptRecord;
  answer: Answer;
  countTokens(text: string): number;
}

/** One leaf check's outcome on one answer. */
export interface CheckResult {
  id: string;
  kind: CheckKind;
  ok: boolean;
  why: string;
}

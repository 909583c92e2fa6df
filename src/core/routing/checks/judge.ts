import type { Message, PromptRecord } from '../../prompt.js';
import { userText } from '../../prompt.js';
import type { CheckOf } from './types.js';
import type { LeafVerdict } from './kinds.js';

export const DEFAULT_JUDGE_PROMPT = [
  'Here is a question and an answer to it.',
  '',
  'Question:',
  '{question}',
  '',
  'Answer:',
  '{answer}',
  '',
  'Is the answer correct and complete? Reply with one word: yes or no.',
].join('\n');

export const DEFAULT_VERDICT = '/^\\W*yes\\b/i';

/** What the executor sends for a judge check: a call of kind `check` to `model` (a policy alias). */
export interface JudgeRequest {
  checkId: string;
  model: string;
  messages: Message[];
}

/** Fill the judge's template with the question and the answer (each placeholder once, literally). */
export function judgeRequest(check: CheckOf<'judge'>, prompt: PromptRecord, answer: string): JudgeRequest {
  const values: Record<string, string> = { question: userText(prompt), answer };
  const content = check.template.replace(/\{(question|answer)\}/g, (_m, key: string) => values[key]!);
  return { checkId: check.id, model: check.model, messages: [{ role: 'user', content }] };
}

/** Read the judge's answer with the check's verdict regex. */
export function judgeVerdict(check: CheckOf<'judge'>, judgeAnswer: string): LeafVerdict {
  const hit = check.verdict.find(judgeAnswer);
  const said = JSON.stringify(judgeAnswer.trim().slice(0, 40));
  return hit !== undefined ? { ok: true, why: `judge ${check.model} said ${said}` } : { ok: false, why: `judge ${check.model} said ${said}, not ${check.verdict.source}` };
}

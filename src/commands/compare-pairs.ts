import type { PairOutcome } from '../core/quality/compare.js';
import { assumedOutput } from '../core/money/estimate.js';
import type { ResultRecord } from '../core/execution/events.js';
import { compileExpected, hasExpected, isGraderName, type Grader, type GraderName } from '../core/quality/grade.js';
import type { ModelConfig } from '../core/policy/types.js';
import { costOf, type Usage } from '../core/money/pricing.js';
import { inputText, type PromptRecord } from '../core/prompt.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { UserError } from '../core/errors.js';
import { readResults } from '../io/result-reader.js';
import type { FinishReason } from '../core/execution/calls.js';

/** The same model in two policies is one model: same provider, id, endpoint and API. */
export function modelKey(m: ModelConfig): string {
  return [m.provider, m.model, m.baseUrl ?? '', m.api ?? ''].join('|');
}

export const modelLabel = (m: ModelConfig) => `${m.provider}/${m.model}`;

export interface GradedPrompt {
  prompt: PromptRecord;
  grader?: Grader | undefined;
  expected?: string | undefined;
}

/** A record's `expected` and `grader` fields, checked once; a bad one is an input error. */
export function gradingOf(prompt: PromptRecord, defaultGrader: GraderName, describe: (e: unknown) => string): { ok: true; value: GradedPrompt } | { ok: false; message: string } {
  const { expected, grader } = prompt.fields as { expected?: unknown; grader?: unknown };
  const name = grader === undefined ? defaultGrader : grader;
  if (typeof name !== 'string' || !isGraderName(name)) return { ok: false, message: `"grader" must be one of: exact, contains, regex, number, json, choice` };
  // Without an expected answer only a record's own `grader: json` grades (the answer must be JSON).
  if (!hasExpected(expected) && (name !== 'json' || grader === undefined)) return { ok: true, value: { prompt } };
  const compiled = compileExpected(expected, name);
  if (!compiled.ok) return { ok: false, message: compiled.message };
  return { ok: true, value: { prompt, grader: compiled.grade, expected: hasExpected(expected) ? describe(expected) : 'valid JSON' } };
}

/** Grade an answer: whether it is right, and what the grader made of it when wrong. */
function gradeOf(grader: Grader | undefined, failed: boolean, answer: string | undefined): { graded: boolean; correct: boolean; detail?: string | undefined } {
  if (grader === undefined) return { graded: false, correct: false };
  if (failed) return { graded: true, correct: false };
  const g = grader(answer ?? '');
  return { graded: true, correct: g.correct, detail: g.detail };
}

export function outcomeOf(record: ResultRecord, grader: Grader | undefined): PairOutcome {
  const failed = record.error !== undefined;
  return { cost: record.cost, estimated: false, answer: record.output, failed, ...gradeOf(grader, failed, record.output) };
}

/** A dry-run pair: estimated cost, no answer, not graded. */
export function estimatedOutcome(model: ModelConfig, prompt: PromptRecord, counter: TokenCounter, outputTokens: number | undefined): PairOutcome {
  const usage = { input: counter.count(inputText(prompt)), output: assumedOutput(prompt, { tokens: outputTokens }).tokens, cacheRead: 0, cacheWrite: 0 };
  return { cost: costOf(usage, model.pricing.rates), estimated: true, failed: false, graded: false, correct: false };
}

interface Logged {
  output: string | undefined;
  usage: Usage | undefined;
  failed: boolean;
  finishReason: FinishReason | undefined;
}

/** Index earlier `frugal run` results by "provider/model" and prompt id, for --from. */
export async function readLogged(files: string[]): Promise<Map<string, Logged>> {
  const logged = new Map<string, Logged>();
  for (const file of files) {
    try {
      await readResults(file, (r) => {
        if (r.provider === undefined || r.model === undefined || r.estimated) return;
        const key = `${r.provider}/${r.model}\u0000${r.id}`;
        // A success wins over a failure logged for the same pair (a resumed run logs both).
        if (r.failed && logged.has(key)) return;
        logged.set(key, { output: r.output, usage: r.usage, failed: r.failed, finishReason: r.finishReason });
      });
    } catch (err) {
      throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  return logged;
}

/** --from: a logged answer's real usage, priced now; an unlogged pair falls back to an estimate. */
export function loggedOutcome(logged: Map<string, Logged>, model: ModelConfig, g: GradedPrompt): PairOutcome | undefined {
  const hit = logged.get(`${model.provider}/${model.model}\u0000${g.prompt.id}`);
  if (!hit) return undefined;
  return {
    cost: hit.failed ? 0n : hit.usage ? costOf(hit.usage, model.pricing.rates) : undefined,
    estimated: false,
    answer: hit.output,
    failed: hit.failed,
    ...gradeOf(g.grader, hit.failed, hit.output),
    finishReason: hit.finishReason,
    outputTokens: hit.usage?.output,
  };
}

import type { Decision } from '../routing/classify.js';
import type { OutputTokensSource, ResultRecord } from '../execution/events.js';
import type { Policy } from '../policy/types.js';
import { costOf, type Usage } from './pricing.js';
import { inputText, type PromptRecord } from '../prompt.js';
import type { TokenCounter } from '../routing/tokens.js';

export const DEFAULT_OUTPUT_TOKENS = 256;

export interface OutputAssumption {
  /** --output-tokens: the expected answer length, capped by a record's max_tokens. */
  tokens?: number | undefined;
}

export function assumedOutput(prompt: PromptRecord, assumption: OutputAssumption): { tokens: number; source: OutputTokensSource } {
  if (assumption.tokens !== undefined) {
    const capped = prompt.maxTokens !== undefined && prompt.maxTokens < assumption.tokens;
    return capped ? { tokens: prompt.maxTokens!, source: 'max_tokens' } : { tokens: assumption.tokens, source: 'flag' };
  }
  if (prompt.maxTokens !== undefined) return { tokens: prompt.maxTokens, source: 'max_tokens' };
  return { tokens: DEFAULT_OUTPUT_TOKENS, source: 'default' };
}

/** A dry run's record: what the prompt would cost on its route and on the baseline. */
export function estimateRecord(
  policy: Policy,
  prompt: PromptRecord,
  decision: Decision,
  counter: TokenCounter,
  assumption: OutputAssumption,
): ResultRecord {
  const model = policy.models.get(decision.route)!;
  const baseline = policy.models.get(policy.baseline)!;
  const output = assumedOutput(prompt, assumption);
  const usage: Usage = {
    input: decision.promptTokens ?? counter.count(inputText(prompt)),
    output: output.tokens,
    cacheRead: 0,
    cacheWrite: 0,
  };
  return {
    id: prompt.id,
    source: prompt.source,
    class: decision.class,
    route: decision.route,
    provider: model.provider,
    model: model.model,
    reason: decision.reason,
    estimated: true,
    outputTokensSource: output.source,
    usage,
    cost: costOf(usage, model.pricing.rates),
    baselineCost: costOf(usage, baseline.pricing.rates),
  };
}

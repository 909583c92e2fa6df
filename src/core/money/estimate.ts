import type { Decision } from '../routing/classify.js';
import type { OutputTokensSource, ResultRecord } from '../execution/events.js';
import type { Policy } from '../policy/types.js';
import { costOf, type Usage } from './pricing.js';
import type { Pico } from './money.js';
import { inputText, type PromptRecord } from '../prompt.js';
import type { TokenCounter } from '../routing/tokens.js';

export const DEFAULT_OUTPUT_TOKENS = 256;
export const DEFAULT_ESCALATION_RATE = 0.5;

export interface OutputAssumption {
  /** --output-tokens: the expected answer length, capped by a record's max_tokens. */
  tokens?: number | undefined;
  /** --escalation-rate: the share of a cascade step's answers its checks reject (default 0.5). */
  escalationRate?: number | undefined;
}

const RATE_SCALE = 1_000_000n;

/**
 * A cascade's expected cost from each step's cost, when each step escalates with the same rate:
 * step k is paid on rate^k of the prompts (the first on all of them).
 */
export function expectedCascadeCost(stepCosts: Pico[], rate: number): Pico {
  let share = RATE_SCALE;
  const r = BigInt(Math.round(rate * Number(RATE_SCALE)));
  let total = 0n;
  for (const c of stepCosts) {
    total += (c * share + RATE_SCALE / 2n) / RATE_SCALE;
    share = (share * r) / RATE_SCALE;
  }
  return total;
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
  const cascade = policy.cascades.get(decision.route);
  const model = policy.models.get(cascade ? cascade.try[0]! : decision.route)!;
  const baseline = policy.models.get(policy.baseline)!;
  const output = assumedOutput(prompt, assumption);
  const usage: Usage = {
    input: decision.promptTokens ?? counter.count(inputText(prompt)),
    output: output.tokens,
    cacheRead: 0,
    cacheWrite: 0,
  };
  // A cascade: its first model always answers, each later one on its share of escalations.
  const rate = assumption.escalationRate ?? DEFAULT_ESCALATION_RATE;
  return {
    id: prompt.id,
    source: prompt.source,
    class: decision.class,
    route: decision.route,
    provider: model.provider,
    model: model.model,
    reason: cascade ? `${decision.reason}; cascade ${cascade.try.join(' -> ')}, escalating on ${rate * 100}% of answers (assumed)` : decision.reason,
    estimated: true,
    outputTokensSource: output.source,
    usage,
    cost: cascade ? expectedCascadeCost(cascade.try.map((alias) => costOf(usage, policy.models.get(alias)!.pricing.rates)), rate) : costOf(usage, model.pricing.rates),
    baselineCost: costOf(usage, baseline.pricing.rates),
  };
}

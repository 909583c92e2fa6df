import { estimateCounter, type TokenCounter } from '../core/routing/tokens.js';

/** The policy's token counter. The o200k vocabulary is loaded only when a policy asks for it. */
export async function loadCounter(kind: 'estimate' | 'o200k'): Promise<TokenCounter> {
  if (kind === 'estimate') return estimateCounter;
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  return { name: 'o200k', exact: true, count: (text) => countTokens(text) };
}

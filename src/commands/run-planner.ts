import type { Planner } from '../core/execution/planner.js';
import { apiOf, resolveOptions } from '../core/policy/resolve-options.js';
import type { Policy } from '../core/policy/types.js';
import type { PromptRecord } from '../core/prompt.js';
import { answerSchemas } from '../core/quality/answer-schema.js';
import { routingChain } from '../core/routing/chain.js';
import type { PromptFeatures } from '../core/routing/features.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import type { RunOptions } from './run-shared.js';

/**
 * How `run` plans a prompt, live or batched: the routing chain (--model, the classes, the
 * default), the cascades (unless --model forces one model), --max-tokens, each model's options
 * under --option and the record's own, and the answer schema (--schema or the class's).
 */
export function runPlanner(policy: Policy, counter: TokenCounter, opts: RunOptions, features?: (p: PromptRecord) => PromptFeatures | undefined): Omit<Planner, 'stopping' | 'budget'> {
  return {
    route: routingChain(policy, counter, opts.model, features),
    models: policy.models,
    cascades: opts.model === undefined ? policy.cascades : undefined,
    maxTokens: opts.maxTokens,
    optionsFor: (prompt, m) => resolveOptions(m.alias, apiOf(m), { model: m.options, flag: opts.settings?.options, record: prompt.options }),
    schemaFor: answerSchemas(policy, opts.settings?.schema),
  };
}

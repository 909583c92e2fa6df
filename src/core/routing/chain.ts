import { classify, type Decision } from './classify.js';
import type { Policy } from '../policy/types.js';
import type { PromptRecord } from '../prompt.js';
import type { TokenCounter } from './tokens.js';
import type { PromptFeatures } from './features.js';

export type { Decision } from './classify.js';

/**
 * One step of the routing chain: it answers, or declines by returning what `next` (the rest of
 * the chain) decides, possibly amended. The last router always answers.
 */
export type Router = (prompt: PromptRecord, next: () => Decision) => Decision;

/** Runs `routers` in order in front of `last`, which always answers. */
export function chain(routers: readonly Router[], last: (prompt: PromptRecord) => Decision): (prompt: PromptRecord) => Decision {
  return (prompt) => {
    const step = (i: number): Decision => (i === routers.length ? last(prompt) : routers[i]!(prompt, () => step(i + 1)));
    return step(0);
  };
}

/** `--model ALIAS`: every prompt goes to the alias; the reason still says where the policy would send it. */
export function overrideRouter(alias: string | undefined, flag = '--model'): Router {
  return (_prompt, next) => {
    const d = next();
    if (alias === undefined || alias === d.route) return d;
    return { ...d, route: alias, reason: `forced by ${flag} (the policy routes it to ${d.route}: ${d.reason})` };
  };
}

/**
 * The policy's classes, in order: the first whose rule matches answers, else the default answers.
 * `features` gives each prompt's precomputed features (computeFeatures, run on its batch before routing).
 */
export function policyRouter(policy: Policy, counter: TokenCounter, features?: FeaturesOf): (prompt: PromptRecord) => Decision {
  return (prompt) => classify(policy, prompt, counter, features?.(prompt));
}

export type FeaturesOf = (prompt: PromptRecord) => PromptFeatures | undefined;

/** A route known before any rule runs (compare sends each prompt to each model it needs). */
export function fixedRouter(route: string, reason: string): (prompt: PromptRecord) => Decision {
  return () => ({ class: null, route, reason });
}

/**
 * The routing chain of run, dry runs and explain: `--model` override, then the policy's classes,
 * then its default. Budget fallback (a per-model cap reached) is the planner's step after this,
 * since it needs the budget's state.
 */
export function routingChain(policy: Policy, counter: TokenCounter, forceRoute?: string | undefined, features?: FeaturesOf): (prompt: PromptRecord) => Decision {
  return chain(forceRoute === undefined ? [] : [overrideRouter(forceRoute)], policyRouter(policy, counter, features));
}

import type { PairOutcome } from '../core/quality/compare.js';
import { cascadeOutcome } from '../core/quality/cascade-outcome.js';
import type { Policy } from '../core/policy/types.js';
import type { Cascade } from '../core/routing/cascade.js';
import type { TokenCounter } from '../core/routing/tokens.js';
import { costOf } from '../core/money/pricing.js';
import { modelKey, modelLabel, type GradedPrompt } from './compare-pairs.js';

/** A judge's answer is a word or two; its calls are priced with this many output tokens. */
export const JUDGE_OUTPUT_TOKENS = 8;

interface CascadeRoute {
  policy: Policy;
  cascade: Cascade;
  /** Model keys of the steps, in order. */
  steps: string[];
  label: string;
}

/** The routes of the compared policies that are cascades, keyed like models are. */
export class CascadeRoutes {
  readonly routes = new Map<string, CascadeRoute>();

  /** The key of a policy's route: a model's key, or its cascade's (one per policy file and name). */
  keyOf(policy: Policy, file: string, route: string): string {
    const cascade = policy.cascades.get(route);
    if (!cascade) return modelKey(policy.models.get(route)!);
    const key = `cascade\u0000${file}\u0000${cascade.name}`;
    if (!this.routes.has(key)) {
      const models = cascade.try.map((alias) => policy.models.get(alias)!);
      this.routes.set(key, { policy, cascade, steps: models.map(modelKey), label: `${cascade.name} (${models.map((m) => m.model).join(' -> ')})` });
    }
    return key;
  }

  /** Model keys a route needs answers from. */
  modelsOf(key: string): string[] {
    return this.routes.get(key)?.steps ?? [key];
  }

  /** Each cascade's outcome per prompt, from its step models' outcomes. */
  outcomes(prompts: GradedPrompt[], pairs: (modelKey: string, prompt: number) => PairOutcome, counter: TokenCounter, escalationRate: number): Map<string, PairOutcome[]> {
    const out = new Map<string, PairOutcome[]>();
    for (const [key, r] of this.routes) {
      const labels = r.cascade.try.map((alias) => modelLabel(r.policy.models.get(alias)!));
      out.set(
        key,
        prompts.map((g, i) =>
          cascadeOutcome(
            r.cascade,
            g.prompt,
            r.steps.map((k, n) => ({ label: labels[n]!, outcome: pairs(k, i) })),
            {
              countTokens: (text) => counter.count(text),
              escalationRate,
              judgeCall: (request) => {
                const m = r.policy.models.get(request.model)!;
                const input = counter.count(request.messages.map((x) => x.content).join('\n'));
                return { label: modelLabel(m), cost: costOf({ input, output: JUDGE_OUTPUT_TOKENS, cacheRead: 0, cacheWrite: 0 }, m.pricing.rates) };
              },
            },
          ),
        ),
      );
    }
    return out;
  }

  labels(): [string, string][] {
    return [...this.routes].map(([key, r]) => [key, r.label]);
  }

  steps(): Map<string, string[]> {
    return new Map([...this.routes].map(([key, r]) => [key, r.steps]));
  }
}

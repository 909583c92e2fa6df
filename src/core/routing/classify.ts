import { explainMatch, matches, type MatchSubject, type Verdict } from './matchers.js';
import type { Policy } from '../policy/types.js';
import { inputText, userText, utf8Length, type PromptRecord } from '../prompt.js';
import type { TokenCounter } from './tokens.js';
import type { PromptFeatures } from './features.js';

export interface Decision {
  /** The class that matched, or null when the default route answered. */
  class: string | null;
  route: string;
  reason: string;
  /** Prompt tokens, when a rule needed them (counted once per prompt). */
  promptTokens?: number | undefined;
}

export function subjectOf(prompt: PromptRecord, counter: TokenCounter, features?: PromptFeatures): MatchSubject & { counted(): number | undefined } {
  const input = inputText(prompt);
  const bytes = utf8Length(input);
  let tokens: number | undefined;
  return {
    text: userText(prompt),
    fields: prompt.fields,
    maxTokensBound: bytes,
    // As many UTF-8 bytes as UTF-16 units: all ASCII, and so is the user's text within it.
    ascii: bytes === input.length,
    tokens: () => (tokens ??= counter.count(input)),
    counted: () => tokens,
    similar: features?.similar,
    prompt,
  };
}

/**
 * Route one prompt: the first class whose rule matches, else the policy's default. A policy with
 * similar_to classes needs the prompt's features (computeFeatures in features.ts).
 */
export function classify(policy: Policy, prompt: PromptRecord, counter: TokenCounter, features?: PromptFeatures): Decision {
  const subject = subjectOf(prompt, counter, features);
  for (const rule of policy.classes) {
    if (matches(rule.when, subject)) {
      const why = explainMatch(rule.when, subject).why;
      return { class: rule.name, route: rule.route, reason: `${rule.name}: ${why}`, promptTokens: subject.counted() };
    }
  }
  return { class: null, route: policy.default, reason: 'no class matched: default route', promptTokens: subject.counted() };
}

export interface ClassTrace extends Verdict {
  name: string;
  route: string;
  /** Classes after the winner are not evaluated for routing, but are still shown. */
  shadowed: boolean;
}

/** Every class's verdict in order, for `frugal explain`. */
export function traceClasses(policy: Policy, prompt: PromptRecord, counter: TokenCounter, features?: PromptFeatures): { decision: Decision; trace: ClassTrace[] } {
  const subject = subjectOf(prompt, counter, features);
  const trace: ClassTrace[] = [];
  let winner: ClassTrace | undefined;
  for (const rule of policy.classes) {
    const verdict = explainMatch(rule.when, subject);
    const entry = { name: rule.name, route: rule.route, ...verdict, shadowed: winner !== undefined };
    trace.push(entry);
    winner ??= verdict.ok ? entry : undefined;
  }
  const decision: Decision = winner
    ? { class: winner.name, route: winner.route, reason: `${winner.name}: ${winner.why}` }
    : { class: null, route: policy.default, reason: 'no class matched: default route' };
  decision.promptTokens = subject.tokens();
  return { decision, trace };
}

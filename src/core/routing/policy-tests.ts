import type { Policy } from '../policy/types.js';
import type { PromptRecord } from '../prompt.js';
import { classify, traceClasses, type Decision } from './classify.js';
import type { PromptFeatures } from './features.js';
import { similarMatchers, withThresholds } from './similar.js';
import type { TokenCounter } from './tokens.js';

/** One `tests:` entry or tests_file line: a prompt and the class or the route it must get. */
export interface PolicyTest {
  prompt: PromptRecord;
  expect: { class: string } | { route: string };
  /** `routes.yaml tests[3]` or `tests.jsonl:12`. */
  source: string;
}

export interface TestOutcome {
  test: PolicyTest;
  decision: Decision;
  pass: boolean;
  /** The matcher that decided; for the default route, why each class did not match (with its score). */
  why: string;
}

export const expected = (t: PolicyTest): string => ('class' in t.expect ? `class ${t.expect.class}` : `route ${t.expect.route}`);

export function passes(t: PolicyTest, d: Decision): boolean {
  return 'class' in t.expect ? d.class === t.expect.class : d.route === t.expect.route;
}

/** Classify every test prompt (features from computeFeatures, in the same order). */
export function runTests(policy: Policy, tests: readonly PolicyTest[], features: readonly PromptFeatures[], counter: TokenCounter): TestOutcome[] {
  return tests.map((test, i) => {
    const decision = classify(policy, test.prompt, counter, features[i]);
    const why = decision.class !== null ? decision.reason : [decision.reason, ...traceClasses(policy, test.prompt, counter, features[i]).trace.map((t) => `${t.name}: ${t.why}`)].join('; ');
    return { test, decision, pass: passes(test, decision), why };
  });
}

function accuracy(policy: Policy, tests: readonly PolicyTest[], features: readonly PromptFeatures[], counter: TokenCounter): number {
  if (tests.length === 0) return 1;
  let ok = 0;
  tests.forEach((t, i) => (ok += passes(t, classify(policy, t.prompt, counter, features[i])) ? 1 : 0));
  return ok / tests.length;
}

export interface Fit {
  /** By SimilarMatcher key: the fitted threshold (only those that changed). */
  thresholds: Map<string, number>;
  before: number;
  after: number;
}

// Enough candidates to place a threshold between any two scores of a few hundred tests.
const MAX_CANDIDATES = 200;
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Thresholds between consecutive distinct scores (and just under the lowest, just over the highest). */
function candidates(scores: number[]): number[] {
  const s = [...new Set(scores.map(round3))].sort((a, b) => a - b);
  const out = new Set<number>([Math.max(0, round3(s[0]! - 0.01)), Math.min(1, round3(s[s.length - 1]! + 0.001))]);
  const step = Math.max(1, Math.ceil(s.length / MAX_CANDIDATES));
  for (let i = 0; i + 1 < s.length; i += step) out.add(round3((s[i]! + s[i + 1]!) / 2));
  return [...out].sort((a, b) => a - b);
}

/**
 * Each similar_to's threshold with the best accuracy on the tests, found one threshold at a time
 * (the others held) and repeated until nothing improves, since classes match in order and one
 * threshold moves prompts into or out of the next class. Ties go to the threshold nearest the
 * current one: with no evidence, the author's choice stands.
 */
export function fitThresholds(policy: Policy, tests: readonly PolicyTest[], features: readonly PromptFeatures[], counter: TokenCounter): Fit {
  const matchers = similarMatchers(policy).map((s) => s.matcher);
  const current = new Map(matchers.map((m) => [m.key, m.threshold]));
  const before = accuracy(policy, tests, features, counter);
  let best = before;
  if (tests.length > 0) {
    for (let round = 0; round < 5; round++) {
      let improved = false;
      for (const m of matchers) {
        const scores = features.map((f) => f.similar.get(m.key)!.score);
        const here = current.get(m.key)!;
        let choice = here;
        for (const t of candidates(scores)) {
          const a = accuracy(withThresholds(policy, new Map([...current, [m.key, t]])), tests, features, counter);
          if (a > best || (a === best && Math.abs(t - here) < Math.abs(choice - here))) {
            improved ||= a > best;
            best = a;
            choice = t;
          }
        }
        current.set(m.key, choice);
      }
      if (!improved) break;
    }
  }
  const thresholds = new Map([...current].filter(([key, t]) => matchers.find((m) => m.key === key)!.threshold !== t));
  return { thresholds, before, after: best };
}

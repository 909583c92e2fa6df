import Table from 'cli-table3';
import type { CallRecord } from '../core/execution/calls.js';
import { formatInt, formatUsd, picoToUsd, type Pico } from '../core/money/money.js';
import type { Policy } from '../core/policy/types.js';
import { userText, type PromptRecord } from '../core/prompt.js';
import type { Decision } from '../core/routing/classify.js';
import { expected, type Fit, type TestOutcome } from '../core/routing/policy-tests.js';
import { similarMatchers } from '../core/routing/similar.js';
import { TABLE_STYLE } from './table-style.js';

const clip = (s: string, n: number) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > n ? `${flat.slice(0, n - 1)}…` : flat;
};
const got = (d: Decision) => `${d.class ?? '(default)'} -> ${d.route}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The `frugal test` table: every test, pass or fail, with what it got and why. */
export function testsTable(outcomes: readonly TestOutcome[], policy: Policy): string {
  const table = new Table({ head: ['', 'prompt', 'expected', 'got', 'why'], wordWrap: true, colWidths: [6, 34, 18, 22, 46], ...TABLE_STYLE });
  for (const o of outcomes) table.push([o.pass ? 'pass' : 'FAIL', clip(userText(o.test.prompt), 64), expected(o.test), got(o.decision), o.why]);
  const failed = outcomes.filter((o) => !o.pass);
  const lines = [table.toString(), `${policy.file}: ${formatInt(outcomes.length - failed.length)} passed, ${formatInt(failed.length)} failed`];
  for (const o of failed) lines.push(`  FAIL ${o.test.source}: expected ${expected(o.test)}, got ${got(o.decision)}`);
  return `${lines.join('\n')}\n`;
}

export function testsJson(outcomes: readonly TestOutcome[], calls: readonly CallRecord[]) {
  return {
    passed: outcomes.filter((o) => o.pass).length,
    failed: outcomes.filter((o) => !o.pass).length,
    embedding_calls: calls.length,
    embedding_cost_usd: picoToUsd(calls.reduce((n, c) => n + c.cost, 0n)),
    tests: outcomes.map((o) => ({
      source: o.test.source,
      prompt: userText(o.test.prompt),
      expected: o.test.expect,
      got: { class: o.decision.class, route: o.decision.route },
      pass: o.pass,
      why: o.why,
    })),
  };
}

/** `frugal test --fit`: accuracy before and after, and each threshold's suggestion. */
export function fitReport(policy: Policy, fit: Fit, tests: number, written: boolean): string {
  const lines = [`accuracy on ${formatInt(tests)} tests: ${pct(fit.before)} with the thresholds of ${policy.file}, ${pct(fit.after)} with these:`];
  for (const { rule, matcher } of similarMatchers(policy)) {
    const t = fit.thresholds.get(matcher.key);
    lines.push(`  ${rule.name.padEnd(14)} ${matcher.key}: ${t === undefined ? `${matcher.threshold} (keep)` : `${matcher.threshold} -> ${t}`}`);
  }
  if (fit.thresholds.size === 0) lines.push('no threshold does better on these tests: nothing to change');
  else lines.push(written ? `written to ${policy.file} (only the thresholds changed)` : 'nothing written: add --write to put these thresholds in the policy file');
  lines.push('fitted on the tests themselves: keep some labelled prompts out of the tests to check the new thresholds');
  return `${lines.join('\n')}\n`;
}

export interface Change {
  prompt: PromptRecord;
  /** A test prompt (else one from --input). */
  test: boolean;
  from: Decision;
  to: Decision;
  costDelta: Pico;
}

export interface AgainstResult {
  changes: Change[];
  prompts: number;
  tests: number;
  oldCost: Pico;
  newCost: Pico;
  oldFile: string;
  newFile: string;
  calls: CallRecord[];
}

const signed = (p: Pico) => (p > 0n ? `+${formatUsd(p)}` : formatUsd(p));

/** `frugal test --against`: the prompts whose route changes between two policies, and the cost. */
export function againstReport(r: AgainstResult, json: boolean): string {
  if (json) {
    return JSON.stringify({
      old: r.oldFile,
      new: r.newFile,
      prompts: r.prompts,
      changed: r.changes.length,
      old_cost_usd: picoToUsd(r.oldCost),
      new_cost_usd: picoToUsd(r.newCost),
      changes: r.changes.map((c) => ({
        id: c.prompt.id,
        test: c.test,
        prompt: userText(c.prompt),
        from: { class: c.from.class, route: c.from.route, why: c.from.reason },
        to: { class: c.to.class, route: c.to.route, why: c.to.reason },
        cost_delta_usd: picoToUsd(c.costDelta),
      })),
    });
  }
  const lines: string[] = [];
  if (r.changes.length > 0) {
    const table = new Table({ head: ['', 'prompt', r.oldFile, r.newFile, 'cost (est.)'], wordWrap: true, colWidths: [7, 40, 22, 22, 14], ...TABLE_STYLE });
    for (const c of r.changes) table.push([c.test ? 'test' : 'input', clip(userText(c.prompt), 76), got(c.from), got(c.to), signed(c.costDelta)]);
    lines.push(table.toString());
  }
  lines.push(`${formatInt(r.changes.length)} of ${formatInt(r.prompts)} prompts change route (${formatInt(r.tests)} tests, ${formatInt(r.prompts - r.tests)} input prompts)`);
  lines.push(`estimated cost of these prompts: ${formatUsd(r.oldCost)} with ${r.oldFile}, ${formatUsd(r.newCost)} with ${r.newFile} (${signed(r.newCost - r.oldCost)}; output assumed, as in a dry run)`);
  return `${lines.join('\n')}\n`;
}

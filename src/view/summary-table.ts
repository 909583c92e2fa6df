import Table from 'cli-table3';
import { TABLE_STYLE } from './table-style.js';
import { fitTable } from './table-fit.js';
import { failures, savings, type RunTotals } from '../core/money/accounting.js';
import { DEFAULT_ESCALATION_RATE, DEFAULT_OUTPUT_TOKENS } from '../core/money/estimate.js';
import { formatInt, formatPct, formatUsd } from '../core/money/money.js';
import type { Policy } from '../core/policy/types.js';


function outputAssumption(t: RunTotals, flagTokens: number | undefined): string {
  const s = t.outputTokenSources;
  const parts: string[] = [];
  if (s.flag) parts.push(`${formatInt(flagTokens ?? 0)} per prompt (--output-tokens) for ${formatInt(s.flag)}`);
  if (s.max_tokens) parts.push(`the record's max_tokens for ${formatInt(s.max_tokens)}`);
  if (s.default) parts.push(`${DEFAULT_OUTPUT_TOKENS} per prompt (default; set --output-tokens) for ${formatInt(s.default)}`);
  return parts.length ? `output tokens assumed: ${parts.join(', ')}` : '';
}

interface Layout {
  /** provider/model, or the model alone. */
  provider: boolean;
  short: boolean;
  share: boolean;
}

const LAYOUTS: Layout[] = [
  { provider: true, short: false, share: true },
  { provider: false, short: false, share: true },
  { provider: false, short: true, share: true },
  { provider: false, short: true, share: false },
];

function modelsTable(t: RunTotals, l: Layout): string {
  const estimate = t.dryRun ? (l.short ? '~' : ' (est.)') : '';
  const head = ['route', 'model', t.dryRun ? 'prompts' : 'calls', l.short ? 'in' : 'input tok', l.short ? 'out' : 'output tok', `spend${estimate}`, 'share'];
  const aligns = ['left', 'left', 'right', 'right', 'right', 'right', 'right'] as const;
  const cols = l.share ? 7 : 6;
  const table = new Table({ head: head.slice(0, cols), colAligns: aligns.slice(0, cols), ...TABLE_STYLE });
  let input = 0;
  let output = 0;
  let calls = 0;
  for (const m of t.models.values()) {
    if (m.calls === 0) continue;
    input += m.inputTokens;
    output += m.outputTokens;
    calls += m.calls;
    const unknown = m.costUnknown > 0 ? ` +${m.costUnknown}×—` : '';
    const upTo = m.unsettled > 0n ? ' (≤)' : '';
    const row = [m.route, l.provider ? `${m.provider}/${m.model}` : m.model, formatInt(m.calls), formatInt(m.inputTokens), formatInt(m.outputTokens), formatUsd(m.cost) + upTo + unknown, formatPct(m.cost, t.cost)];
    table.push(row.slice(0, cols));
  }
  table.push(['total', '', formatInt(calls), formatInt(input), formatInt(output), formatUsd(t.cost), t.cost > 0n ? '100.0%' : '—'].slice(0, cols));
  return table.toString();
}

/** The end-of-run table: one row per model, then total, baseline and savings; narrower layouts on narrow terminals. */
export function summaryTable(t: RunTotals, policy: Policy, options: { outputTokens?: number | undefined; columns?: number | undefined; escalationRate?: number | undefined } = {}): string {
  if (t.prompts === 0 && t.skipped === 0 && t.stop !== 'budget') return noPrompts(t);
  const estimate = t.dryRun ? ' (est.)' : '';
  // Not a terminal (a file, a CI log): nothing wraps, so the full layout.
  const lines = [fitTable(LAYOUTS.map((l) => () => modelsTable(t, l)), options.columns ?? Infinity)];
  const base = policy.models.get(policy.baseline)!;
  const saved = savings(t);
  lines.push(`baseline${estimate}: ${formatUsd(t.baselineCost)}  (every prompt on ${base.alias}: ${base.provider}/${base.model})`);
  lines.push(`savings${estimate}:  ${formatUsd(saved)}  (${formatPct(saved, t.baselineCost)} of baseline)`);
  if (t.unsettledCalls > 0) {
    lines.push(`unsettled: ${formatInt(t.unsettledCalls)} calls never came back whole (timed out, dropped, aborted, or no usage reported); the spend above counts up to ${formatUsd(t.unsettled)} for them, their reserved worst case`);
  }
  if (t.costUnknown > 0) lines.push(`unknown cost: ${formatInt(t.costUnknown)} prompts reported no usage; not in the totals above`);
  for (const [name, c] of t.cascades) {
    lines.push(`cascade ${name}: ${formatInt(c.escalated)} of ${formatInt(c.prompts)} prompts escalated (${formatPct(BigInt(c.escalated), BigInt(c.prompts))}); answers thrown away cost ${formatUsd(c.discardedCost)}, paid for in the spend and savings above`);
  }
  if (t.batchedCalls > 0) lines.push(`batch discount: ${formatUsd(t.batchSaved)} saved against sending the same ${formatInt(t.batchedCalls)} calls live`);
  for (const r of t.refused) lines.push(`refused: ${r.route}: ${r.message}`);
  if (t.notSent > 0) lines.push(`not sent: ${formatInt(t.notSent)} prompts, because their model had refused the key`);
  const failed = failures(t);
  const status = [`prompts: ${formatInt(t.prompts + t.inputErrors.length)}`, `${t.dryRun ? 'routed' : 'succeeded'}: ${formatInt(t.succeeded)}`, `failed: ${formatInt(failed)}`];
  if (t.retries) status.push(`retries: ${formatInt(t.retries)}`);
  if (t.skipped) status.push(`skipped (done earlier): ${formatInt(t.skipped)}`);
  if (t.cacheHits) status.push(`cache hits: ${formatInt(t.cacheHits)} (saved ${formatUsd(t.cacheSaved)})`);
  lines.push(status.join('  '));
  if (t.dryRun) {
    const assumption = outputAssumption(t, options.outputTokens);
    if (assumption) lines.push(assumption);
    const cascaded = [...policy.cascades.keys()].reduce((n, name) => n + (t.models.get(name)?.calls ?? 0), 0);
    if (cascaded > 0) {
      const rate = options.escalationRate ?? DEFAULT_ESCALATION_RATE;
      lines.push(`escalation rate assumed: ${+(rate * 100).toFixed(2)}% of each cascade step's answers fail its checks (--escalation-rate) for ${formatInt(cascaded)} prompts`);
    }
    lines.push('dry run: nothing was sent; input tokens and costs are estimates');
  }
  for (const th of t.throttled) {
    lines.push(`rate limited: ${th.provider} answered 429 ${formatInt(th.throttles)} times; concurrency went down to ${th.lowestConcurrency} and back up as calls succeeded`);
  }
  if (t.stop === 'interrupted' || t.stop === 'aborted') lines.push('interrupted: the prompts not yet started were not sent');
  if (t.stop === 'budget') lines.push('stopped at the budget: the prompts not yet started were not sent');
  if (t.stop === 'write-failed') lines.push('stopped: a write failed; the prompts not yet started were not sent');
  return lines.join('\n');
}

/** No prompt at all: one line, not a table of zeros. */
function noPrompts(t: RunTotals): string {
  const unreadable = t.inputErrors.length;
  if (unreadable === 0) return t.stop === 'interrupted' || t.stop === 'aborted' ? 'no prompts: interrupted before the first one' : 'no prompts: the input held none, so nothing was sent';
  return `no prompts: ${formatInt(unreadable)} input ${unreadable === 1 ? 'line or file' : 'lines or files'} could not be read (above), so nothing was sent`;
}

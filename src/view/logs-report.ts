import { formatInt, formatUsd, picoToUsd } from '../core/money/money.js';
import type { LoggedCall } from '../io/ledger-read.js';
import { safeLine } from './safe-text.js';

const TEXT_HEAD = 400;

/** The request's text from the ledger's canonical form ({system, messages}); the raw text if it is not that. */
function promptLines(canonical: string): string[] {
  try {
    const { system, messages } = JSON.parse(canonical) as { system: string | null; messages: { role: string; content: string }[] };
    return [...(system ? [`system: ${system}`] : []), ...messages.map((m) => `${m.role}: ${m.content}`)];
  } catch {
    return [canonical];
  }
}

function head(text: string): string {
  const line = safeLine(text);
  return line.length > TEXT_HEAD ? `${line.slice(0, TEXT_HEAD - 1)}…` : line;
}

function when(at: Date): string {
  return at.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** One block per call, oldest first: a header line, then the prompt and answer or the hash. */
export function logsText(calls: readonly LoggedCall[]): string {
  if (calls.length === 0) return 'no calls recorded for this query';
  const blocks = calls.map((c) => {
    const cost = c.status === 'cached' ? `${formatUsd(c.cost)} cached` : formatUsd(c.cost);
    const outcome = c.error ? `failed: ${c.error.status ? `${c.error.status} ` : ''}${c.error.message}` : c.status;
    const top = `${when(c.at)}  ${c.promptId}  ${c.route} (${c.provider}/${c.model})  ${formatInt(c.usage.input)} in / ${formatInt(c.usage.output)} out  ${cost}  ${outcome}`;
    const lines = [head(top), `  run ${c.runId}${c.class ? `  class ${c.class}` : '  class (default)'}${c.latencyMs !== undefined ? `  ${formatInt(c.latencyMs)} ms` : ''}`];
    if (c.promptText !== undefined) lines.push(...promptLines(c.promptText).map((l) => `  ${head(l)}`));
    else lines.push(`  prompt: sha256 ${c.promptHash} (not kept: run with --log-prompts to keep prompt text in the ledger)`);
    if (c.answerText !== undefined) lines.push(`  answer: ${head(c.answerText)}`);
    return lines.join('\n');
  });
  return blocks.join('\n\n');
}

/** The calls as JSON, with money in USD and the text only when it was kept. */
export function logsJson(calls: readonly LoggedCall[]): unknown[] {
  return calls.map((c) => ({
    at: c.at.toISOString(),
    run_id: c.runId,
    id: c.promptId,
    class: c.class,
    route: c.route,
    provider: c.provider,
    model: c.model,
    answered_by: c.answeredBy ?? null,
    usage: { input_tokens: c.usage.input, output_tokens: c.usage.output, cache_read_tokens: c.usage.cacheRead, cache_write_tokens: c.usage.cacheWrite },
    cost_usd: c.cost === undefined ? null : picoToUsd(c.cost),
    baseline_cost_usd: c.baselineCost === undefined ? null : picoToUsd(c.baselineCost),
    latency_ms: c.latencyMs ?? null,
    status: c.status,
    error: c.error ? { status: c.error.status ?? null, kind: c.error.kind ?? null, message: c.error.message } : null,
    prompt_hash: c.promptHash,
    prompt: c.promptText === undefined ? null : JSON.parse(c.promptText) as unknown,
    answer: c.answerText ?? null,
  }));
}

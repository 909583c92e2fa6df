import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { FinishReason } from '../core/execution/calls.js';
import type { Usage } from '../core/money/pricing.js';

/** One line of a results file (`frugal run -o`, `frugal compare -o`), as far as readers need it. */
export interface LoggedResult {
  id: string;
  provider: string | undefined;
  model: string | undefined;
  output: string | undefined;
  usage: Usage | undefined;
  failed: boolean;
  /** cost_usd as written (the exact picodollar amount / 1e12), undefined when unknown. */
  costUsd: number | undefined;
  estimated: boolean;
  /** Why the kept answer ended: the record's, else its last answer call's. */
  finishReason: FinishReason | undefined;
}

type Raw = {
  id?: unknown;
  provider?: unknown;
  model?: unknown;
  output?: unknown;
  usage?: Record<string, unknown> | null;
  error?: unknown;
  cost_usd?: unknown;
  estimated?: unknown;
  finish_reason?: unknown;
  calls?: { kind?: unknown; finish_reason?: unknown }[];
};

const FINISH: ReadonlySet<unknown> = new Set<FinishReason>(['stop', 'length', 'content_filter', 'tool_use', 'refusal', 'other']);

function finishOf(r: Raw): FinishReason | undefined {
  if (FINISH.has(r.finish_reason)) return r.finish_reason as FinishReason;
  const answers = Array.isArray(r.calls) ? r.calls.filter((c) => c && c.kind === 'answer') : [];
  const last = answers[answers.length - 1]?.finish_reason;
  return FINISH.has(last) ? (last as FinishReason) : undefined;
}

function usageOf(u: Raw['usage']): Usage | undefined {
  if (!u || typeof u.input_tokens !== 'number' || typeof u.output_tokens !== 'number') return undefined;
  return { input: u.input_tokens, output: u.output_tokens, cacheRead: Number(u.cache_read_tokens ?? 0), cacheWrite: Number(u.cache_write_tokens ?? 0) };
}

/** A line as a result, or undefined when it is not one (torn, foreign, or without an id). */
export function parseResultLine(line: string): LoggedResult | undefined {
  let r: Raw;
  try {
    r = JSON.parse(line) as Raw;
  } catch {
    return undefined;
  }
  if (!r || typeof r !== 'object' || typeof r.id !== 'string') return undefined;
  return {
    id: r.id,
    provider: typeof r.provider === 'string' ? r.provider : undefined,
    model: typeof r.model === 'string' ? r.model : undefined,
    output: typeof r.output === 'string' ? r.output : undefined,
    usage: usageOf(r.usage),
    failed: r.error !== null && r.error !== undefined,
    costUsd: typeof r.cost_usd === 'number' ? r.cost_usd : undefined,
    estimated: r.estimated === true,
    finishReason: finishOf(r),
  };
}

/**
 * The one reader of results files (resume and compare --from): calls `each` for every result,
 * in file order, and returns how many non-blank lines were not results.
 */
export async function readResults(path: string, each: (r: LoggedResult) => void): Promise<{ unreadable: number }> {
  let unreadable = 0;
  for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    const r = parseResultLine(line);
    if (r) each(r);
    else unreadable++;
  }
  return { unreadable };
}

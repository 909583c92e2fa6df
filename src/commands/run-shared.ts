import type { ResultRecord } from '../core/execution/events.js';
import { formatInt, formatPct, formatUsd } from '../core/money/money.js';
import type { InputFormat, InputOptions } from '../io/input.js';
import type { PromptFlagValues, PromptSettings } from './prompt-flags.js';

export interface RunOptions extends PromptFlagValues {
  routes?: string;
  prompt?: string[];
  dryRun?: boolean;
  output?: string;
  summaryJson?: string;
  summary?: boolean;
  outputTokens?: number;
  escalationRate: number;
  inputFormat: InputFormat;
  format: 'auto' | 'jsonl' | 'text';
  quiet?: boolean;
  concurrency: number;
  model?: string;
  maxTokens?: number;
  retries: number;
  timeout: number;
  maxRetryWait: number;
  resume?: boolean;
  /** --no-ledger sets this false. */
  ledger: boolean;
  logPrompts?: boolean;
  cache?: boolean;
  home?: string;
  maxSpend?: bigint;
  /** With --dry-run: no call at all (similar_to classes with a remote embedder are refused). */
  offline?: boolean;
  /** --stream: stream a single answer to stdout even when it is a pipe. */
  stream?: boolean;
  /** -s/--system-file, --option and --schema as read and checked before the run (see prompt-flags.ts). */
  settings?: PromptSettings;
}

/** How many sources the input names: its -p prompts and files, else stdin. */
export const sourceCount = (input: InputOptions): number => input.inline.length + (input.files.length === 0 && input.inline.length === 0 ? 1 : input.files.length);

/**
 * The summary of a one-shot (one prompt from one text source) in one line, for stderr: a live
 * answer's, or with `dryRun` an estimate's. A shell script's one-shot never loads the table.
 */
export function oneLineSummary(r: ResultRecord, dryRun = false): string {
  const saved = r.baselineCost !== undefined && r.cost !== undefined ? r.baselineCost - r.cost : undefined;
  const tokens = `${formatInt(r.usage.input)} in / ${formatInt(r.usage.output)} out tokens`;
  const assumed = dryRun && r.outputTokensSource === 'default' ? ' (output assumed; set --output-tokens)' : '';
  return `frugal: ${dryRun ? 'dry run, estimated: ' : ''}${r.route} (${r.model}) ${tokens}${assumed}, ${formatUsd(r.cost)}; baseline ${formatUsd(r.baselineCost)}; saved ${formatUsd(saved)} (${formatPct(saved, r.baselineCost)})`;
}

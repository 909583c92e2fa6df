import type { InputFormat } from '../io/input.js';
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

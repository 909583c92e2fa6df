import type { InputFormat } from '../io/input.js';

export interface RunOptions {
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
}

import type { Pico } from '../money/money.js';
import type { Usage } from '../money/pricing.js';

export type OutputTokensSource = 'flag' | 'max_tokens' | 'default';

export interface PromptError {
  /** HTTP status when the provider answered with one. */
  status?: number | undefined;
  message: string;
  /** http, connection, timeout, aborted or missing-key. */
  kind?: string | undefined;
}

/** What became of one prompt: the line written to the results and the unit every view counts. */
export interface ResultRecord {
  id: string;
  source: { file: string; line?: number | undefined };
  class: string | null;
  route: string;
  provider: string;
  model: string;
  /** The model id the provider says answered (may be a dated snapshot of `model`). */
  answeredBy?: string | undefined;
  reason: string;
  /** Dry runs: every figure is an estimate. */
  estimated: boolean;
  outputTokensSource?: OutputTokensSource | undefined;
  usage: Usage;
  cost: Pico | undefined;
  baselineCost: Pico | undefined;
  output?: string | undefined;
  latencyMs?: number | undefined;
  attempts?: number | undefined;
  cached?: boolean | undefined;
  /** A cache hit: what the call would have cost on its route. */
  cacheSaved?: Pico | undefined;
  error?: PromptError | undefined;
}

export type StopReason = 'done' | 'interrupted' | 'aborted' | 'budget';

export type RunEvent =
  | { type: 'run-start'; at: number; dryRun: boolean; total?: number | undefined }
  | { type: 'input-error'; at: number; file: string; line?: number | undefined; message: string }
  | { type: 'prompt-start'; at: number; id: string; route: string; class: string | null }
  | { type: 'skip'; at: number; id: string }
  | { type: 'throttled'; at: number; provider: string; throttles: number; lowestConcurrency: number }
  | { type: 'retry'; at: number; id: string; route: string; attempt: number; delayMs: number; message: string }
  | { type: 'prompt-end'; at: number; record: ResultRecord }
  /** Ctrl-C: the first stops sending (hard: false), the second aborts what is in flight. */
  | { type: 'interrupt'; at: number; hard: boolean }
  | { type: 'run-end'; at: number; stop: StopReason };

export type RunEventListener = (event: RunEvent) => void;

import type { Pico } from '../money/money.js';
import type { Usage } from '../money/pricing.js';
import type { CallError, CallKind, CallRecord } from './calls.js';

export type OutputTokensSource = 'flag' | 'max_tokens' | 'default';

/** Why a prompt failed: the error of the call that decided it. */
export type PromptError = CallError;

/** What became of one prompt: the line written to the results and the unit every view counts. */
export interface ResultRecord {
  id: string;
  source: { file: string; line?: number | undefined };
  class: string | null;
  /** The route, provider and model of the call whose answer was kept (or that failed). */
  route: string;
  provider: string;
  model: string;
  /** The model id the provider says answered (may be a dated snapshot of `model`). */
  answeredBy?: string | undefined;
  reason: string;
  /** Dry runs: every figure is an estimate. */
  estimated: boolean;
  outputTokensSource?: OutputTokensSource | undefined;
  /** The sum of the calls' usage. */
  usage: Usage;
  /** The exact sum of the calls' costs (dry runs: the estimate). */
  cost: Pico | undefined;
  /** The part of `cost` that is reservations of calls that never settled: an upper bound. */
  unsettled?: Pico | undefined;
  /** The baseline model's prices on the kept answer's prompt and answer tokens. */
  baselineCost: Pico | undefined;
  output?: string | undefined;
  latencyMs?: number | undefined;
  attempts?: number | undefined;
  cached?: boolean | undefined;
  /** A cache hit: what the call would have cost on its route. */
  cacheSaved?: Pico | undefined;
  error?: PromptError | undefined;
  /** Every billable call made for this prompt, in order (live runs). */
  calls?: CallRecord[] | undefined;
  /** A cascade kept a later step's answer. */
  escalated?: boolean | undefined;
  /** The cascade the prompt was routed to, and the id (key path) of the first check its answers failed. */
  cascade?: string | undefined;
  failedCheck?: string | undefined;
}

export type StopReason = 'done' | 'interrupted' | 'aborted' | 'budget' | 'write-failed';

export type RunEvent =
  | { type: 'run-start'; at: number; dryRun: boolean; total?: number | undefined }
  | { type: 'input-error'; at: number; file: string; line?: number | undefined; message: string }
  | { type: 'prompt-start'; at: number; id: string; route: string; class: string | null }
  | { type: 'call-start'; at: number; id: string; route: string; kind: CallKind }
  | { type: 'call-end'; at: number; id: string; route: string }
  | { type: 'skip'; at: number; id: string }
  | { type: 'throttled'; at: number; provider: string; throttles: number; lowestConcurrency: number }
  | { type: 'retry'; at: number; id: string; route: string; attempt: number; delayMs: number; message: string }
  /** A model's key was missing or refused: nothing more is sent to it. */
  | { type: 'model-refused'; at: number; route: string; message: string; hint?: string | undefined }
  | { type: 'prompt-end'; at: number; record: ResultRecord }
  /** Calls made for a batch of prompts rather than one (the embeddings of similar_to routing). */
  | { type: 'batch-calls'; at: number; calls: CallRecord[] }
  /** Ctrl-C or SIGTERM: the first stops sending (hard: false), the second aborts what is in flight. */
  | { type: 'interrupt'; at: number; hard: boolean }
  | { type: 'run-end'; at: number; stop: StopReason };

export type RunEventListener = (event: RunEvent) => void;

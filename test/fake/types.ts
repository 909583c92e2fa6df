import type { BatchControls } from './batch-state.js';

export type ApiKind = 'chat' | 'responses' | 'messages' | 'embeddings';

/**
 * Usage as the test configures it. `input` is the WHOLE prompt, cached parts included
 * (OpenAI's convention). The Anthropic wire format subtracts cacheRead and cacheWrite
 * from it, because Anthropic's input_tokens excludes them; OpenAI has no cache-write
 * figure, so cacheWrite only shows on the Anthropic wire.
 */
export interface Usage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  /** OpenAI reasoning tokens, part of `output`; ignored on the Anthropic wire. */
  reasoning?: number;
}

export interface AnswerContext {
  api: ApiKind;
  model: string;
  /** Every message's text (system/instructions included), joined with newlines. */
  allText: string;
  body: unknown;
}

export interface ModelBehaviour {
  /** Answer text, or a function of the last user message's text. */
  text?: string | ((prompt: string, ctx: AnswerContext) => string);
  usage?: Usage | ((prompt: string, ctx: AnswerContext & { text: string }) => Usage);
  /** The `model` the response reports, e.g. a dated snapshot id. Defaults to the requested model. */
  responseModel?: string;
  latencyMs?: number;
}

/** An HTTP error answered in the API's own error JSON shape. */
export interface HttpFault {
  status: number;
  message?: string;
  /** OpenAI `error.code`, e.g. 'context_length_exceeded'. Anthropic errors have no code. */
  code?: string;
  /** Sent as the `retry-after` header (seconds), exactly as given. */
  retryAfter?: number;
  /** Sent as the `retry-after-ms` header, exactly as given. */
  retryAfterMs?: number;
  /** Append the request's Authorization and x-api-key headers to the message, as careless servers do. */
  echoKey?: boolean;
  latencyMs?: number;
}

/**
 * A 200 whose body is not a whole answer. `malformed`: JSON cut or broken (in a stream, an event
 * whose data is not JSON). `html`: a proxy's HTML page. `empty`: no body at all. `end-early`: a
 * stream (or body) that ends cleanly before its final event (the first `afterEvents`, default all
 * but the final ones). `stall`: headers (and `afterEvents` events, default 1) then silence until the
 * client gives up. `trickle`: the whole answer, one byte every `intervalMs` (default 50).
 */
export type BodyFault =
  | { kind: 'malformed' | 'html' | 'empty'; latencyMs?: number }
  | { kind: 'end-early' | 'stall'; afterEvents?: number; latencyMs?: number }
  | { kind: 'trickle'; intervalMs?: number; latencyMs?: number };

export type Fault =
  | HttpFault
  /** Destroy the socket without sending a response. */
  | { kind: 'reset'; latencyMs?: number }
  /** Send the headers and the first `afterEvents` SSE events (default: half), then destroy the socket. */
  | { kind: 'reset-mid-stream'; afterEvents?: number; latencyMs?: number }
  /** Answer normally (after an optional delay): a placeholder in a fault script. */
  | { kind: 'ok'; latencyMs?: number }
  | BodyFault;

export interface FaultRule {
  fault: Fault;
  model?: string;
  api?: ApiKind;
  /** Matches when the last user message contains this substring. */
  promptIncludes?: string;
  /** How many requests this rule applies to; unlimited when omitted. */
  times?: number;
}

export type Outcome =
  | 'pending'
  | 'ok'
  | 'http-error'
  | 'rate-limited'
  | 'reset'
  | 'reset-mid-stream'
  | 'bad-body'
  | 'stalled'
  | 'client-aborted';

export interface RecordedRequest {
  seq: number;
  method: string;
  /** Path as received, query included. */
  path: string;
  api: ApiKind | undefined;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
  model: string | undefined;
  stream: boolean;
  /** Text of the last user message. */
  prompt: string;
  outcome: Outcome;
  /** HTTP status sent, undefined when the socket was reset before any response. */
  status: number | undefined;
  /** The model reported in the response. */
  responseModel?: string;
  text?: string;
  /** Set only for successful, complete responses: what the caller is billed for. */
  usage?: Usage;
}

export interface FakeStats {
  requests: number;
  billed: number;
  rateLimited: number;
  resets: number;
  byStatus: Record<number, number>;
  /** Sum of billed usage over all billed requests. */
  usage: Required<Usage>;
}

export interface RateLimit {
  requestsPerSecond: number;
}

export interface FakeServerOptions {
  /** Delay before every answer unless a fault or model says otherwise. */
  latencyMs?: number;
  rateLimit?: RateLimit;
  /** When set, requests without this key (Bearer or x-api-key) get a 401. */
  apiKey?: string;
  /** Behaviour for models without their own setModel entry. */
  defaults?: ModelBehaviour;
  /** Clock for the rate limiter and `created` timestamps; Date.now by default. */
  now?: () => number;
}

export interface FakeServer {
  /** http://127.0.0.1:PORT, no trailing slash and no /v1. */
  url: string;
  requests: RecordedRequest[];
  setModel(model: string, behaviour: ModelBehaviour): void;
  setDefaults(behaviour: ModelBehaviour): void;
  /** Faults consumed in order, one per request (after auth and the rate limiter), whatever the model. */
  enqueueFaults(faults: Fault[]): void;
  addFaultRule(rule: FaultRule): void;
  setRateLimit(limit: RateLimit | undefined): void;
  setLatency(ms: number): void;
  billed(): RecordedRequest[];
  /** OpenAI Files + Batches and Anthropic Message Batches: progress, expiry, billing counters. */
  batches: BatchControls;
  stats(): FakeStats;
  /** Forget recorded requests, queued faults, rules, batches and the rate-limit window; keeps models. */
  reset(): void;
  close(): Promise<void>;
}

import type { ParsedRequest } from './prompt.js';
import type { Usage } from './types.js';

/** Everything a wire format needs to render one successful answer. */
export interface Answer {
  /** Sequence number of the request, used to build deterministic ids. */
  seq: number;
  model: string;
  text: string;
  usage: Required<Usage>;
  /** Unix seconds. */
  created: number;
}

export interface SseEvent {
  /** The `event:` line; OpenAI Chat Completions sends none. */
  event?: string;
  data: string;
}

export interface ErrorSpec {
  status: number;
  message: string;
  code?: string;
  requestId: string;
}

export interface WireFormat {
  /** Header carrying the request id on every response. */
  requestIdHeader: string;
  json(answer: Answer, req: ParsedRequest, body: Record<string, unknown>): unknown;
  events(answer: Answer, req: ParsedRequest, body: Record<string, unknown>): SseEvent[];
  /** How many of the last events make a stream whole (what `end-early` leaves out). */
  finalEvents(req: ParsedRequest): number;
  /** Terminator written after the last event, e.g. `data: [DONE]`. */
  streamEnd?: string;
  errorBody(spec: ErrorSpec): unknown;
}

export const pad = (seq: number): string => String(seq).padStart(6, '0');

export function encodeEvent(e: SseEvent): string {
  return `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`;
}

export const sse = (event: string | undefined, data: unknown): SseEvent =>
  event === undefined ? { data: JSON.stringify(data) } : { event, data: JSON.stringify(data) };

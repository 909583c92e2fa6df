import Anthropic from '@anthropic-ai/sdk';
import { fromSdkError } from '../errors.js';
import { messagesBody, messagesUsage, stopReason } from '../anthropic-messages.js';

const textOf = (content: { type: string; text?: string }[]): string => content.map((b) => (b.type === 'text' ? (b.text ?? '') : '')).join('');
import { guardDownload } from './jsonl.js';
import { retryableStatus, type BatchLineRequest, type BatchLineResult, type BatchOps, type BatchStatus } from './types.js';

const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

function statusOf(b: Anthropic.Messages.MessageBatch): BatchStatus {
  const c = b.request_counts;
  const ended = b.processing_status === 'ended';
  const end = !ended ? undefined : b.cancel_initiated_at ? 'cancelled' : c.expired > 0 ? 'expired' : 'completed';
  return {
    id: b.id,
    state: ended ? 'ended' : b.processing_status === 'canceling' ? 'cancelling' : 'running',
    status: b.processing_status,
    end,
    total: c.processing + c.succeeded + c.errored + c.canceled + c.expired,
    succeeded: c.succeeded,
    failed: c.errored + c.canceled + c.expired,
    createdAt: Date.parse(b.created_at),
  };
}

export function lineResult(r: Anthropic.Messages.MessageBatchIndividualResponse): BatchLineResult {
  const customId = r.custom_id;
  const result = r.result;
  switch (result.type) {
    case 'succeeded': {
      const m = result.message;
      return { customId, ok: true, result: { text: textOf(m.content), usage: messagesUsage(m.usage), rawUsage: m.usage, answeredBy: m.model, finishReason: stopReason(m.stop_reason) } };
    }
    case 'errored': {
      const e = result.error.error as { type: string; message: string };
      const status = ERROR_STATUS[e.type];
      return { customId, ok: false, failure: retryableStatus(status) ? 'retryable' : 'invalid', status, message: e.message };
    }
    case 'expired':
      return { customId, ok: false, failure: 'expired', message: 'the batch expired before this request ran' };
    case 'canceled':
      return { customId, ok: false, failure: 'cancelled', message: 'the batch was cancelled before this request ran' };
  }
}

/** Anthropic's Message Batches: POST /v1/messages/batches with {custom_id, params} per request. */
export class AnthropicBatchOps implements BatchOps {
  readonly limits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

  constructor(private readonly client: Anthropic) {}

  private params(line: BatchLineRequest) {
    return { custom_id: line.customId, params: messagesBody(line.request) };
  }

  lineBytes(line: BatchLineRequest): number {
    return Buffer.byteLength(JSON.stringify(this.params(line))) + 1;
  }

  async submit(lines: readonly BatchLineRequest[]): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.messages.batches.create({ requests: lines.map((l) => this.params(l)) as unknown as Anthropic.Messages.Batches.BatchCreateParams.Request[] }));
    } catch (err) {
      throw fromSdkError(err, Date.now(), Anthropic);
    }
  }

  /** No metadata on a message batch: the one batch of that size created since, that the job does not know. */
  async find(_tag: string, match: { since: number; lines: number; exclude: ReadonlySet<string> }): Promise<BatchStatus | undefined> {
    try {
      const found: BatchStatus[] = [];
      for await (const b of this.client.messages.batches.list({ limit: 100 })) {
        const s = statusOf(b);
        if (s.createdAt < match.since - 60_000) break;
        if (s.total === match.lines && !match.exclude.has(s.id)) found.push(s);
      }
      return found.length === 1 ? found[0] : undefined;
    } catch (err) {
      throw fromSdkError(err, Date.now(), Anthropic);
    }
  }

  async status(id: string): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.messages.batches.retrieve(id));
    } catch (err) {
      throw fromSdkError(err, Date.now(), Anthropic);
    }
  }

  async *results(id: string): AsyncIterable<BatchLineResult> {
    let decoder: AsyncIterable<Anthropic.Messages.MessageBatchIndividualResponse>;
    try {
      decoder = await this.client.messages.batches.results(id);
    } catch (err) {
      throw fromSdkError(err, Date.now(), Anthropic);
    }
    yield* guardDownload(decoder, `the results of batch ${id}`, lineResult);
  }

  async cancel(id: string): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.messages.batches.cancel(id));
    } catch (err) {
      throw fromSdkError(err, Date.now(), Anthropic);
    }
  }
}

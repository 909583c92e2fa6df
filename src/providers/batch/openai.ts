import OpenAI, { toFile } from 'openai';
import { fromSdkError } from '../errors.js';
import { chatBody, chatFinish, chatUsage } from '../openai-chat.js';
import { responsesBody, responsesFinish, responsesUsage } from '../openai-responses.js';
import type { GenerateResult } from '../types.js';
import { guardDownload, jsonLines } from './jsonl.js';
import { retryableStatus, type BatchLineRequest, type BatchLineResult, type BatchOps, type BatchStatus } from './types.js';

type Api = 'chat' | 'responses';
const ENDPOINT = { chat: '/v1/chat/completions', responses: '/v1/responses' } as const;
const TAG_KEY = 'frugal_tag';

function statusOf(b: OpenAI.Batches.Batch): BatchStatus {
  const ended = b.status === 'completed' || b.status === 'expired' || b.status === 'cancelled' || b.status === 'failed';
  const counts = b.request_counts ?? { total: 0, completed: 0, failed: 0 };
  return {
    id: b.id,
    state: ended ? 'ended' : b.status === 'cancelling' ? 'cancelling' : 'running',
    status: b.status,
    end: ended ? (b.status as BatchStatus['end']) : undefined,
    total: counts.total,
    succeeded: counts.completed,
    failed: counts.failed,
    createdAt: b.created_at * 1000,
    errors: b.errors?.data?.map((e) => `${e.line ? `line ${e.line}: ` : ''}${e.message ?? e.code ?? 'invalid'}`),
  };
}

interface ResponsesBody {
  model?: string;
  status?: string;
  incomplete_details?: { reason?: string } | null;
  output?: { type?: string; content?: { type?: string; text?: string }[] }[];
  usage?: Parameters<typeof responsesUsage>[0];
}

interface ChatBody {
  model?: string;
  choices?: { message?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: Parameters<typeof chatUsage>[0];
}

/** A successful line's body, read as the live adapter reads the same API's answer. */
export function answerOf(api: Api, body: unknown): GenerateResult {
  if (api === 'chat') {
    const b = body as ChatBody;
    return { text: b.choices?.[0]?.message?.content ?? '', usage: chatUsage(b.usage), rawUsage: b.usage, answeredBy: b.model, finishReason: chatFinish(b.choices?.[0]?.finish_reason) };
  }
  const b = body as ResponsesBody;
  // output_text is the SDK's convenience; the wire has the message items.
  const text = (b.output ?? [])
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content ?? [])
    .map((c) => (c.type === 'output_text' ? (c.text ?? '') : ''))
    .join('');
  return { text, usage: responsesUsage(b.usage), rawUsage: b.usage, answeredBy: b.model, finishReason: responsesFinish(b.status, b.incomplete_details?.reason) };
}

interface OutputLine {
  custom_id: string;
  response: { status_code: number; body: unknown } | null;
  error: { code?: string; message?: string } | null;
}

export function lineResult(api: Api, line: OutputLine): BatchLineResult {
  const customId = line.custom_id;
  if (line.response && line.response.status_code === 200) return { customId, ok: true, result: answerOf(api, line.response.body) };
  if (line.response) {
    const status = line.response.status_code;
    const message = (line.response.body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${status}`;
    return { customId, ok: false, failure: retryableStatus(status) ? 'retryable' : 'invalid', status, message };
  }
  const code = line.error?.code;
  const message = line.error?.message ?? code ?? 'failed';
  if (code === 'batch_expired') return { customId, ok: false, failure: 'expired', message };
  if (code === 'batch_cancelled') return { customId, ok: false, failure: 'cancelled', message };
  return { customId, ok: false, failure: 'invalid', message };
}

/** OpenAI's Batch API: a JSONL file uploaded with purpose "batch", then POST /v1/batches. One model per file. */
export class OpenAIBatchOps implements BatchOps {
  readonly limits = { maxRequests: 50_000, maxBytes: 200 * 1024 * 1024 };

  constructor(
    private readonly client: OpenAI,
    private readonly api: Api,
  ) {}

  private encode(line: BatchLineRequest): string {
    const body = this.api === 'chat' ? chatBody(line.request) : responsesBody(line.request);
    return JSON.stringify({ custom_id: line.customId, method: 'POST', url: ENDPOINT[this.api], body });
  }

  lineBytes(line: BatchLineRequest): number {
    return Buffer.byteLength(this.encode(line)) + 1;
  }

  async submit(lines: readonly BatchLineRequest[], tag: string): Promise<BatchStatus> {
    try {
      // One piece per line, copied once into the upload: a 200 MB file is never a 200 MB string.
      const blob = new Blob(lines.map((l) => `${this.encode(l)}\n`));
      const file = await this.client.files.create({ file: await toFile(blob, `frugal-${tag}.jsonl`), purpose: 'batch' });
      const batch = await this.client.batches.create({ input_file_id: file.id, endpoint: ENDPOINT[this.api], completion_window: '24h', metadata: { [TAG_KEY]: tag } });
      return statusOf(batch);
    } catch (err) {
      throw fromSdkError(err, Date.now(), OpenAI);
    }
  }

  async find(tag: string, match: { since: number }): Promise<BatchStatus | undefined> {
    try {
      for await (const b of this.client.batches.list({ limit: 100 })) {
        if (b.metadata?.[TAG_KEY] === tag) return statusOf(b);
        // Newest first: past the moment of submission, it is not there.
        if (b.created_at * 1000 < match.since - 60_000) return undefined;
      }
      return undefined;
    } catch (err) {
      throw fromSdkError(err, Date.now(), OpenAI);
    }
  }

  async status(id: string): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.batches.retrieve(id));
    } catch (err) {
      throw fromSdkError(err, Date.now(), OpenAI);
    }
  }

  async *results(id: string): AsyncIterable<BatchLineResult> {
    let batch: OpenAI.Batches.Batch;
    try {
      batch = await this.client.batches.retrieve(id);
    } catch (err) {
      throw fromSdkError(err, Date.now(), OpenAI);
    }
    for (const fileId of [batch.output_file_id, batch.error_file_id]) {
      if (!fileId) continue;
      let response: Response;
      try {
        response = await this.client.files.content(fileId);
      } catch (err) {
        throw fromSdkError(err, Date.now(), OpenAI);
      }
      if (!response.body) continue;
      const body = jsonLines(response.body as unknown as AsyncIterable<Uint8Array>);
      yield* guardDownload(body, `the results of batch ${id}`, (line) => lineResult(this.api, line as OutputLine));
    }
  }

  async cancel(id: string): Promise<BatchStatus> {
    try {
      return statusOf(await this.client.batches.cancel(id));
    } catch (err) {
      const mapped = fromSdkError(err, Date.now(), OpenAI);
      // Cancelling a batch that has already ended is not a failure: report where it stands.
      if (mapped.status === 409) return this.status(id);
      throw mapped;
    }
  }
}

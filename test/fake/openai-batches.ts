import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchBook, BatchLine, FakeBatch, LineOutcome } from './batch-state.js';
import { sendJson } from './http.js';
import { openaiErrorBody } from './openai-error.js';
import type { ApiKind } from './types.js';

const ENDPOINTS: Record<string, ApiKind> = { '/v1/responses': 'responses', '/v1/chat/completions': 'chat' };
const MAX_LINES = 50_000;
const MAX_BYTES = 200 * 1024 * 1024;
const secs = (ms: number | undefined) => (ms === undefined ? null : Math.floor(ms / 1000));

/** multipart/form-data as the SDK's uploads send it: the named fields, as text. */
function multipart(req: IncomingMessage, raw: string): Map<string, { filename?: string; value: string }> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] ?? '');
  const out = new Map<string, { filename?: string; value: string }>();
  if (!boundary) return out;
  for (const part of raw.split(`--${boundary[1] ?? boundary[2]}`)) {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const head = part.slice(0, split);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    if (name === undefined) continue;
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    out.set(name, { ...(filename === undefined ? {} : { filename }), value: part.slice(split + 4).replace(/\r\n$/, '') });
  }
  return out;
}

function batchObject(book: BatchBook, b: FakeBatch) {
  const c = book.counts(b);
  const status = b.phase === 'ended' ? b.end! : b.phase;
  return {
    id: b.id,
    object: 'batch',
    endpoint: b.endpoint,
    model: b.lines[0]?.model ?? null,
    errors: b.errors.length ? { object: 'list', data: b.errors.map((e) => ({ code: e.code, message: e.message, param: null, line: e.line ?? null })) } : null,
    input_file_id: b.inputFileId,
    completion_window: '24h',
    status,
    output_file_id: b.outputFileId ?? null,
    error_file_id: b.errorFileId ?? null,
    created_at: secs(b.createdAt),
    in_progress_at: b.phase === 'validating' || b.end === 'failed' ? null : secs(b.createdAt),
    expires_at: secs(b.createdAt + 24 * 3600 * 1000),
    finalizing_at: b.end === 'completed' ? secs(b.endedAt) : null,
    completed_at: b.end === 'completed' ? secs(b.endedAt) : null,
    failed_at: b.end === 'failed' ? secs(b.endedAt) : null,
    expired_at: b.end === 'expired' ? secs(b.endedAt) : null,
    cancelling_at: secs(b.cancelAt),
    cancelled_at: b.end === 'cancelled' ? secs(b.endedAt) : null,
    request_counts: { total: b.lines.length, completed: c.ok, failed: c.errored + c.expired + c.cancelled },
    metadata: b.metadata,
  };
}

function outputLine(b: FakeBatch, line: BatchLine, o: LineOutcome, n: number): string {
  const id = `batch_req_${b.id.slice(6)}_${n}`;
  if (o.kind === 'ok' || o.kind === 'error') {
    return JSON.stringify({ id, custom_id: line.customId, response: { status_code: o.status, request_id: o.requestId, body: o.body }, error: null });
  }
  const error =
    o.kind === 'expired'
      ? { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' }
      : { code: 'batch_cancelled', message: 'This request was not executed because the batch was cancelled.' };
  return JSON.stringify({ id, custom_id: line.customId, response: null, error });
}

/** Writes the output and error files of an ended batch (once). */
function writeResultFiles(book: BatchBook, b: FakeBatch): void {
  if (b.phase !== 'ended' || b.end === 'failed' || b.outputFileId !== undefined || b.errorFileId !== undefined) return;
  const ok: string[] = [];
  const bad: string[] = [];
  b.outcomes.forEach((o, i) => (o.kind === 'ok' ? ok : bad).push(outputLine(b, b.lines[i]!, o, i)));
  const file = (lines: string[], name: string) => {
    const id = book.nextId('file-fake');
    book.files.set(id, { id, filename: name, purpose: 'batch_output', content: lines.map((l) => `${l}\n`).join(''), createdAt: book.now() });
    return id;
  };
  if (ok.length) b.outputFileId = file(ok, `${b.id}_output.jsonl`);
  if (bad.length) b.errorFileId = file(bad, `${b.id}_error.jsonl`);
}

function parseLines(content: string, endpoint: string): { lines: BatchLine[]; errors: FakeBatch['errors'] } {
  const lines: BatchLine[] = [];
  const errors: FakeBatch['errors'] = [];
  const seen = new Set<string>();
  const models = new Set<string>();
  content.split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    let j: { custom_id?: unknown; method?: unknown; url?: unknown; body?: { model?: unknown } };
    try {
      j = JSON.parse(text) as typeof j;
    } catch {
      errors.push({ code: 'invalid_json_line', message: `Line ${i + 1} is not valid JSON.`, line: i + 1 });
      return;
    }
    const customId = typeof j.custom_id === 'string' ? j.custom_id : '';
    if (!customId) errors.push({ code: 'missing_required_parameter', message: 'custom_id is required.', line: i + 1 });
    else if (seen.has(customId)) errors.push({ code: 'duplicate_custom_id', message: `The custom_id '${customId}' is duplicated.`, line: i + 1 });
    if (j.method !== 'POST' || j.url !== endpoint) errors.push({ code: 'invalid_url', message: `The url must be ${endpoint} and the method POST.`, line: i + 1 });
    const model = typeof j.body?.model === 'string' ? j.body.model : undefined;
    if (model) models.add(model);
    seen.add(customId);
    lines.push({ customId, api: ENDPOINTS[endpoint]!, body: j.body, model });
  });
  if (models.size > 1) errors.push({ code: 'mismatched_model', message: 'All requests in a batch must use the same model.' });
  if (lines.length > MAX_LINES) errors.push({ code: 'too_many_requests', message: `A batch may hold at most ${MAX_LINES} requests.` });
  return { lines, errors };
}

const fail = (res: ServerResponse, status: number, message: string) => sendJson(res, status, openaiErrorBody({ status, message, requestId: 'req_fake' }), {});

/** OpenAI Files (purpose batch) and Batches. Returns false when the path is not one of them. */
export function openaiBatchRoute(book: BatchBook, req: IncomingMessage, res: ServerResponse, path: string, raw: string): boolean {
  const method = req.method ?? 'GET';
  let m: RegExpExecArray | null;
  if (path === '/files' && method === 'POST') {
    const form = multipart(req, raw);
    const file = form.get('file');
    if (!file || form.get('purpose')?.value !== 'batch') return fail(res, 400, "A file and purpose 'batch' are required."), true;
    if (Buffer.byteLength(file.value) > MAX_BYTES) return fail(res, 400, 'File is larger than 200 MB.'), true;
    const id = book.nextId('file-fake');
    book.files.set(id, { id, filename: file.filename ?? 'upload.jsonl', purpose: 'batch', content: file.value, createdAt: book.now() });
    sendJson(res, 200, { id, object: 'file', bytes: Buffer.byteLength(file.value), created_at: secs(book.now()), filename: file.filename ?? 'upload.jsonl', purpose: 'batch', status: 'processed', expires_at: null, status_details: null }, {});
    return true;
  }
  if ((m = /^\/files\/([^/]+)\/content$/.exec(path)) && method === 'GET') {
    const file = book.files.get(m[1]!);
    if (!file) return fail(res, 404, `No such File object: ${m[1]}`), true;
    book.downloads++;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(Buffer.byteLength(file.content)) });
    const cut = book.progress.cutDownloadAfter;
    if (cut !== undefined && file.purpose === 'batch_output') {
      book.progress.cutDownloadAfter = undefined;
      res.write(Buffer.from(file.content).subarray(0, cut), () => res.destroy());
      return true;
    }
    res.end(file.content);
    return true;
  }
  if (path === '/batches' && method === 'POST') {
    const body = JSON.parse(raw || '{}') as { input_file_id?: string; endpoint?: string; completion_window?: string; metadata?: Record<string, string> };
    const file = body.input_file_id ? book.files.get(body.input_file_id) : undefined;
    if (!file) return fail(res, 400, `No such File object: ${body.input_file_id}`), true;
    if (!body.endpoint || !(body.endpoint in ENDPOINTS)) return fail(res, 400, `Unsupported endpoint ${body.endpoint}`), true;
    if (body.completion_window !== '24h') return fail(res, 400, "completion_window must be '24h'"), true;
    const { lines, errors } = parseLines(file.content, body.endpoint);
    const b = book.create('openai', lines, { endpoint: body.endpoint, inputFileId: file.id, metadata: body.metadata ?? null, errors });
    sendJson(res, 200, batchObject(book, b), {});
    return true;
  }
  if (path === '/batches' && method === 'GET') {
    book.statusChecks++;
    const url = new URL(req.url ?? '/', 'http://x');
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const after = url.searchParams.get('after');
    const all = [...book.batches.values()].filter((b) => b.provider === 'openai').reverse();
    const start = after ? all.findIndex((b) => b.id === after) + 1 : 0;
    const page = all.slice(start, start + limit);
    sendJson(res, 200, { object: 'list', data: page.map((b) => batchObject(book, b)), first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null, has_more: start + limit < all.length }, {});
    return true;
  }
  if ((m = /^\/batches\/([^/]+)(\/cancel)?$/.exec(path))) {
    const b = book.batches.get(m[1]!);
    if (!b || b.provider !== 'openai') return fail(res, 404, `No batch found with id '${m[1]}'.`), true;
    if (m[2] && method === 'POST') {
      if (b.phase === 'ended') return fail(res, 409, `Cannot cancel a batch with status ${b.end}.`), true;
      book.cancel(b);
    } else if (method === 'GET') book.poll(b);
    else return false;
    writeResultFiles(book, b);
    sendJson(res, 200, batchObject(book, b), {});
    return true;
  }
  return false;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchBook, FakeBatch, LineOutcome } from './batch-state.js';
import { sendJson } from './http.js';

const MAX_REQUESTS = 100_000;
const MAX_BYTES = 256 * 1024 * 1024;
const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;
const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function batchObject(book: BatchBook, b: FakeBatch, base: string) {
  const c = book.counts(b);
  const processing = b.phase === 'cancelling' ? 'canceling' : b.phase === 'ended' ? 'ended' : 'in_progress';
  return {
    id: b.id,
    type: 'message_batch',
    processing_status: processing,
    request_counts: { processing: c.pending, succeeded: c.ok, errored: c.errored, canceled: c.cancelled, expired: c.expired },
    ended_at: iso(b.endedAt),
    created_at: iso(b.createdAt),
    expires_at: iso(b.createdAt + 24 * 3600 * 1000),
    archived_at: null,
    cancel_initiated_at: iso(b.cancelAt),
    results_url: b.phase === 'ended' ? `${base}/v1/messages/batches/${b.id}/results` : null,
  };
}

function resultLine(customId: string, o: LineOutcome): string {
  switch (o.kind) {
    case 'ok':
      return JSON.stringify({ custom_id: customId, result: { type: 'succeeded', message: o.body } });
    case 'error':
      return JSON.stringify({ custom_id: customId, result: { type: 'errored', error: { type: 'error', error: { type: o.errorType, message: o.message }, request_id: o.requestId } } });
    case 'expired':
      return JSON.stringify({ custom_id: customId, result: { type: 'expired' } });
    case 'cancelled':
      return JSON.stringify({ custom_id: customId, result: { type: 'canceled' } });
  }
}

const error = (res: ServerResponse, status: number, type: string, message: string) =>
  sendJson(res, status, { type: 'error', error: { type, message }, request_id: 'req_fake' }, { 'request-id': 'req_fake' });

/** Anthropic Message Batches. Returns false when the path is not one of them. */
export function anthropicBatchRoute(book: BatchBook, req: IncomingMessage, res: ServerResponse, path: string, raw: string): boolean {
  const method = req.method ?? 'GET';
  const base = `http://${req.headers.host ?? '127.0.0.1'}`;
  let m: RegExpExecArray | null;
  if (path === '/messages/batches' && method === 'POST') {
    if (Buffer.byteLength(raw) > MAX_BYTES) return error(res, 413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'), true;
    const body = JSON.parse(raw || '{}') as { requests?: { custom_id?: unknown; params?: { model?: unknown } }[] };
    const requests = body.requests ?? [];
    if (requests.length === 0 || requests.length > MAX_REQUESTS) return error(res, 400, 'invalid_request_error', `requests: must hold 1 to ${MAX_REQUESTS} items`), true;
    const seen = new Set<string>();
    for (const [i, r] of requests.entries()) {
      const id = typeof r.custom_id === 'string' ? r.custom_id : '';
      if (!CUSTOM_ID.test(id)) return error(res, 400, 'invalid_request_error', `requests.${i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`), true;
      if (seen.has(id)) return error(res, 400, 'invalid_request_error', `Duplicate custom_id: ${id}`), true;
      seen.add(id);
    }
    const lines = requests.map((r) => ({ customId: r.custom_id as string, api: 'messages' as const, body: r.params, model: typeof r.params?.model === 'string' ? r.params.model : undefined }));
    const b = book.create('anthropic', lines, { endpoint: '/v1/messages' });
    sendJson(res, 200, batchObject(book, b, base), {});
    return true;
  }
  if (path === '/messages/batches' && method === 'GET') {
    book.statusChecks++;
    const url = new URL(req.url ?? '/', 'http://x');
    const limit = Number(url.searchParams.get('limit') ?? 20);
    const after = url.searchParams.get('after_id');
    const all = [...book.batches.values()].filter((b) => b.provider === 'anthropic').reverse();
    const start = after ? all.findIndex((b) => b.id === after) + 1 : 0;
    const page = all.slice(start, start + limit);
    sendJson(res, 200, { data: page.map((b) => batchObject(book, b, base)), has_more: start + limit < all.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null }, {});
    return true;
  }
  if ((m = /^\/messages\/batches\/([^/]+)(\/cancel|\/results)?$/.exec(path))) {
    const b = book.batches.get(m[1]!);
    if (!b || b.provider !== 'anthropic') return error(res, 404, 'not_found_error', `No batch found with id ${m[1]}`), true;
    if (m[2] === '/results' && method === 'GET') {
      if (b.phase !== 'ended') return error(res, 400, 'invalid_request_error', `Batch ${b.id} has not ended: results are not yet available.`), true;
      book.downloads++;
      res.writeHead(200, { 'content-type': 'application/binary' });
      // Written in pieces, as a large results file streams.
      let chunk = '';
      b.outcomes.forEach((o, i) => {
        chunk += `${resultLine(b.lines[i]!.customId, o)}\n`;
        if (chunk.length > 65536) {
          res.write(chunk);
          chunk = '';
        }
      });
      res.end(chunk);
      return true;
    }
    if (m[2] === '/cancel' && method === 'POST') book.cancel(b);
    else if (m[2] === undefined && method === 'GET') book.poll(b);
    else return false;
    sendJson(res, 200, batchObject(book, b, base), {});
    return true;
  }
  return false;
}

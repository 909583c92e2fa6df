import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMessages } from './anthropic-messages.js';
import { isBodyFault, sendBodyFault } from './body-faults.js';
import { anthropicBatchRoute } from './anthropic-batches.js';
import { BatchBook, batchControls, type LineOutcome } from './batch-state.js';
import { openaiBatchRoute } from './openai-batches.js';
import { FaultScript, RateLimiter } from './faults.js';
import { flatHeaders, readBody, routeOf, sendJson, Sleeps, writeThenReset } from './http.js';
import { openaiChat } from './openai-chat.js';
import { openaiEmbeddings } from './openai-embeddings.js';
import { openaiResponses } from './openai-responses.js';
import { checkUsage, defaultAnswer, defaultUsage, parseRequest, type ParsedRequest } from './prompt.js';
import { statsOf } from './stats.js';
import type {
  ApiKind, FakeServer, FakeServerOptions, Fault, HttpFault, ModelBehaviour, RateLimit, RecordedRequest,
} from './types.js';
import { encodeEvent, pad, type Answer, type WireFormat } from './wire.js';

export type * from './types.js';

const FORMATS: Record<ApiKind, WireFormat> = {
  chat: openaiChat,
  responses: openaiResponses,
  messages: anthropicMessages,
  embeddings: openaiEmbeddings,
};

/**
 * Base URLs: the OpenAI SDK's baseURL includes the version (its default is
 * https://api.openai.com/v1) and it appends /chat/completions or /responses; the Anthropic
 * SDK's baseURL has no version (default https://api.anthropic.com) and it appends
 * /v1/messages. The server also accepts every route without the /v1 prefix.
 */
export const openaiBaseUrl = (server: Pick<FakeServer, 'url'>): string => `${server.url}/v1`;
export const anthropicBaseUrl = (server: Pick<FakeServer, 'url'>): string => server.url;

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Invalid request (fake server)',
  401: 'Invalid API key (fake server)',
  404: 'Not found (fake server)',
  429: 'Rate limit reached (fake server)',
  529: 'Overloaded (fake server)',
};

const isHttpFault = (f: Fault): f is HttpFault => 'status' in f;

class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  readonly script = new FaultScript();
  readonly sleeps = new Sleeps();
  readonly models = new Map<string, ModelBehaviour>();
  defaults: ModelBehaviour;
  latencyMs: number;
  rateLimit: RateLimit | undefined;
  limiter: RateLimiter | undefined;
  closed = false;
  private seq = 0;
  readonly batches: BatchBook;

  constructor(readonly options: FakeServerOptions, readonly now: () => number) {
    this.defaults = options.defaults ?? {};
    this.batches = new BatchBook((api, body) => this.answerLine(api, body), now);
    this.latencyMs = options.latencyMs ?? 0;
    this.setRateLimit(options.rateLimit);
  }

  setRateLimit(limit: RateLimit | undefined): void {
    if (limit !== undefined && !(limit.requestsPerSecond >= 1)) {
      throw new Error('fake server: rateLimit.requestsPerSecond must be at least 1');
    }
    this.rateLimit = limit;
    this.limiter = limit === undefined ? undefined : new RateLimiter(limit, this.now);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '');
    if (/^\/(files|batches|messages\/batches)(\/|$)/.test(path)) {
      const raw = await readBody(req);
      if (openaiBatchRoute(this.batches, req, res, path, raw) || anthropicBatchRoute(this.batches, req, res, path, raw)) return;
      return sendJson(res, 404, { error: { message: `No route for ${req.method} ${req.url}` } }, {});
    }
    const seq = ++this.seq;
    const api = routeOf(req.url ?? '');
    const rec: RecordedRequest = {
      seq, method: req.method ?? '', path: req.url ?? '', api, headers: flatHeaders(req), body: undefined,
      model: undefined, stream: false, prompt: '', outcome: 'pending', status: undefined,
    };
    this.requests.push(rec);
    res.on('close', () => {
      if (rec.outcome === 'pending') rec.outcome = 'client-aborted';
    });
    const format = FORMATS[api ?? 'chat'];
    const fail = (status: number, message: string, extra: Record<string, string> = {}) =>
      this.sendError(res, rec, format, { status, message }, extra);

    const raw = await readBody(req);
    if (api === undefined || req.method !== 'POST') return fail(404, `No route for ${req.method} ${req.url}`);
    try {
      rec.body = JSON.parse(raw);
    } catch {
      return fail(400, 'We could not parse the JSON body of your request.');
    }
    const parsed = parseRequest(api, rec.body);
    Object.assign(rec, { model: parsed.model, stream: parsed.stream, prompt: parsed.prompt });

    const key = this.options.apiKey;
    if (key !== undefined && rec.headers['authorization'] !== `Bearer ${key}` && rec.headers['x-api-key'] !== key) {
      return fail(401, DEFAULT_MESSAGES[401] ?? '');
    }
    const waitMs = this.limiter?.tryAdmit();
    if (waitMs !== undefined) {
      rec.outcome = 'rate-limited';
      return fail(429, DEFAULT_MESSAGES[429] ?? '', {
        'retry-after-ms': String(waitMs),
        'retry-after': String(Math.ceil(waitMs / 1000)),
      });
    }

    const fault = this.script.next({ api, model: parsed.model, prompt: parsed.prompt });
    const behaviour = (parsed.model !== undefined ? this.models.get(parsed.model) : undefined) ?? this.defaults;
    await this.sleeps.sleep(fault?.latencyMs ?? behaviour.latencyMs ?? this.latencyMs);
    if (this.closed || rec.outcome !== 'pending' || res.destroyed) return;

    if (fault !== undefined && isHttpFault(fault)) return this.sendFault(res, rec, format, fault);
    if (fault !== undefined && 'kind' in fault && fault.kind === 'reset') {
      rec.outcome = 'reset';
      res.socket?.destroy();
      return;
    }

    let answer: Answer;
    try {
      answer = this.answer(seq, api, parsed, rec.body, behaviour);
    } catch (err) {
      return fail(500, err instanceof Error ? err.message : String(err));
    }
    Object.assign(rec, { responseModel: answer.model, text: answer.text });
    const body = rec.body as Record<string, unknown>;
    const midStream = fault !== undefined && 'kind' in fault && fault.kind === 'reset-mid-stream' ? fault : undefined;
    const headers = { [format.requestIdHeader]: `req_fake${pad(seq)}` };
    rec.status = 200;

    if (isBodyFault(fault)) {
      const json = parsed.stream ? '' : JSON.stringify(format.json(answer, parsed, body));
      const events = parsed.stream ? format.events(answer, parsed, body).map(encodeEvent) : [];
      const rendered = { stream: parsed.stream, json, events, finalEvents: format.finalEvents(parsed), streamEnd: format.streamEnd ?? '', headers };
      rec.outcome = await sendBodyFault(res, fault, rendered, this.sleeps);
      return;
    }
    if (!parsed.stream) {
      const json = format.json(answer, parsed, body);
      if (midStream !== undefined) {
        rec.outcome = 'reset-mid-stream';
        const text = JSON.stringify(json);
        res.writeHead(200, { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
        return writeThenReset(res, text.slice(0, Math.floor(text.length / 2)));
      }
      rec.outcome = 'ok';
      rec.usage = answer.usage;
      return sendJson(res, 200, json, headers);
    }

    const events = format.events(answer, parsed, body).map(encodeEvent);
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    if (midStream !== undefined) {
      rec.outcome = 'reset-mid-stream';
      const keep = midStream.afterEvents ?? Math.max(1, Math.floor(events.length / 2));
      return writeThenReset(res, events.slice(0, keep).join(''));
    }
    rec.outcome = 'ok';
    rec.usage = answer.usage;
    res.end(events.join('') + (format.streamEnd ?? ''));
  }

  private answer(seq: number, api: ApiKind, p: ParsedRequest, body: unknown, b: ModelBehaviour): Answer {
    const model = p.model ?? 'unknown-model';
    const ctx = { api, model, allText: p.allText, body };
    // Embeddings answer with vectors, and bill input only.
    const text = api === 'embeddings' ? '' : typeof b.text === 'function' ? b.text(p.prompt, ctx) : b.text ?? defaultAnswer(p.prompt);
    const usage = typeof b.usage === 'function' ? b.usage(p.prompt, { ...ctx, text }) : b.usage ?? defaultUsage(p.allText, text);
    return { seq, model: b.responseModel ?? model, text, usage: checkUsage(usage), created: Math.floor(this.now() / 1000) };
  }

  /** One line of a batch: the same behaviours, faults and wire bodies as a live request, without latency. */
  answerLine(api: ApiKind, body: unknown): LineOutcome {
    const seq = ++this.seq;
    const format = FORMATS[api];
    const requestId = `req_fake${pad(seq)}`;
    const parsed = parseRequest(api, body);
    const fault = this.script.next({ api, model: parsed.model, prompt: parsed.prompt });
    const failWith = (status: number, message: string, code?: string): LineOutcome => {
      const errorBody = format.errorBody({ status, message, requestId, ...(code === undefined ? {} : { code }) }) as { error: { type: string } };
      return { kind: 'error', status, body: errorBody, requestId, message, errorType: errorBody.error.type };
    };
    if (fault !== undefined && isHttpFault(fault)) {
      return failWith(fault.status, fault.message ?? DEFAULT_MESSAGES[fault.status] ?? `Fake server error ${fault.status}`, fault.code);
    }
    const behaviour = (parsed.model !== undefined ? this.models.get(parsed.model) : undefined) ?? this.defaults;
    let answer: Answer;
    try {
      answer = this.answer(seq, api, parsed, body, behaviour);
    } catch (err) {
      return failWith(500, err instanceof Error ? err.message : String(err));
    }
    const json = format.json(answer, parsed, body as Record<string, unknown>);
    return { kind: 'ok', status: 200, body: json, requestId, model: answer.model, usage: answer.usage };
  }

  private sendFault(res: ServerResponse, rec: RecordedRequest, format: WireFormat, fault: HttpFault): void {
    const extra: Record<string, string> = {};
    if (fault.retryAfter !== undefined) extra['retry-after'] = String(fault.retryAfter);
    if (fault.retryAfterMs !== undefined) extra['retry-after-ms'] = String(fault.retryAfterMs);
    let message = fault.message ?? DEFAULT_MESSAGES[fault.status] ?? `Fake server error ${fault.status}`;
    if (fault.echoKey) message += ` (you sent: authorization=${rec.headers['authorization'] ?? ''} x-api-key=${rec.headers['x-api-key'] ?? ''})`;
    const spec = { status: fault.status, message, ...(fault.code === undefined ? {} : { code: fault.code }) };
    this.sendError(res, rec, format, spec, extra);
  }

  private sendError(
    res: ServerResponse, rec: RecordedRequest, format: WireFormat,
    spec: { status: number; message: string; code?: string }, extra: Record<string, string>,
  ): void {
    const requestId = `req_fake${pad(rec.seq)}`;
    rec.status = spec.status;
    if (rec.outcome === 'pending') rec.outcome = 'http-error';
    sendJson(res, spec.status, format.errorBody({ ...spec, requestId }), { ...extra, [format.requestIdHeader]: requestId });
  }
}

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}

export async function startFakeServer(options: FakeServerOptions = {}): Promise<FakeServer> {
  const provider = new FakeProvider(options, options.now ?? Date.now);
  const server = createServer((req, res) => {
    provider.handle(req, res).catch(() => {
      // The client went away mid-request, or close() cut the socket; nothing to answer.
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end();
    });
  });
  const { port } = await listen(server);
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: provider.requests,
    setModel: (model, behaviour) => {
      if (behaviour.usage !== undefined && typeof behaviour.usage !== 'function') checkUsage(behaviour.usage);
      provider.models.set(model, behaviour);
    },
    setDefaults: (behaviour) => {
      provider.defaults = behaviour;
    },
    enqueueFaults: (faults) => provider.script.enqueue(faults),
    addFaultRule: (rule) => provider.script.addRule(rule),
    setRateLimit: (limit) => provider.setRateLimit(limit),
    setLatency: (ms) => {
      provider.latencyMs = ms;
    },
    batches: batchControls(provider.batches),
    billed: () => provider.requests.filter((r) => r.usage !== undefined),
    stats: () => statsOf(provider.requests),
    reset: () => {
      provider.requests.length = 0;
      provider.script.clear();
      provider.batches.clear();
      provider.setRateLimit(provider.rateLimit);
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        provider.closed = true;
        provider.sleeps.cancelAll();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiKind } from './types.js';

const ROUTES: Record<string, ApiKind> = {
  '/chat/completions': 'chat',
  '/responses': 'responses',
  '/messages': 'messages',
  '/embeddings': 'embeddings',
};

/** Maps a request path to its API, with or without the /v1 prefix and any query string. */
export function routeOf(url: string): ApiKind | undefined {
  const path = (url.split('?')[0] ?? '').replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '');
  return ROUTES[path];
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client went away before sending the whole body'));
    });
  });
}

export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** Writes `data`, then destroys the socket once it has been handed to the OS. */
export function writeThenReset(res: ServerResponse, data: string): void {
  res.write(data, () => res.socket?.destroy());
}

/** A set of cancellable sleeps, so close() leaves no timers behind. */
export class Sleeps {
  private pending = new Map<NodeJS.Timeout, () => void>();

  /** Resolves after `ms`, or early when cancelled; immediately for 0. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        resolve();
      }, ms);
      this.pending.set(timer, resolve);
    });
  }

  cancelAll(): void {
    for (const [timer, resolve] of this.pending) {
      clearTimeout(timer);
      resolve();
    }
    this.pending.clear();
  }
}

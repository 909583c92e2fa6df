import type { ServerResponse } from 'node:http';
import type { Sleeps } from './http.js';
import type { BodyFault, Fault } from './types.js';

const BODY_FAULTS: ReadonlySet<string> = new Set(['malformed', 'html', 'empty', 'end-early', 'stall', 'trickle']);

export const isBodyFault = (f: Fault | undefined): f is BodyFault => f !== undefined && 'kind' in f && BODY_FAULTS.has(f.kind);

const HTML = '<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n';

export interface Rendered {
  stream: boolean;
  /** The whole JSON body, or the encoded SSE events. */
  json: string;
  events: string[];
  /** Trailing events that make a stream whole. */
  finalEvents: number;
  streamEnd: string;
  headers: Record<string, string>;
}

const SSE = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };
const JSON_TYPE = { 'content-type': 'application/json' };

/** Answers with a 200 whose body is not a whole answer. Returns the outcome to record. */
export async function sendBodyFault(res: ServerResponse, fault: BodyFault, r: Rendered, sleeps: Sleeps): Promise<'bad-body' | 'stalled'> {
  const type = r.stream ? SSE : JSON_TYPE;
  switch (fault.kind) {
    case 'html':
      res.writeHead(200, { ...r.headers, 'content-type': 'text/html' }).end(HTML);
      return 'bad-body';
    case 'empty':
      res.writeHead(200, { ...r.headers, ...type, 'content-length': '0' }).end();
      return 'bad-body';
    case 'malformed':
      if (r.stream) res.writeHead(200, { ...r.headers, ...SSE }).end(`${r.events[0] ?? ''}data: {"broken": \n\n`);
      else res.writeHead(200, { ...r.headers, ...JSON_TYPE }).end(r.json.slice(0, Math.floor(r.json.length / 2)));
      return 'bad-body';
    case 'end-early': {
      if (!r.stream) return sendBodyFault(res, { kind: 'malformed' }, r, sleeps);
      const keep = fault.afterEvents ?? r.events.length - r.finalEvents;
      res.writeHead(200, { ...r.headers, ...SSE }).end(r.events.slice(0, keep).join(''));
      return 'bad-body';
    }
    case 'stall':
      res.writeHead(200, { ...r.headers, ...type });
      if (r.stream) res.write(r.events.slice(0, fault.afterEvents ?? 1).join(''));
      else res.flushHeaders();
      return 'stalled';
    case 'trickle': {
      const body = r.stream ? r.events.join('') + r.streamEnd : r.json;
      res.writeHead(200, { ...r.headers, ...type });
      for (const ch of body) {
        if (res.destroyed) break;
        res.write(ch);
        await sleeps.sleep(fault.intervalMs ?? 50);
      }
      res.end();
      return 'stalled';
    }
  }
}

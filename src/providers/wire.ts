import { ProviderError } from './types.js';

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export const malformed = (what: string) => new ProviderError(`malformed answer: ${what}`, 'malformed');

const preview = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

/**
 * The JSON object of a 200 response, read by frugal rather than the SDK: an empty, HTML or cut
 * body is a failed attempt (retried like a 5xx), never a crash and never an answer.
 */
export async function readJson(response: Response): Promise<Json> {
  const text = await response.text();
  if (text.trim() === '') throw malformed('the server sent an empty body');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const type = response.headers.get('content-type') ?? 'no content type';
    throw malformed(`the body is not JSON (${type}): ${preview(text)}`);
  }
  if (!isObject(value)) throw malformed(`expected a JSON object, got ${preview(text)}`);
  return value;
}

/** Drop the keys whose value is undefined, so a body says only what was asked. */
export function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A name the APIs accept for a schema or tool: ^[A-Za-z0-9_-]{1,64}$. */
export function wireName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'answer';
}

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

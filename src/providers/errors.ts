import { ProviderError } from './types.js';

interface SdkError {
  name?: string;
  status?: number;
  message?: string;
  headers?: { get(name: string): string | null } | undefined;
  error?: unknown;
}

/** retry-after-ms (milliseconds) wins over retry-after (seconds or an HTTP date). */
export function retryAfterMs(headers: SdkError['headers'], now: number): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers.get('retry-after');
  if (after === null) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function serverMessage(e: SdkError): string {
  const body = e.error as { error?: { message?: string }; message?: string } | undefined;
  const text = body?.error?.message ?? body?.message ?? e.message ?? 'request failed';
  // The SDKs prefix the status ("429 Rate limited"); keep the server's words only.
  return text.replace(/^\d{3}\s+/, '');
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The error classes both official SDKs export under the same names. */
export interface SdkErrorClasses {
  APIUserAbortError: ErrorClass;
  APIConnectionTimeoutError: ErrorClass;
  APIConnectionError: ErrorClass;
  APIError: ErrorClass;
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string; cause?: { code?: string } } }).cause;
  return cause?.cause?.code ?? cause?.code ?? cause?.message ?? '';
}

// The request never reached a server: nothing can have been billed.
const UNREACHED = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EAI_NONAME|EHOSTUNREACH|ENETUNREACH|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT)$/;

/** Map an error thrown by an official SDK to a ProviderError. Unknown errors are bugs: rethrown. */
export function fromSdkError(err: unknown, now: number, sdk: SdkErrorClasses): ProviderError {
  if (err instanceof ProviderError) return err;
  const e = err as SdkError;
  if (err instanceof sdk.APIUserAbortError) return new ProviderError('aborted', 'aborted');
  if (err instanceof sdk.APIConnectionTimeoutError) return new ProviderError('request timed out', 'timeout');
  if (err instanceof sdk.APIConnectionError) {
    const cause = causeOf(err);
    if (UNREACHED.test(cause)) return new ProviderError(`cannot connect (${cause})`, 'refused');
    return new ProviderError(`connection failed${cause ? ` (${cause})` : ''}`, 'connection');
  }
  if (typeof e?.status === 'number') {
    return new ProviderError(serverMessage(e), 'http', e.status, retryAfterMs(e.headers, now));
  }
  // An `error` event inside a 200 stream: the SDKs raise an APIError without a status.
  if (err instanceof sdk.APIError) {
    return new ProviderError(`the stream ended with an error: ${serverMessage(e)}`, 'malformed');
  }
  // An SSE event whose data is not JSON.
  if (err instanceof SyntaxError) return new ProviderError(`the answer is not valid JSON (${err.message})`, 'malformed');
  if (e && (e.name === 'AbortError' || (err as Error).message === 'Request was aborted.')) return new ProviderError('aborted', 'aborted');
  // A stream that breaks mid-answer surfaces as a plain error from the SDK's stream reader.
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || /terminated|socket|ECONNRESET|premature/i.test((err as Error)?.message ?? '')) {
    return new ProviderError(`connection lost: ${(err as Error).message}`, 'connection');
  }
  throw err;
}

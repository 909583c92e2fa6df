/**
 * How an attempt failed. `http`: the server answered with an error status (not billed).
 * `refused`: the request never reached a server (connection refused, no such host; not billed).
 * `connection`: the connection dropped after the request went out. `timeout`: no whole answer in
 * time. `aborted`: Ctrl-C. `malformed`: a 200 whose body is not a whole answer (bad JSON, HTML,
 * a stream without its final event). `missing-key`: nothing was sent.
 */
export type FailureKind = 'http' | 'refused' | 'connection' | 'timeout' | 'aborted' | 'malformed' | 'missing-key';

/** The provider may have done (and billed) the work of an attempt that failed this way. */
export function mayHaveBilled(kind: FailureKind): boolean {
  return kind === 'connection' || kind === 'timeout' || kind === 'aborted' || kind === 'malformed';
}

/** A failed attempt as the scheduler sees it (providers' errors have this shape). */
export interface SendFailure {
  kind: FailureKind;
  status?: number | undefined;
  retryAfterMs?: number | undefined;
  message: string;
}

export function isSendFailure(err: unknown): err is SendFailure {
  return !!err && typeof err === 'object' && typeof (err as SendFailure).kind === 'string' && typeof (err as SendFailure).message === 'string';
}

/** 408, 409, 429, 5xx and dropped connections are worth another try; other 4xx are not. */
export function isRetryable(f: SendFailure): boolean {
  if (f.kind === 'connection' || f.kind === 'timeout' || f.kind === 'refused' || f.kind === 'malformed') return true;
  if (f.kind !== 'http' || f.status === undefined) return false;
  return f.status === 408 || f.status === 409 || f.status === 429 || f.status >= 500;
}

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** Longest retry-after frugal will honour; a server asking for more fails the prompt. */
  maxRetryAfterMs: number;
}

/** setTimeout fires at once for delays of 2^31 ms and more: no wait may exceed this. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000, maxRetryAfterMs: 300_000 };

/**
 * How long to wait before attempt `attempt + 1`, or undefined to give up. Full jitter
 * (a uniform draw up to the exponential ceiling) spreads retries so a burst of 429s does not
 * come back as a burst; a server's retry-after is a floor, with jitter on top for the same reason.
 */
export function retryDelay(attempt: number, failure: SendFailure, policy: BackoffPolicy, random: () => number): number | undefined {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  const jitter = random() * ceiling;
  if (failure.retryAfterMs === undefined || !(failure.retryAfterMs >= 0)) return Math.min(jitter, MAX_TIMER_MS);
  if (failure.retryAfterMs > policy.maxRetryAfterMs) return undefined;
  return Math.min(failure.retryAfterMs + random() * policy.baseMs, MAX_TIMER_MS);
}

import { fromSdkError, type SdkErrorClasses } from './errors.js';
import { redactKeyish } from '../core/secrets.js';
import { ProviderError, type AdapterConfig, type AdapterLabel } from './types.js';
import type { FailureKind } from '../core/execution/retry.js';

// setTimeout fires at once for delays of 2^31 ms and more.
const MAX_TIMER_MS = 2 ** 31 - 1;

// Failures whose message names the model, its provider and where its requests go.
const NAMED: ReadonlySet<FailureKind> = new Set(['refused', 'connection', 'timeout']);

function describe(l: AdapterLabel, withKey: boolean): string {
  const key = withKey && l.keyVariable ? `; key from ${l.keyVariable}` : '';
  return ` (model "${l.alias}": ${l.provider} at ${l.baseUrl}${key})`;
}

/** The error as frugal shows it: the model named where that helps, and no secret in the text. */
export function finishError(e: ProviderError, config: Pick<AdapterConfig, 'label' | 'secrets'>): ProviderError {
  const refusedKey = e.kind === 'http' && (e.status === 401 || e.status === 403);
  const label = config.label && (NAMED.has(e.kind) || refusedKey) ? describe(config.label, refusedKey) : '';
  const message = e.message + label;
  const clean = config.secrets ? config.secrets.redact(message) : redactKeyish(message);
  return clean === e.message ? e : new ProviderError(clean, e.kind, e.status, e.retryAfterMs);
}

/**
 * Runs one attempt under a deadline that covers all of it (connecting, the headers, the whole
 * body, streamed or not): the SDKs' own timeout stops at the headers, so a server that sends them
 * and then stalls or trickles would otherwise hold the attempt for ever. The attempt also ends at
 * the deadline when an SDK ignores the abort, since it races the abort itself.
 */
export async function attempt<T>(
  config: Pick<AdapterConfig, 'timeoutMs' | 'label' | 'secrets'>,
  sdk: SdkErrorClasses,
  signal: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timedOut = false;
  let onStop: () => void = () => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onStop = () => reject(new Error('stopped'));
  });
  stopped.catch(() => undefined);
  const abort = () => {
    controller.abort();
    onStop();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, Math.min(MAX_TIMER_MS, Math.max(1, config.timeoutMs)));
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  try {
    const result = await Promise.race([run(controller.signal), stopped]);
    // The SDKs end a stream quietly when it is aborted: what came before the abort is no answer.
    if (controller.signal.aborted) throw new Error('stopped');
    return result;
  } catch (err) {
    if (timedOut) throw finishError(new ProviderError(`no whole answer within ${seconds(config.timeoutMs)}`, 'timeout'), config);
    if (signal.aborted) throw new ProviderError('aborted', 'aborted');
    throw finishError(fromSdkError(err, Date.now(), sdk), config);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

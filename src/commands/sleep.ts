import { MAX_TIMER_MS } from '../core/execution/retry.js';

/** Wait `ms` (at most what a timer can hold), or less if the signal aborts; leaves no listener behind either way. */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Resolves after the event loop's next check phase, once the I/O already pending has run. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

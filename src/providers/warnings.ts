import { format } from 'node:util';

export type Warn = ((text: string) => void) | undefined;

const ignore = () => undefined;

/**
 * The SDK's logger: its warnings go to frugal's callback; its errors are dropped, because every
 * error it logs (a stream chunk that is not JSON) also reaches frugal as a failed attempt.
 */
export function sdkLogger(onWarning: Warn) {
  return { error: ignore, info: ignore, debug: ignore, warn: onWarning ? (...args: unknown[]) => onWarning(inOurWords(format(...args))) : console.warn };
}

const DEPRECATED = /The model '([^']+)' is deprecated and will reach end-of-life on ([^\n]+?)\.?\n/;

/** The SDKs' warnings, said the way frugal says things (one line, what to do). */
export function inOurWords(text: string): string {
  const deprecated = DEPRECATED.exec(text);
  if (deprecated) return `${deprecated[1]} is deprecated by its provider and stops working on ${deprecated[2]}; move this route to a newer model`;
  return text.split('\n')[0] ?? text;
}

/**
 * Runs `call` with console.warn routed to `onWarning`. The Anthropic SDK warns about deprecated
 * models with console.warn, synchronously inside create(), on every call; `call` must only start
 * the request (synchronously), so nothing else can warn in between.
 */
export function routingConsoleWarn<T>(onWarning: Warn, call: () => T): T {
  if (!onWarning) return call();
  const original = console.warn;
  console.warn = (...args: unknown[]) => onWarning(inOurWords(format(...args)));
  try {
    return call();
  } finally {
    console.warn = original;
  }
}

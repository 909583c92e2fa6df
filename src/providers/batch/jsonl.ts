import { ProviderError } from '../types.js';

/** Lines of a JSONL byte stream, decoded as they arrive: a results file is never held whole. */
export async function* jsonLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    rest += decoder.decode(chunk, { stream: true });
    let nl: number;
    let start = 0;
    while ((nl = rest.indexOf('\n', start)) >= 0) {
      const line = rest.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield parseLine(line);
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield parseLine(rest);
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new ProviderError(`a line of the batch results is not JSON: ${JSON.stringify(line.slice(0, 80))}`, 'malformed');
  }
}

/**
 * A results download as a stream of items read by `read`, whose failures part-way (the connection
 * dropped, the body cut, a line not in the API's shape) come out as ProviderErrors: a failed download to try again, never a crash.
 */
export async function* guardDownload<T, R>(items: AsyncIterable<T>, what: string, read: (item: T) => R): AsyncGenerator<R> {
  try {
    for await (const item of items) yield read(item);
  } catch (err) {
    if (err instanceof ProviderError) throw err;
    throw new ProviderError(`${what} could not be read whole: ${(err as Error).message}`, 'malformed');
  }
}

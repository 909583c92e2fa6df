import { createReadStream } from 'node:fs';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { sourceText, type InputItem, type PromptRecord } from '../core/prompt.js';
import { OPTION_KEYS, optionLikeKeys } from '../core/policy/resolve-options.js';
import { fileLines } from './lines.js';
import { stdinLines, type Stdin } from './stdin.js';
import { jsonErrorMessage, recordToPrompt } from './records.js';

export type { InputItem };

export type InputFormat = 'auto' | 'jsonl' | 'text';

export interface InputOptions {
  /** Files; `-` is stdin. Empty with no inline prompts: stdin. */
  files: string[];
  /** -p/--prompt texts. */
  inline: string[];
  stdin: Stdin;
  /** How to read stdin (files go by extension). */
  format: InputFormat;
  /** -s/--system: the system prompt of every prompt whose record has none. */
  system?: string | undefined;
  /** Told once per key per run about record keys that look like model options frugal does not know. */
  warn?: ((message: string) => void) | undefined;
  /**
   * Ends the input where it is (Ctrl-C): stdin is let go of at once, even in the middle of a wait
   * for its writer, who may not write again for a long time.
   */
  stop?: AbortSignal | undefined;
}

const JSONL_EXT = new Set(['.jsonl', '.ndjson']);
const STDIN = '<stdin>';

/** Input is read and parsed a chunk of lines at a time (a quarter megabyte of a file); items come out one by one. */
type Batches = AsyncGenerator<InputItem[]>;

/** What each prompt gets from the run: the default system prompt, and the warnings about odd keys. */
interface Settings {
  system?: string | undefined;
  warn?: ((message: string) => void) | undefined;
  warned: Set<string>;
}

async function* jsonlItems(batches: AsyncIterable<string[]>, file: string, settings: Settings): Batches {
  let n = 0;
  for await (const lines of batches) {
    const items: InputItem[] = [];
    for (let line of lines) {
      n++;
      // Editors on Windows often start a UTF-8 file with a byte-order mark.
      if (n === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        items.push({ kind: 'error', file, line: n, message: jsonErrorMessage(err) });
        continue;
      }
      const parsed = recordToPrompt(value, file, n);
      if (parsed.ok) applySettings(parsed.value, settings);
      items.push(parsed.ok ? { kind: 'prompt', prompt: parsed.value } : { kind: 'error', file, line: n, message: parsed.message });
    }
    if (items.length > 0) yield items;
  }
}

function applySettings(prompt: PromptRecord, settings: Settings): void {
  if (prompt.system === undefined && settings.system !== undefined) prompt.system = settings.system;
  if (!settings.warn) return;
  for (const key of optionLikeKeys(prompt.fields)) {
    if (settings.warned.has(key)) continue;
    settings.warned.add(key);
    settings.warn(`${sourceText(prompt.source.file, prompt.source.line)}: "${key}" is not a model option frugal knows, so it is not sent (options: ${OPTION_KEYS.join(', ')})`);
  }
}

function textPrompt(text: string, id: string, file: string, settings: Settings): InputItem {
  const prompt: PromptRecord = { id, messages: [{ role: 'user', content: text }], system: settings.system, fields: {}, source: { file } };
  return { kind: 'prompt', prompt };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

const isBinary = (buf: Buffer) => buf.subarray(0, 8192).includes(0);

function looksLikeJsonl(firstLine: string): boolean {
  try {
    const v = JSON.parse(firstLine.replace(/^\uFEFF/, '')) as unknown;
    return !!v && typeof v === 'object' && !Array.isArray(v) && ('prompt' in v || 'messages' in v);
  } catch {
    return false;
  }
}

async function* prepend<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

async function* fromStdin(stdin: Stdin, format: InputFormat, settings: Settings, stop: AbortSignal | undefined): Batches {
  if (format === 'jsonl') {
    yield* jsonlItems(stdinLines(stdin, stop), STDIN, settings);
    return;
  }
  // Auto: a first line that is a prompt record means JSONL; anything else is one prompt.
  const batches = stdinLines(stdin, stop);
  const seen: string[] = [];
  let first: string | undefined;
  while (first === undefined) {
    const r = await batches.next();
    if (r.done) break;
    for (const line of r.value) seen.push(line);
    first = r.value.find((line) => line.trim() !== '');
  }
  if (first === undefined) {
    // Stopped before a prompt came: nothing was read, which is not an empty input.
    if (!stop?.aborted) yield [{ kind: 'error', file: STDIN, message: 'no prompt: standard input is empty' }];
    return;
  }
  if (format === 'auto' && looksLikeJsonl(first)) {
    yield* jsonlItems(prepend(seen, batches), STDIN, settings);
    return;
  }
  for (let r = await batches.next(); !r.done; r = await batches.next()) for (const line of r.value) seen.push(line);
  const text = seen.join('\n');
  if (text.includes('\0')) {
    yield [{ kind: 'error', file: STDIN, message: 'binary input: expected text or JSONL' }];
    return;
  }
  yield [textPrompt(text.trim(), 'stdin', STDIN, settings)];
}

const cannotRead = (err: unknown) => `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;

/** A file that fails to open or read (no permission, a socket, an I/O error) is one error item; the next file still runs. */
async function* fromFile(file: string, settings: Settings): Batches {
  try {
    yield* readFile(file, settings);
  } catch (err) {
    if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    yield [{ kind: 'error', file, message: cannotRead(err) }];
  }
}

async function* readFile(file: string, settings: Settings): Batches {
  // node:fs/promises brings readline and the file watchers with it: a piped one-shot does without.
  const { open, stat } = await import('node:fs/promises');
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      yield [{ kind: 'error', file, message: 'is a directory, not a prompt file' }];
      return;
    }
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    yield [{ kind: 'error', file, message: code === 'ENOENT' ? 'no such file' : cannotRead(err) }];
    return;
  }
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 8192));
    await handle.read(head, 0, head.length, 0);
    if (isBinary(head)) {
      yield [{ kind: 'error', file, message: 'binary file: expected text or JSONL' }];
      return;
    }
    if (JSONL_EXT.has(extname(file).toLowerCase())) {
      yield* jsonlItems(fileLines(handle), file, settings);
      return;
    }
  } finally {
    await handle.close();
  }
  const text = (await readAll(createReadStream(file))).toString('utf8').trim();
  yield [text === '' ? { kind: 'error', file, message: 'empty file: no prompt' } : textPrompt(text, file, file, settings)];
}

async function* allSources(options: InputOptions): Batches {
  const settings: Settings = { system: options.system, warn: options.warn, warned: new Set() };
  for (const [i, text] of options.inline.entries()) {
    if (text.trim() === '') yield [{ kind: 'error', file: '--prompt', message: 'empty prompt' }];
    else yield [textPrompt(text, options.inline.length === 1 ? 'prompt' : `prompt-${i + 1}`, '--prompt', settings)];
  }
  const files = options.files.length === 0 && options.inline.length === 0 ? ['-'] : options.files;
  let stdinUsed = false;
  for (const file of files) {
    if (file === '-') {
      if (stdinUsed) continue;
      stdinUsed = true;
      yield* fromStdin(options.stdin, options.format, settings, options.stop);
    } else {
      yield* fromFile(file, settings);
    }
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * Hands out the items of the batches one at a time. An item already in hand costs one resolved
 * promise, against several for a step through nested async generators: a million-line run
 * notices. Calls that overlap (concurrent workers) are served in call order, as a generator does.
 */
class ItemIterator implements AsyncIterableIterator<InputItem> {
  private batch: InputItem[] = [];
  private at = 0;
  private waiting = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;

  constructor(private readonly batches: Batches) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<InputItem>> {
    if (this.waiting === 0 && this.at < this.batch.length) return Promise.resolve({ done: false, value: this.batch[this.at++]! });
    this.waiting++;
    const result = this.queue.then(() => this.take());
    this.queue = result.then(
      () => this.waiting--,
      () => this.waiting--,
    );
    return result;
  }

  async return(): Promise<IteratorResult<InputItem>> {
    this.ended = true;
    this.batch = [];
    await this.batches.return(undefined);
    return DONE;
  }

  private async take(): Promise<IteratorResult<InputItem>> {
    while (this.at >= this.batch.length) {
      if (this.ended) return DONE;
      const r = await this.batches.next();
      if (r.done) {
        this.ended = true;
        return DONE;
      }
      this.batch = r.value;
      this.at = 0;
    }
    return { done: false, value: this.batch[this.at++]! };
  }
}

/** Every prompt of the run, in input order, with unreadable lines as error items. */
export function readPrompts(options: InputOptions): AsyncIterableIterator<InputItem> {
  return new ItemIterator(allSources(options));
}

/** Count prompt lines up front (for progress and ETA) when every source is a regular file. */
export async function countInput(options: InputOptions): Promise<number | undefined> {
  if (options.files.length === 0 && options.inline.length === 0) return undefined;
  let total = options.inline.length;
  for (const file of options.files) {
    if (file === '-') return undefined;
    if (!JSONL_EXT.has(extname(file).toLowerCase())) {
      total++;
      continue;
    }
    try {
      let lines = 0;
      let blankRun = true;
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
        const buf = chunk as Buffer;
        // A line counts once it has a byte other than space, tab or CR; then skip to its end.
        for (let i = 0; i < buf.length; ) {
          if (blankRun) {
            const c = buf[i++];
            if (c !== 10 && c !== 32 && c !== 13 && c !== 9) blankRun = false;
            continue;
          }
          const lf = buf.indexOf(10, i);
          if (lf === -1) break;
          lines++;
          blankRun = true;
          i = lf + 1;
        }
      }
      total += lines + (blankRun ? 0 : 1);
    } catch {
      return undefined;
    }
  }
  return total;
}

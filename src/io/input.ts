import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { InputItem, PromptRecord } from '../core/prompt.js';
import { jsonErrorMessage, recordToPrompt } from './records.js';

export type { InputItem };

export type InputFormat = 'auto' | 'jsonl' | 'text';

export interface InputOptions {
  /** Files; `-` is stdin. Empty with no inline prompts: stdin. */
  files: string[];
  /** -p/--prompt texts. */
  inline: string[];
  stdin: Readable;
  /** How to read stdin (files go by extension). */
  format: InputFormat;
}

const JSONL_EXT = new Set(['.jsonl', '.ndjson']);
const STDIN = '<stdin>';

async function* jsonlLines(lines: AsyncIterable<string>, file: string, firstLine = 1): AsyncGenerator<InputItem> {
  let n = firstLine - 1;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      yield { kind: 'error', file, line: n, message: jsonErrorMessage(err) };
      continue;
    }
    const parsed = recordToPrompt(value, file, n);
    yield parsed.ok ? { kind: 'prompt', prompt: parsed.value } : { kind: 'error', file, line: n, message: parsed.message };
  }
}

function textPrompt(text: string, id: string, file: string): InputItem {
  const prompt: PromptRecord = { id, messages: [{ role: 'user', content: text }], fields: {}, source: { file } };
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
    const v = JSON.parse(firstLine) as unknown;
    return !!v && typeof v === 'object' && !Array.isArray(v) && ('prompt' in v || 'messages' in v);
  } catch {
    return false;
  }
}

async function* fromStdin(stdin: Readable, format: InputFormat): AsyncGenerator<InputItem> {
  if (format === 'jsonl') {
    yield* jsonlLines(createInterface({ input: stdin, crlfDelay: Infinity }), STDIN);
    return;
  }
  // Auto: a first line that is a prompt record means JSONL; anything else is one prompt.
  const lines = createInterface({ input: stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const head: string[] = [];
  let next = await lines.next();
  while (!next.done && next.value.trim() === '') {
    head.push(next.value);
    next = await lines.next();
  }
  if (next.done) {
    yield { kind: 'error', file: STDIN, message: 'no prompt: standard input is empty' };
    return;
  }
  if (format === 'auto' && looksLikeJsonl(next.value)) {
    const rest = (async function* () {
      yield next.value as string;
      for (let r = await lines.next(); !r.done; r = await lines.next()) yield r.value;
    })();
    yield* jsonlLines(rest, STDIN, head.length + 1);
    return;
  }
  const all = [...head, next.value];
  for (let r = await lines.next(); !r.done; r = await lines.next()) all.push(r.value);
  const text = all.join('\n');
  if (text.includes('\0')) {
    yield { kind: 'error', file: STDIN, message: 'binary input: expected text or JSONL' };
    return;
  }
  yield textPrompt(text.trim(), 'stdin', STDIN);
}

async function* fromFile(file: string): AsyncGenerator<InputItem> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      yield { kind: 'error', file, message: 'is a directory, not a prompt file' };
      return;
    }
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    yield { kind: 'error', file, message: code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((err as Error).message) };
    return;
  }
  const handle = await open(file, 'r');
  const head = Buffer.alloc(Math.min(size, 8192));
  await handle.read(head, 0, head.length, 0);
  await handle.close();
  if (isBinary(head)) {
    yield { kind: 'error', file, message: 'binary file: expected text or JSONL' };
    return;
  }
  if (JSONL_EXT.has(extname(file).toLowerCase())) {
    yield* jsonlLines(createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity }), file);
    return;
  }
  const text = (await readAll(createReadStream(file))).toString('utf8').trim();
  if (text === '') yield { kind: 'error', file, message: 'empty file: no prompt' };
  else yield textPrompt(text, file, file);
}

/** Every prompt of the run, in input order, with unreadable lines as error items. */
export async function* readPrompts(options: InputOptions): AsyncGenerator<InputItem> {
  for (const [i, text] of options.inline.entries()) {
    if (text.trim() === '') yield { kind: 'error', file: '--prompt', message: 'empty prompt' };
    else yield textPrompt(text, options.inline.length === 1 ? 'prompt' : `prompt-${i + 1}`, '--prompt');
  }
  const files = options.files.length === 0 && options.inline.length === 0 ? ['-'] : options.files;
  let stdinUsed = false;
  for (const file of files) {
    if (file === '-') {
      if (stdinUsed) continue;
      stdinUsed = true;
      yield* fromStdin(options.stdin, options.format);
    } else {
      yield* fromFile(file);
    }
  }
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
      for await (const chunk of createReadStream(file)) {
        const buf = chunk as Buffer;
        for (let i = 0; i < buf.length; i++) {
          const c = buf[i];
          if (c === 10) {
            if (!blankRun) lines++;
            blankRun = true;
          } else if (c !== 32 && c !== 13 && c !== 9) blankRun = false;
        }
      }
      total += lines + (blankRun ? 0 : 1);
    } catch {
      return undefined;
    }
  }
  return total;
}

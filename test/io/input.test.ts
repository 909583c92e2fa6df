import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { InputItem } from '../../src/core/prompt.js';
import { countInput, readPrompts, type InputFormat, type InputOptions } from '../../src/io/input.js';
import { FIXTURES } from '../support.js';

const P = `${FIXTURES}prompts/`;
const noStdin = () => Readable.from([]);

async function read(options: Partial<InputOptions>): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readPrompts({ files: [], inline: [], stdin: noStdin(), format: 'auto', ...options })) items.push(item);
  return items;
}

/** Items in a compact form: prompts as id + text, errors as "file:line: message". */
function summary(items: InputItem[]): string[] {
  return items.map((item) => {
    if (item.kind === 'error') return `error ${item.file}${item.line === undefined ? '' : `:${item.line}`}: ${item.message}`;
    return `prompt ${item.prompt.id}: ${item.prompt.messages.map((m) => `${m.role}=${m.content}`).join(' | ')}`;
  });
}

describe('readPrompts: JSONL files', () => {
  it('reads prompt, messages, system, max_tokens and extra fields; ids from file:line; blank lines skipped', async () => {
    const file = `${P}mixed.jsonl`;
    const items = await read({ files: [file] });
    expect(summary(items)).toEqual([
      'prompt q1: user=Who wrote Dune?',
      `prompt ${file}:3: user=What is the boiling point of water in Fahrenheit?`,
      'prompt 42: system=Be brief. | user=Define entropy. | assistant=Disorder. | user=In one line?',
      'prompt with-system: user=Refactor this loop.',
      'prompt parts: user=first part\nsecond part',
    ]);
    const prompts = items.flatMap((i) => (i.kind === 'prompt' ? [i.prompt] : []));
    expect(prompts.map((p) => [p.source.line, p.system, p.maxTokens])).toEqual([
      [1, undefined, undefined],
      [3, undefined, undefined],
      [5, undefined, 64],
      [6, 'You are a careful reviewer.', 500],
      [7, undefined, undefined],
    ]);
    expect(prompts[1]!.fields).toEqual({ prompt: 'What is the boiling point of water in Fahrenheit?', difficulty: 'easy', meta: { team: 'docs' } });
    expect(prompts[3]!.fields.tags).toEqual(['code', 'review']);
    expect(prompts.every((p) => p.source.file === file)).toBe(true);
  });

  it('turns each bad line into an error with file and line, and still reads the others', async () => {
    const file = `${P}bad-lines.jsonl`;
    expect(summary(await read({ files: [file] }))).toEqual([
      'prompt ok-1: user=Who discovered penicillin?',
      `error ${file}:2: malformed JSON: ${jsonError('{"id": "broken", "prompt": oops}')}`,
      `error ${file}:3: record has neither "prompt" nor "messages"`,
      `error ${file}:4: give either "prompt" or "messages", not both`,
      `error ${file}:5: "messages" has no user message`,
      `error ${file}:6: "max_tokens" must be a positive whole number`,
      `error ${file}:7: expected a JSON object such as {"id": "q1", "prompt": "..."}`,
      'prompt ok-2: user=Define idempotent.',
    ]);
  });

  it('reads CRLF line endings, counting lines as an editor does', async () => {
    const file = `${P}crlf.jsonl`;
    expect(summary(await read({ files: [file] }))).toEqual(['prompt c1: user=one', `prompt ${file}:3: user=two`]);
  });

  it('an empty JSONL file yields nothing', async () => {
    expect(await read({ files: [`${P}empty.jsonl`] })).toEqual([]);
  });
});

function jsonError(line: string): string {
  try {
    JSON.parse(line);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected malformed JSON');
}

describe('readPrompts: other files and bad paths', () => {
  it.each([
    { name: 'a text file is one prompt, trimmed, with the path as id', file: 'question.txt', want: (f: string) => [`prompt ${f}: user=Why is the sky blue? Explain it like I am five.`] },
    { name: 'a binary file', file: 'binary.bin', want: (f: string) => [`error ${f}: binary file: expected text or JSONL`] },
    { name: 'a missing file', file: 'no-such-file.jsonl', want: (f: string) => [`error ${f}: no such file`] },
    { name: 'a directory', file: '', want: (f: string) => [`error ${f}: is a directory, not a prompt file`] },
  ])('$name', async ({ file, want }) => {
    const path = `${P}${file}`;
    expect(summary(await read({ files: [path] }))).toEqual(want(path));
  });

  it('a file that cannot be opened or read is one error, and the next file still runs', async () => {
    // As root, chmod 000 opens anyway: a socket fails open() (ENXIO), /proc/self/mem fails read() (EIO).
    const { createServer } = await import('node:net');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/frugal-input-`);
    const sock = `${dir}/prompts.jsonl`;
    const server = createServer().listen(sock);
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const items = await read({ files: [sock, '/proc/self/mem', `${P}question.txt`] });
      expect(summary(items)).toEqual([
        `error ${sock}: cannot read (ENXIO)`,
        'error /proc/self/mem: cannot read (EIO)',
        `prompt ${P}question.txt: user=Why is the sky blue? Explain it like I am five.`,
      ]);
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes on to the next file after a bad one, in order', async () => {
    const items = await read({ files: [`${P}missing.txt`, `${P}question.txt`], inline: ['first'] });
    expect(summary(items)).toEqual([
      'prompt prompt: user=first',
      `error ${P}missing.txt: no such file`,
      `prompt ${P}question.txt: user=Why is the sky blue? Explain it like I am five.`,
    ]);
  });
});

describe('readPrompts: inline prompts', () => {
  it.each([
    { inline: ['What is 2+2?'], want: ['prompt prompt: user=What is 2+2?'] },
    { inline: ['one', 'two'], want: ['prompt prompt-1: user=one', 'prompt prompt-2: user=two'] },
    { inline: ['  '], want: ['error --prompt: empty prompt'] },
  ])('$inline', async ({ inline, want }) => {
    expect(summary(await read({ inline }))).toEqual(want);
  });

  it('does not read stdin when only inline prompts are given', async () => {
    const stdin = Readable.from(['{"prompt": "from stdin"}\n']);
    expect(summary(await read({ inline: ['x'], stdin }))).toEqual(['prompt prompt: user=x']);
  });
});

describe('readPrompts: stdin', () => {
  const cases: { name: string; chunks: string[]; format?: InputFormat; want: string[] }[] = [
    { name: 'plain text is one prompt', chunks: ['Who wrote ', 'Dune?\n'], want: ['prompt stdin: user=Who wrote Dune?'] },
    { name: 'several lines of text are one prompt', chunks: ['line one\nline two\n\n'], want: ['prompt stdin: user=line one\nline two'] },
    {
      name: 'a first line that is a prompt record means JSONL',
      chunks: ['\n{"id":"a","prompt":"x"}\n', '{"prompt":"y"}\nnot json\n'],
      want: ['prompt a: user=x', 'prompt <stdin>:3: user=y', 'error <stdin>:4: malformed JSON: ' + jsonError('not json')],
    },
    { name: 'JSON that is not a prompt record is text', chunks: ['{"a": 1}\n'], want: ['prompt stdin: user={"a": 1}'] },
    { name: 'format text keeps a JSONL line as text', chunks: ['{"prompt":"x"}\n'], format: 'text', want: ['prompt stdin: user={"prompt":"x"}'] },
    { name: 'format jsonl reads every line as a record', chunks: ['hello\n{"prompt":"x"}\n'], format: 'jsonl', want: ['error <stdin>:1: malformed JSON: ' + jsonError('hello'), 'prompt <stdin>:2: user=x'] },
    { name: 'empty stdin', chunks: [], want: ['error <stdin>: no prompt: standard input is empty'] },
    { name: 'only white space', chunks: ['\n  \n\t\n'], want: ['error <stdin>: no prompt: standard input is empty'] },
    { name: 'binary on stdin', chunks: ['PK\u0003\u0004\u0000\u0000data'], want: ['error <stdin>: binary input: expected text or JSONL'] },
  ];

  it.each(cases)('$name', async ({ chunks, format, want }) => {
    expect(summary(await read({ stdin: Readable.from(chunks), format: format ?? 'auto' }))).toEqual(want);
  });

  it('"-" reads stdin once, between files', async () => {
    const items = await read({ files: [`${P}question.txt`, '-', '-'], stdin: Readable.from(['from stdin']) });
    expect(summary(items)).toEqual([`prompt ${P}question.txt: user=Why is the sky blue? Explain it like I am five.`, 'prompt stdin: user=from stdin']);
  });
});

describe('countInput', () => {
  it.each([
    { name: 'JSONL lines that are not blank, plus one per other file and inline prompt', files: ['mixed.jsonl', 'question.txt'], inline: ['x'], total: 7 },
    { name: 'bad lines count too', files: ['bad-lines.jsonl'], inline: [], total: 8 },
    { name: 'CRLF blank lines are blank', files: ['crlf.jsonl'], inline: [], total: 2 },
    { name: 'stdin: unknown', files: ['-'], inline: [], total: undefined },
    { name: 'nothing given means stdin: unknown', files: [], inline: [], total: undefined },
    { name: 'a missing JSONL file: unknown', files: ['nope.jsonl'], inline: [], total: undefined },
  ])('$name', async ({ files, inline, total }) => {
    const paths = files.map((f) => (f === '-' ? f : `${P}${f}`));
    expect(await countInput({ files: paths, inline, stdin: noStdin(), format: 'auto' })).toBe(total);
  });
});

describe('a UTF-8 byte-order mark', () => {
  it('at the start of a JSONL file or stdin is not part of line 1', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'frugal-bom-')), 'bom.jsonl');
    writeFileSync(file, '\uFEFF{"id":"a","prompt":"hello"}\n{"id":"b","prompt":"\uFEFFkept inside"}\n');
    const items = await read({ files: [file] });
    expect(items.map((i) => (i.kind === 'prompt' ? i.prompt.id : i.message))).toEqual(['a', 'b']);
    const fromStdin = await read({ stdin: Readable.from([Buffer.from('\uFEFF{"id":"s","prompt":"hi"}\n')]) });
    expect(fromStdin.map((i) => (i.kind === 'prompt' ? i.prompt.id : i.message))).toEqual(['s']);
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ResultRecord } from '../../src/core/execution/events.js';
import { estimatedJson, recordToJson, ResultWriter } from '../../src/io/results.js';

const base: ResultRecord = {
  id: 'q1',
  source: { file: 'prompts.jsonl', line: 3 },
  class: 'lookup',
  route: 'quick',
  provider: 'anthropic',
  model: 'claude-haiku-4-5',
  reason: 'lookup: keyword "what" and 12 prompt tokens <= 200 and not (none of the keywords [why, explain, compare])',
  estimated: true,
  outputTokensSource: 'default',
  usage: { input: 12, output: 256, cacheRead: 0, cacheWrite: 0 },
  cost: 1_292_000n,
  baselineCost: 6_460_000n,
};

describe('estimatedJson: the dry-run line built by hand', () => {
  it.each<[string, Partial<ResultRecord>]>([
    ['a typical record', {}],
    ['no class (default route)', { class: null, reason: 'no class matched: default route' }],
    ['no output-token source', { outputTokensSource: undefined }],
    ['unknown costs', { cost: undefined, baselineCost: undefined }],
    ['zero and tiny costs', { cost: 0n, baselineCost: 1n }],
    ['large costs', { cost: 123_456_789_012_345_678n, baselineCost: 10n ** 15n }],
    ['a source without a line', { source: { file: '<stdin>' } }],
    ['text that needs escaping', { id: 'a "quoted"\\ id\n\t\u0001', reason: 'code: regex ```|\\bdef matched "```"', model: 'llama3.2:3b' }],
    ['non-ASCII and lone surrogates', { id: 'café 中文 😀 \ud800', reason: 'keyword "naïve"', source: { file: 'prompts/ünï.jsonl', line: 1 } }],
    ['a numeric-looking id', { id: '42' }],
    ['odd token counts', { usage: { input: Number.NaN, output: -0, cacheRead: 0, cacheWrite: 0 } }],
  ])('%s', (_name, change) => {
    const record = { ...base, ...change };
    expect(estimatedJson(record)).toBe(JSON.stringify(recordToJson(record)));
    // The escaped-text cache gives the same text the second time.
    expect(estimatedJson(record)).toBe(JSON.stringify(recordToJson(record)));
  });
});

describe('ResultWriter, batch mode', () => {
  it('writes the same bytes as one JSON line per record, long and non-ASCII lines included', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        setImmediate(done);
      },
    });
    const records: ResultRecord[] = [];
    for (let i = 0; i < 3000; i++) {
      const id = i % 997 === 0 ? `${'é中😀'.repeat(20_000)}-${i}` : i % 7 === 0 ? `naïve \ud800 ${i}` : `p${i}`;
      records.push({ ...base, id, estimated: i % 5 !== 0, source: { file: 'prompts.jsonl', line: i + 1 } });
    }
    const writer = new ResultWriter(sink, 'batch');
    for (const r of records) {
      const wait = writer.write(r);
      if (wait) await wait;
    }
    await writer.close(true);
    const expected = records.map((r) => `${JSON.stringify(recordToJson(r))}\n`).join('');
    expect(Buffer.concat(chunks).toString('utf8')).toBe(expected);
  });
});

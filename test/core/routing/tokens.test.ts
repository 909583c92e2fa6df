import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { inputText, utf8Length } from '../../../src/core/prompt.js';
import { estimateTokens } from '../../../src/core/routing/tokens.js';
import { recordToPrompt } from '../../../src/io/records.js';
import { exampleRecords, randInt, referenceEstimate, rng } from '../../support.js';


const texts = [...exampleRecords().entries()].map(([id, record]) => {
  const parsed = recordToPrompt(record, 'examples/prompts.jsonl', 1);
  if (!parsed.ok) throw new Error(parsed.message);
  return { id, text: inputText(parsed.value) };
});

// Characters of every class the estimate tells apart, including the awkward ones.
const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  ...'0123456789',
  ...' \t\n\r  \n\n',
  ...'.,;:!?()[]{}<>"\'`~@#$%^&*-_=+/\\|',
  'é', 'ß', 'ж', 'λ', 'ñ', '\u0301', '\u00a0', '\u2003', '\u2028',
  '中', '文', 'の', 'カ', '한', '٣', '²', '½',
  '😀', '👍🏽', '𝟙', '𝒜', '\ud800', '\udfff', '\u200d',
];

function randomText(r: () => number): string {
  const parts: string[] = [];
  const n = randInt(r, 0, 60);
  for (let i = 0; i < n; i++) {
    const ch = ALPHABET[randInt(r, 0, ALPHABET.length - 1)]!;
    // Runs, so that long words, digit groups and white-space runs all occur.
    parts.push(r() < 0.3 ? ch.repeat(randInt(r, 2, 12)) : ch);
  }
  return parts.join('');
}

describe('estimateTokens against the o200k tokenizer on the example prompts', () => {
  const rows = texts.map(({ id, text }) => ({ id, actual: countTokens(text), estimate: estimateTokens(text) }));

  it('the total is within ±15%', () => {
    const actual = rows.reduce((s, r) => s + r.actual, 0);
    const estimate = rows.reduce((s, r) => s + r.estimate, 0);
    expect(rows).toHaveLength(40);
    expect(Math.abs(estimate - actual) / actual, `estimate ${estimate} vs o200k ${actual}`).toBeLessThanOrEqual(0.15);
  });

  it.each(rows)('$id: $estimate estimated vs $actual o200k, within ±35%', ({ actual, estimate }) => {
    expect(Math.abs(estimate - actual) / actual).toBeLessThanOrEqual(0.35);
  });
});

describe('estimateTokens', () => {
  it.each([
    { text: '', tokens: 0 },
    { text: 'hello', tokens: 1 },
    { text: 'hello world', tokens: 2 },
    { text: 'internationalization', tokens: 4 }, // 20 letters: ceil(20 / 6)
    { text: '1234567', tokens: 3 }, // 123 456 7
    { text: '?!?!', tokens: 2 },
    { text: 'a\n\nb', tokens: 3 },
    { text: '   ', tokens: 1 },
    { text: '中文字', tokens: 3 },
    { text: 'Who wrote Dune?', tokens: 4 },
  ])('"$text" -> $tokens', ({ text, tokens }) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it('never exceeds the UTF-8 byte length (the matchers use bytes as a free upper bound)', () => {
    const r = rng(11);
    const samples = [...texts.map((t) => t.text), ...Array.from({ length: 3000 }, () => randomText(r))];
    for (const text of samples) {
      expect(estimateTokens(text), JSON.stringify(text)).toBeLessThanOrEqual(utf8Length(text));
    }
  });

  it('cuts the text exactly as the reference regex does, on examples and random text', () => {
    const r = rng(12);
    const samples = [...texts.map((t) => t.text), ...Array.from({ length: 3000 }, () => randomText(r))];
    for (const text of samples) {
      expect(estimateTokens(text), JSON.stringify(text)).toBe(referenceEstimate(text));
    }
  });
});

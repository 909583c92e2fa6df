import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/core/routing/tokens.js';
import { referenceEstimate, rng } from '../../support.js';

function strings(alphabet: string[], count: number, maxLength: number, seed: number): string[] {
  const rnd = rng(seed);
  return Array.from({ length: count }, () => {
    let s = '';
    const length = Math.floor(rnd() * maxLength);
    for (let i = 0; i < length; i++) {
      const ch = alphabet[Math.floor(rnd() * alphabet.length)]!;
      s += rnd() < 0.1 ? ch.repeat(1 + Math.floor(rnd() * 25)) : ch;
    }
    return s;
  });
}

function mismatches(texts: string[]): string[] {
  return texts.filter((t) => estimateTokens(t) !== referenceEstimate(t)).slice(0, 5);
}

describe('estimateTokens counts exactly as the regex definition', () => {
  it('on ASCII text (the state machine): spaces, tabs, CR, LF, VT, FF, long words and runs', () => {
    const ascii = [' ', ' ', ' ', '\n', '\n', '\r', '\t', '\v', '\f', 'a', 'b', 'Z', '1', '2', '.', ',', '-', '_', '"', '`'];
    expect(mismatches(strings(ascii, 40_000, 48, 1))).toEqual([]);
  });

  it('on text with any script: marks, CJK, other spaces and digits, emoji, astral letters, lone surrogates', () => {
    const any = [' ', '\t', '\n', '\r', '\v', '\u00a0', '\u3000', '\u2028', '\ufeff', '\u1680', '\u200b', '\x1c', 'a', 'Z', 'é', 'ß', '\u0301', 'ǅ', '0', '٣', '²', '½', 'Ⅻ', '𝟎', '中', 'の', 'カ', '한', '〇', '々', '。', '😀', '𝐀', '𠀀', '\ud800', '\udc00', '.', '_', '$', '\u0085', '\u00ad'];
    expect(mismatches(strings(any, 40_000, 24, 2))).toEqual([]);
  });

  it('on every BMP code unit, alone and next to letters, digits and spaces', () => {
    const texts: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      texts.push(ch, ` ${ch}${ch}ab`, `a${ch} 1${ch}`, `\n${ch}`);
    }
    expect(mismatches(texts)).toEqual([]);
  });

  it('on the example prompts', () => {
    const lines = readFileSync(new URL('../../../examples/prompts.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
    const texts = lines.map((l) => {
      const r = JSON.parse(l) as { prompt?: string; system?: string; messages?: { content: string }[] };
      return [r.system, r.prompt, ...(r.messages ?? []).map((m) => m.content)].filter((t) => t !== undefined).join('\n');
    });
    expect(texts.length).toBeGreaterThan(10);
    expect(mismatches(texts)).toEqual([]);
  });
});

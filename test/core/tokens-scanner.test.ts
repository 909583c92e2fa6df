import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../src/core/tokens.js';

// The estimate's definition, as first written: pieces cut by one regex, then scored. The
// scanner and the ASCII state machine in src/core/tokens.ts must give exactly this count.
const PIECE = /\s?[\p{L}\p{M}]+|\p{N}{1,3}|\s?[^\s\p{L}\p{M}\p{N}]+|\n+|\s+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

function byRegex(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(PIECE)) {
    const piece = match[0];
    const first = piece.charCodeAt(0);
    const isSpace = first === 32 || first === 9 || first === 10 || first === 13;
    const core = isSpace ? piece.length - 1 : piece.length;
    if (core <= 0) {
      tokens += 1;
      continue;
    }
    const c = piece.charCodeAt(isSpace ? 1 : 0);
    const letter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
    if (letter) tokens += c > 127 && CJK.test(piece) ? core : core <= 9 ? 1 : Math.ceil(core / 6);
    else if (c >= 48 && c <= 57) tokens += 1;
    else if (piece.trim() === '') tokens += 1;
    else tokens += Math.ceil(core / 2);
  }
  return tokens;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function strings(alphabet: string[], count: number, maxLength: number, seed: number): string[] {
  const rnd = random(seed);
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
  return texts.filter((t) => estimateTokens(t) !== byRegex(t)).slice(0, 5);
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
    const lines = readFileSync(new URL('../../examples/prompts.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
    const texts = lines.map((l) => {
      const r = JSON.parse(l) as { prompt?: string; system?: string; messages?: { content: string }[] };
      return [r.system, r.prompt, ...(r.messages ?? []).map((m) => m.content)].filter((t) => t !== undefined).join('\n');
    });
    expect(texts.length).toBeGreaterThan(10);
    expect(mismatches(texts)).toEqual([]);
  });
});

/** Counts the tokens of a text. `exact` says whether it is a real tokenizer or an estimate. */
export interface TokenCounter {
  name: string;
  exact: boolean;
  count(text: string): number;
}

// One pass over the text in pieces shaped like a BPE pre-tokenizer's: a word with its leading
// space, a run of up to three digits, a run of punctuation, a line break.
const PIECE = /\s?[\p{L}\p{M}]+|\p{N}{1,3}|\s?[^\s\p{L}\p{M}\p{N}]+|\n+|\s+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * A cheap estimate of a text's token count, close to OpenAI's o200k tokenizer on English prose
 * and code (see test/core/tokens.test.ts for how close) and far cheaper: no vocabulary to load.
 */
export function estimateTokens(text: string): number {
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
    if (letter) {
      if (c > 127 && CJK.test(piece)) tokens += core;
      else tokens += core <= 9 ? 1 : Math.ceil(core / 6);
    } else if (c >= 48 && c <= 57) {
      tokens += 1;
    } else if (piece.trim() === '') {
      tokens += 1;
    } else {
      tokens += Math.ceil(core / 2);
    }
  }
  return tokens;
}

export const estimateCounter: TokenCounter = { name: 'estimate', exact: false, count: estimateTokens };

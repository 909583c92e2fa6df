// `keywords:` conditions (src/core/routing/keywords.ts): the ASCII form that an ASCII text goes
// through must answer exactly as the Unicode form does.
import { describe, expect, it } from 'vitest';
import { Keywords } from '../../../src/core/routing/keywords.js';
import { rng } from '../../support.js';

/** The condition as it is defined: whole words in any script, any case (the Unicode form). */
const reference = (words: string[]) => new RegExp(`(?<![\\p{L}\\p{N}_])(?:${[...words].sort((a, b) => b.length - a.length).join('|')})(?![\\p{L}\\p{N}_])`, 'iu');

describe('Keywords', () => {
  it('answers as the Unicode condition does, for ASCII texts and others, with the same first hit', () => {
    const words = ['what', 'who', 'define', 'c', 'k8s', 'snake_case'];
    const kw = new Keywords(words);
    const ref = reference(words);
    // Pieces that sit next to the keywords: ASCII letters, digits, _, punctuation, and letters,
    // digits and case-folding look-alikes from outside ASCII (the Kelvin sign, the long s, Arabic digits).
    const pieces = ['what', 'WHO', 'Define', 'c', 'C', 'k8s', 'K8S', '\u212a8s', 'snake_case', 'x', '_', '9', ' ', '.', '-', "'", '\n', 'é', 'ß', '\u0663', '\u017f', 'who\u0301', 'Ωwho', '😀'];
    const random = rng(7);
    let ascii = 0;
    for (let i = 0; i < 4000; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      if (/^[\x00-\x7f]*$/.test(text)) ascii++;
      expect(kw.test(text), text).toBe(ref.test(text));
      expect(kw.exec(text)?.[0], text).toBe(ref.exec(text)?.[0]);
      // Told the text's kind by the caller (classify knows it from the prompt's UTF-8 length).
      expect(kw.test(text, /^[\x00-\x7f]*$/.test(text)), text).toBe(ref.test(text));
      expect(kw.test(text, false), text).toBe(ref.test(text));
    }
    expect(ascii).toBeGreaterThan(500);
  });

  it('keywords outside ASCII match whole words in any case', () => {
    const kw = new Keywords(['größe', 'Ωmega']);
    expect(['Die GRÖSSE', 'die größe?', 'ωmega!', 'größer', 'xΩmega'].map((t) => kw.test(t))).toEqual([false, true, true, false, false]);
  });
});

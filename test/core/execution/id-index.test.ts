import { describe, expect, it } from 'vitest';
import { IdIndex } from '../../../src/core/execution/id-index.js';
import { rng } from '../../support.js';

const ALPHABET = ['a', 'b', 'Z', '0', '9', '-', ':', 'é', '中', '😀', '\u0000'];

describe('IdIndex', () => {
  it('numbers ids in the order they are first added and finds them again', () => {
    const ids = new IdIndex();
    expect(ids.add('q1')).toBe(0);
    expect(ids.add('q2')).toBe(1);
    expect(ids.add('q1')).toBe(0);
    expect(ids.indexOf('q2')).toBe(1);
    expect(ids.indexOf('q3')).toBe(-1);
    expect(ids.has('q1')).toBe(true);
    expect(ids.has('q')).toBe(false);
    expect(ids.size).toBe(2);
  });

  it('tells apart the empty id, prefixes and ids that differ only past the first characters', () => {
    const ids = new IdIndex();
    for (const id of ['', 'a', 'aa', 'a\u0000', 'ab', 'ba']) ids.add(id);
    expect(['', 'a', 'aa', 'a\u0000', 'ab', 'ba'].map((id) => ids.indexOf(id))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ids.indexOf('aaa')).toBe(-1);
  });

  it('agrees with a Map over 200,000 random ids, across every growth of its arrays', () => {
    const random = rng(7);
    const ids = new IdIndex();
    const reference = new Map<string, number>();
    const got: number[] = [];
    const want: number[] = [];
    for (let n = 0; n < 200_000; n++) {
      // Short ids collide often; some long ones force the character store to grow.
      const length = random() < 0.01 ? 200 + Math.floor(random() * 2000) : 1 + Math.floor(random() * 5);
      let id = '';
      for (let i = 0; i < length; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
      if (!reference.has(id)) reference.set(id, reference.size);
      got.push(ids.add(id));
      want.push(reference.get(id)!);
    }
    expect(got).toEqual(want);
    expect(ids.size).toBe(reference.size);
    expect([...reference.keys()].map((id) => ids.indexOf(id))).toEqual([...reference.values()]);
    expect(ids.indexOf('not there at all')).toBe(-1);
  });
});

/**
 * Deterministic text vectors in which texts sharing words are close: a hashed bag of words plus
 * character trigrams (so "refund" and "refunds" are near too), signed, L2-normalised.
 */
export const DEFAULT_DIMENSIONS = 256;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function features(text: string): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    out.push([`w:${word}`, 1]);
    const padded = `#${word}#`;
    for (let i = 0; i + 3 <= padded.length; i++) out.push([`t:${padded.slice(i, i + 3)}`, 0.5]);
  }
  return out;
}

export function textVector(text: string, dimensions = DEFAULT_DIMENSIONS): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const [feature, weight] of features(text)) {
    const h = fnv1a(feature);
    v[h % dimensions]! += h & 0x80000000 ? -weight : weight;
  }
  const norm = Math.hypot(...v);
  // A text without words gets a fixed unit vector, so cosines stay defined.
  if (norm === 0) return v.map((_, i) => (i === 0 ? 1 : 0));
  return v.map((x) => x / norm);
}

export const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

/** OpenAI's base64 encoding: little-endian float32s. */
export function base64Floats(v: number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePolicy } from '../src/core/policy/parse.js';
import type { Policy } from '../src/core/policy/types.js';
import type { PromptRecord } from '../src/core/prompt.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const SHIPPED_ROUTES = `${ROOT}routes.yaml`;
/** The shipped policy as it was with a local model (`local`, free) for short prompts: what routing tests use. */
export const LOCAL_ROUTES = `${FIXTURES}policies/with-local.yaml`;
export const EXAMPLES = `${ROOT}examples/prompts.jsonl`;

/** Prices that change over time are resolved for this moment in every test. */
export const NOW = new Date('2026-06-01T00:00:00Z');

export function shippedPolicy(): Policy {
  return parsePolicy(readFileSync(SHIPPED_ROUTES, 'utf8'), 'routes.yaml', { now: NOW });
}

/** LOCAL_ROUTES, loaded. */
export function localPolicy(): Policy {
  return parsePolicy(readFileSync(LOCAL_ROUTES, 'utf8'), 'routes.yaml', { now: NOW });
}

/** Strip the first line break and the common indentation, so YAML can sit indented in a test table. */
export function dedent(text: string): string {
  const lines = text.replace(/^\n/, '').replace(/\n[ \t]*$/, '\n').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

export function userPrompt(text: string, fields: Record<string, unknown> = {}, extra: Partial<PromptRecord> = {}): PromptRecord {
  return { id: 'p', messages: [{ role: 'user', content: text }], fields, source: { file: 'test' }, ...extra };
}

/** The example prompts, as raw JSON records keyed by id. */
export function exampleRecords(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const line of readFileSync(EXAMPLES, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as Record<string, unknown>;
    out.set(String(record.id), record);
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so random tables are the same on every run. */
export { seeded as rng } from '../src/core/quality/train/cross-validate.js';

export const randInt = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));

/**
 * The token estimate as first specified: pieces cut by one regex, then scored. The scanner and
 * the ASCII state machine in src/core/tokens.ts must give exactly this count.
 */
const PIECE = /\s?[\p{L}\p{M}]+|\p{N}{1,3}|\s?[^\s\p{L}\p{M}\p{N}]+|\n+|\s+/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function referenceEstimate(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(PIECE)) {
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

import { describe, expect, it } from 'vitest';
import { frugalIn } from '../helpers/in-process.js';
import { SHIPPED_ROUTES } from '../support.js';

const explain = (args: string[], stdin?: string) => frugalIn(['explain', '--json', '--routes', SHIPPED_ROUTES, ...args], { stdin });
const json = (text: string) => JSON.parse(text) as { class: string | null; prompt_tokens: number; route: string };

describe('explain reads its prompt as run does', () => {
  it('takes a JSONL record on stdin: its prompt, not the JSON text, and its fields', async () => {
    const record = JSON.stringify({ id: 'q', prompt: 'Tell me about the weather in a few words please', difficulty: 'hard' });
    const r = await explain([], record);
    expect(r.code).toBe(0);
    const text = await explain([], 'Tell me about the weather in a few words please');
    expect(json(r.stdout).prompt_tokens).toBe(json(text.stdout).prompt_tokens);
    expect(json(r.stdout).class).toBe('tagged-hard');
  });

  it('takes -p like run, and --field over the record', async () => {
    expect(json((await explain(['-p', 'Refactor this function'])).stdout).class).toBe('code');
    const record = JSON.stringify({ prompt: 'Tell me about the weather in a few words please', difficulty: 'hard' });
    expect(json((await explain(['--field', 'difficulty=easy'], record)).stdout).class).not.toBe('tagged-hard');
  });

  it('counts the system prompt of -s in the prompt tokens', async () => {
    const without = json((await explain(['-p', 'Define idempotent'])).stdout).prompt_tokens;
    const withSystem = json((await explain(['-s', 'You are a careful assistant who answers in full sentences.', '-p', 'Define idempotent'])).stdout).prompt_tokens;
    expect(withSystem).toBeGreaterThan(without);
  });

  it('refuses several records and several prompts', async () => {
    const two = [1, 2].map((i) => JSON.stringify({ id: `q${i}`, prompt: 'hi' })).join('\n');
    expect(await explain([], two)).toMatchObject({ code: 2, stderr: expect.stringContaining('frugal: explain takes one prompt, and stdin holds several JSONL records') });
    expect((await explain(['-p', 'a', 'b'])).code).toBe(2);
  });
});

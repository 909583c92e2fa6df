import { describe, expect, it } from 'vitest';
import { jsonErrorMessage, recordToPrompt } from '../../src/io/records.js';

describe('recordToPrompt', () => {
  it.each([
    { value: { id: 'q1', prompt: 'hi' }, id: 'q1', messages: [['user', 'hi']] },
    { value: { id: 7, prompt: 'hi' }, id: '7', messages: [['user', 'hi']] },
    { value: { id: '', prompt: 'hi' }, id: 'f.jsonl:3', messages: [['user', 'hi']] },
    { value: { prompt: 'hi' }, id: 'f.jsonl:3', messages: [['user', 'hi']] },
    {
      value: { messages: [{ role: 'developer', content: 'rules' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] },
      id: 'f.jsonl:3',
      messages: [
        ['developer', 'rules'],
        ['user', 'a\nb'],
      ],
    },
  ])('accepts $value', ({ value, id, messages }) => {
    const parsed = recordToPrompt(value, 'f.jsonl', 3);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.id).toBe(id);
    expect(parsed.value.messages.map((m) => [m.role, m.content])).toEqual(messages);
    expect(parsed.value.source).toEqual({ file: 'f.jsonl', line: 3 });
    expect(parsed.value.fields).toBe(value);
  });

  it.each([
    { value: null, message: 'expected a JSON object such as {"id": "q1", "prompt": "..."}' },
    { value: 'hi', message: 'expected a JSON object such as {"id": "q1", "prompt": "..."}' },
    { value: ['hi'], message: 'expected a JSON object such as {"id": "q1", "prompt": "..."}' },
    { value: {}, message: 'record has neither "prompt" nor "messages"' },
    { value: { text: 'hi' }, message: 'record has neither "prompt" nor "messages"' },
    { value: { prompt: 'a', messages: [] }, message: 'give either "prompt" or "messages", not both' },
    { value: { prompt: '  ' }, message: '"prompt" is empty' },
    { value: { prompt: 5 }, message: '"prompt" must be a string' },
    { value: { messages: [] }, message: '"messages" must be a non-empty list' },
    { value: { messages: 'hi' }, message: '"messages" must be a non-empty list' },
    { value: { messages: ['hi'] }, message: 'messages[0] must be an object with "role" and "content"' },
    { value: { messages: [{ role: 'robot', content: 'x' }] }, message: 'messages[0].role must be one of: user, assistant, system, developer' },
    { value: { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, message: 'messages[0].content must be text' },
    { value: { messages: [{ role: 'system', content: 'x' }] }, message: '"messages" has no user message' },
    { value: { id: { a: 1 }, prompt: 'x' }, message: '"id" must be a string or a number' },
    { value: { system: 5, prompt: 'x' }, message: '"system" must be a string' },
    { value: { max_tokens: 1.5, prompt: 'x' }, message: '"max_tokens" must be a positive whole number' },
    { value: { max_tokens: '100', prompt: 'x' }, message: '"max_tokens" must be a positive whole number' },
  ])('rejects $value', ({ value, message }) => {
    expect(recordToPrompt(value, 'f.jsonl', 3)).toEqual({ ok: false, message });
  });

  it('describes malformed JSON in one line, without a stack', () => {
    let err: unknown;
    try {
      JSON.parse('{"a": }');
    } catch (e) {
      err = e;
    }
    const text = jsonErrorMessage(err);
    expect(text.startsWith('malformed JSON: ')).toBe(true);
    expect(text).not.toContain('\n');
  });
});

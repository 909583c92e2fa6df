import type { ApiKind, Usage } from './types.js';

export interface ParsedRequest {
  model: string | undefined;
  stream: boolean;
  /** Chat Completions only: stream_options.include_usage. */
  includeUsage: boolean;
  /** Text of the last user message. */
  prompt: string;
  /** All message text, system/instructions included. */
  allText: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Text of a message's content: a string, or an array of parts carrying `text`. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isObject(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** The texts of an embeddings request: `input` is one string or a list of them. */
export function embeddingInputs(body: Json): string[] {
  const input = body['input'];
  if (typeof input === 'string') return [input];
  return Array.isArray(input) ? input.map((t) => (typeof t === 'string' ? t : '')) : [];
}

interface Msg {
  role: string;
  text: string;
}

function messagesOf(list: unknown): Msg[] {
  if (!Array.isArray(list)) return [];
  return list.filter(isObject).map((m) => ({
    role: typeof m['role'] === 'string' ? m['role'] : 'user',
    text: contentText(m['content']),
  }));
}

function extract(api: ApiKind, body: Json): { system: string; messages: Msg[] } {
  switch (api) {
    case 'chat':
      return { system: '', messages: messagesOf(body['messages']) };
    case 'responses': {
      const input = body['input'];
      const messages = typeof input === 'string' ? [{ role: 'user', text: input }] : messagesOf(input);
      const instructions = typeof body['instructions'] === 'string' ? body['instructions'] : '';
      return { system: instructions, messages };
    }
    case 'messages':
      return { system: contentText(body['system']), messages: messagesOf(body['messages']) };
    case 'embeddings':
      return { system: '', messages: embeddingInputs(body).map((text) => ({ role: 'user', text })) };
  }
}

export function parseRequest(api: ApiKind, body: unknown): ParsedRequest {
  const obj = isObject(body) ? body : {};
  const { system, messages } = extract(api, obj);
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const streamOptions = obj['stream_options'];
  return {
    model: typeof obj['model'] === 'string' ? obj['model'] : undefined,
    stream: obj['stream'] === true,
    includeUsage: isObject(streamOptions) && streamOptions['include_usage'] === true,
    prompt: lastUser?.text ?? '',
    allText: [system, ...messages.map((m) => m.text)].filter((t) => t !== '').join('\n'),
  };
}

export const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

const ECHO_WORDS = 12;

export function defaultAnswer(prompt: string): string {
  return `echo: ${words(prompt).slice(0, ECHO_WORDS).join(' ')}`;
}

export function defaultUsage(allText: string, answer: string): Usage {
  return { input: Math.max(1, words(allText).length), output: words(answer).length };
}

/** Throws when a configured usage cannot be put on the wire consistently. */
export function checkUsage(u: Usage): Required<Usage> {
  const full = { cacheRead: 0, cacheWrite: 0, reasoning: 0, ...u };
  for (const [key, value] of Object.entries(full)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(`fake server: usage.${key} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (full.cacheRead + full.cacheWrite > full.input) {
    throw new Error('fake server: usage.input includes cached tokens, so it must be >= cacheRead + cacheWrite');
  }
  if (full.reasoning > full.output) {
    throw new Error('fake server: usage.output includes reasoning tokens, so it must be >= reasoning');
  }
  return full;
}

/** Splits text into word-sized deltas that concatenate back to exactly `text`. */
export function chunks(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === '' ? [] : [text]);
}

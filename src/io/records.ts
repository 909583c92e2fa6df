import type { Message, PromptRecord, Role } from '../core/prompt.js';
import { recordOptions } from '../core/policy/resolve-options.js';

const ROLES: ReadonlySet<string> = new Set<Role>(['system', 'developer', 'user', 'assistant']);

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function contentText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  // OpenAI-style content parts: keep the text ones.
  const texts: string[] = [];
  for (const part of content) {
    if (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string') {
      texts.push((part as { text: string }).text);
    } else return undefined;
  }
  return texts.join('\n');
}

function parseMessages(value: unknown): Parsed<Message[]> {
  if (!Array.isArray(value) || value.length === 0) return { ok: false, message: '"messages" must be a non-empty list' };
  const out: Message[] = [];
  for (const [i, m] of value.entries()) {
    if (!m || typeof m !== 'object') return { ok: false, message: `messages[${i}] must be an object with "role" and "content"` };
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return { ok: false, message: `messages[${i}].role must be one of: user, assistant, system, developer` };
    }
    const text = contentText(content);
    if (text === undefined) return { ok: false, message: `messages[${i}].content must be text` };
    out.push({ role: role as Role, content: text });
  }
  if (!out.some((m) => m.role === 'user')) return { ok: false, message: '"messages" has no user message' };
  return { ok: true, value: out };
}

/** One JSONL line (already JSON-parsed) -> a prompt, or the reason it is not one. */
export function recordToPrompt(value: unknown, file: string, line: number): Parsed<PromptRecord> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, message: 'expected a JSON object such as {"id": "q1", "prompt": "..."}' };
  }
  const fields = value as Record<string, unknown>;
  const { id, prompt, messages, system, max_tokens: maxTokens } = fields;
  let parsedMessages: Message[];
  if (prompt !== undefined && messages !== undefined) return { ok: false, message: 'give either "prompt" or "messages", not both' };
  if (typeof prompt === 'string') {
    if (prompt.trim() === '') return { ok: false, message: '"prompt" is empty' };
    parsedMessages = [{ role: 'user', content: prompt }];
  } else if (prompt !== undefined) {
    return { ok: false, message: '"prompt" must be a string' };
  } else if (messages !== undefined) {
    const m = parseMessages(messages);
    if (!m.ok) return m;
    parsedMessages = m.value;
  } else {
    return { ok: false, message: 'record has neither "prompt" nor "messages"' };
  }
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') return { ok: false, message: '"id" must be a string or a number' };
  if (system !== undefined && typeof system !== 'string') return { ok: false, message: '"system" must be a string' };
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && (maxTokens as number) > 0)) {
    return { ok: false, message: '"max_tokens" must be a positive whole number' };
  }
  const options = recordOptions(fields);
  if (!options.ok) return options;
  return {
    ok: true,
    value: {
      id: id === undefined || id === '' ? `${file}:${line}` : String(id),
      messages: parsedMessages,
      system: system as string | undefined,
      maxTokens: maxTokens as number | undefined,
      options: Object.keys(options.value).length > 0 ? options.value : undefined,
      fields,
      source: { file, line },
    },
  };
}

/** A malformed JSON line, described briefly (no parser stack, no echo of the whole line). */
export function jsonErrorMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `malformed JSON: ${text.replace(/^JSON\.parse: /, '').split('\n')[0]}`;
}

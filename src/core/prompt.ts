import type { ModelOptions } from './policy/options.js';

export type Role = 'system' | 'developer' | 'user' | 'assistant';

export interface Message {
  role: Role;
  content: string;
}

/** One prompt as read from the input, before routing. */
export interface PromptRecord {
  id: string;
  messages: Message[];
  system?: string | undefined;
  maxTokens?: number | undefined;
  /** The record's own model options (temperature, top_p, ...); they win over --option and the model's. */
  options?: ModelOptions | undefined;
  /** The JSONL record's own fields, for `field` matchers. */
  fields: Readonly<Record<string, unknown>>;
  source: { file: string; line?: number | undefined };
}

/** The user's text, which regex and keyword rules look at. */
export function userText(p: PromptRecord): string {
  if (p.messages.length === 1) return p.messages[0]!.content;
  return p.messages
    .filter((m) => m.role === 'user')
    .map((m) => m.content)
    .join('\n');
}

/** Everything that is sent as input and billed: system prompt and every message. */
export function inputText(p: PromptRecord): string {
  const parts = p.system ? [p.system] : [];
  for (const m of p.messages) parts.push(m.content);
  return parts.join('\n');
}

/** Where a prompt or a problem came from, as messages and records show it: `file:line`, or `file`. */
export function sourceText(file: string, line?: number | undefined): string {
  return line === undefined ? file : `${file}:${line}`;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** One item of the input: a prompt, or a line or file that could not be read as one. */
export type InputItem =
  | { kind: 'prompt'; prompt: PromptRecord }
  | { kind: 'error'; file: string; line?: number | undefined; message: string };

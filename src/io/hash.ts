import * as crypto from 'node:crypto';
import type { Message, PromptRecord } from '../core/prompt.js';

// crypto.hash (Node 20.12+) hashes a string in one call, several times faster than a Hash object
// for short texts; the ledger hashes every prompt of a run.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;
export const sha256 = oneShot ? (text: string) => oneShot('sha256', text, 'hex') : (text: string) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

const messages = (ms: readonly Message[]) => ms.map((m) => ({ role: m.role, content: m.content }));

/**
 * The request text a prompt sends, as one canonical JSON string: system prompt and every message,
 * keys in a fixed order, nothing else (ids and record fields are not part of what was asked).
 * `--log-prompts` stores this text; its sha256 is the prompt hash, so the two can be checked.
 */
export function canonicalPrompt(prompt: Pick<PromptRecord, 'system' | 'messages'>): string {
  return JSON.stringify({ system: prompt.system ?? null, messages: messages(prompt.messages) });
}

export function promptHash(prompt: Pick<PromptRecord, 'system' | 'messages'>): string {
  return sha256(canonicalPrompt(prompt));
}

/** Everything that decides a provider's answer to a request. */
export interface CacheKeyInput {
  provider: string;
  model: string;
  baseUrl?: string | undefined;
  api?: string | undefined;
  system?: string | undefined;
  messages: readonly Message[];
  maxTokens?: number | undefined;
  /** Model options and the structured-output schema: they change the answer too. */
  options?: object | undefined;
  schema?: object | undefined;
}

/** sha256 of the canonical request; the leading version changes whenever this shape does. */
export function cacheKey(req: CacheKeyInput): string {
  return sha256(
    JSON.stringify([
      'frugal-cache-1',
      {
        provider: req.provider,
        model: req.model,
        base_url: req.baseUrl?.replace(/\/+$/, '') ?? null,
        api: req.api ?? null,
        system: req.system ?? null,
        messages: messages(req.messages),
        max_tokens: req.maxTokens ?? null,
        // Absent unless set, so that keys of requests without them are the ones earlier versions wrote.
        ...(req.options ? { options: req.options } : {}),
        ...(req.schema ? { schema: req.schema } : {}),
      },
    ]),
  );
}

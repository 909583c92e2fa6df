/**
 * Model options a user may set (issue 16): on the command line (`--option KEY=VALUE`), on a
 * model in routes.yaml (`options:`), or on a JSONL record. Each API accepts its own subset;
 * an option an API does not accept is an error before anything is sent, never dropped.
 */
export interface ModelOptions {
  temperature?: number | undefined;
  top_p?: number | undefined;
  top_k?: number | undefined;
  seed?: number | undefined;
  stop?: string[] | undefined;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high' | undefined;
  /** OpenAI's service tier: `flex` is billed at batch prices and may be slower or refused. */
  service_tier?: 'auto' | 'default' | 'flex' | 'priority' | undefined;
}

export type OptionKey = keyof ModelOptions;

/** The wire APIs frugal speaks. */
export type ApiKind = 'chat' | 'responses' | 'messages';

/** Which options each API accepts (the adapters map them to the API's own field names). */
export const OPTIONS_BY_API: Record<ApiKind, readonly OptionKey[]> = {
  chat: ['temperature', 'top_p', 'seed', 'stop', 'reasoning_effort', 'service_tier'],
  responses: ['temperature', 'top_p', 'reasoning_effort', 'service_tier'],
  messages: ['temperature', 'top_p', 'top_k', 'stop'],
};

/** The options set (not undefined) that `api` does not accept, in the order given; empty when all are accepted. */
export function unsupportedOptions(api: ApiKind, options: ModelOptions): OptionKey[] {
  const accepted: readonly OptionKey[] = OPTIONS_BY_API[api];
  return (Object.keys(options) as OptionKey[]).filter((k) => options[k] !== undefined && !accepted.includes(k));
}

import type { ErrorSpec } from './wire.js';

function typeAndCode(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/** OpenAI's error body: {error: {message, type, param, code}}, shared by both OpenAI APIs. */
export function openaiErrorBody(spec: ErrorSpec): unknown {
  const { type, code } = typeAndCode(spec.status);
  return { error: { message: spec.message, type, param: null, code: spec.code ?? code } };
}

import { openaiErrorBody } from './openai-error.js';
import { embeddingInputs } from './prompt.js';
import { base64Floats, DEFAULT_DIMENSIONS, textVector } from './vectors.js';
import type { WireFormat } from './wire.js';

/** OpenAI Embeddings: POST /v1/embeddings (never streamed); usage counts input words. */
export const openaiEmbeddings: WireFormat = {
  requestIdHeader: 'x-request-id',

  json: (a, _req, body) => {
    const dimensions = typeof body['dimensions'] === 'number' ? body['dimensions'] : DEFAULT_DIMENSIONS;
    const base64 = body['encoding_format'] === 'base64';
    return {
      object: 'list',
      data: embeddingInputs(body).map((text, index) => {
        const v = textVector(text, dimensions);
        return { object: 'embedding', index, embedding: base64 ? base64Floats(v) : v };
      }),
      model: a.model,
      usage: { prompt_tokens: a.usage.input, total_tokens: a.usage.input },
    };
  },

  events: () => [],
  finalEvents: () => 0,
  errorBody: openaiErrorBody,
};

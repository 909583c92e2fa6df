// One prompt from stdin, one call with the SDK, the answer on stdout: the floor for a one-shot.
import OpenAI from 'openai';

let text = '';
for await (const chunk of process.stdin) text += chunk;
const client = new OpenAI({ apiKey: 'bench', baseURL: process.argv[2], maxRetries: 0 });
const res = await client.responses.create({ model: 'gpt-5.4-mini', input: [{ role: 'user', content: text.trim() }], store: false });
process.stdout.write(`${res.output_text}\n`);
